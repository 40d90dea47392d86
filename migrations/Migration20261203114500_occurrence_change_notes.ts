import { Migration } from '@mikro-orm/migrations';

// The change notes of a recurring event's occurrences name their occurrence ('' for a single event):
// one series change may move several occurrences, each with its own note, and deleting the series
// deletes each note at its occurrence's URL.
export class Migration20261203114500_occurrence_change_notes extends Migration {

  override name = 'Migration20261203114500_occurrence_change_notes';

  override up(): void | Promise<void> {
    this.addSql(`alter table "event_change_note" add column "occurrence_date" varchar(255) not null default '';`);
    this.addSql(`alter table "event_change_note" drop constraint "event_change_note_event_id_version_unique";`);
    this.addSql(`alter table "event_change_note" add constraint "event_change_note_event_id_version_occurrence_date_unique" unique ("event_id", "version", "occurrence_date");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "event_change_note" drop constraint "event_change_note_event_id_version_occurrence_date_unique";`);
    this.addSql(`delete from "event_change_note" where "occurrence_date" <> '';`);
    this.addSql(`alter table "event_change_note" add constraint "event_change_note_event_id_version_unique" unique ("event_id", "version");`);
    this.addSql(`alter table "event_change_note" drop column "occurrence_date";`);
  }

}
