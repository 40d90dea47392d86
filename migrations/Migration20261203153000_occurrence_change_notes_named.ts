import { Migration } from '@mikro-orm/migrations';

// Change notes of occurrences written before they named their occurrence (before
// Migration20261203114500_occurrence_change_notes) are named now, so that deleting their series deletes
// them too: the occurrence is the one whose update-occurrence outbox row has the note's event and version
// (one occurrence changed per version then). A note whose row was pruned (sent more than 7 days before)
// stays unnamed; recurring events came hours before that migration, so none is expected.
export class Migration20261203153000_occurrence_change_notes_named extends Migration {

  override name = 'Migration20261203153000_occurrence_change_notes_named';

  override up(): void | Promise<void> {
    this.addSql(`update "event_change_note" as "n" set "occurrence_date" = "o"."payload"->>'date'
      from "outbox" as "o"
      where "n"."occurrence_date" = '' and "o"."kind" = 'update-occurrence'
        and "o"."payload"->>'eventId' = "n"."event_id"::text and "o"."payload"->>'version' = "n"."version"::text
        and (select count(*) from "outbox" as "p" where "p"."kind" = 'update-occurrence'
             and "p"."payload"->>'eventId' = "n"."event_id"::text and "p"."payload"->>'version' = "n"."version"::text) = 1;`);
  }

  override down(): void | Promise<void> {
    // The names stay: they are right, and the earlier schema keeps them.
  }

}
