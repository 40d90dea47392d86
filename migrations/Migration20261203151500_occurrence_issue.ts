import { Migration } from '@mikro-orm/migrations';

// An occurrence of a recurring event deleted at followers (its date no longer given) and given again
// goes out under a new id (<date>.<issue>): servers keep a tombstone of a deleted id and refuse to
// create it anew. The row keeps which issue it is at.
export class Migration20261203151500_occurrence_issue extends Migration {

  override name = 'Migration20261203151500_occurrence_issue';

  override up(): void | Promise<void> {
    this.addSql(`alter table "event_occurrence" add column "issue" int not null default 1;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "event_occurrence" drop column "issue";`);
  }

}
