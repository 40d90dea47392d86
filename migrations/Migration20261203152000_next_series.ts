import { Migration } from '@mikro-orm/migrations';

// A series changed from a date on names the series that continues it (the reverse of previous_series),
// so its pages, editor and API link forward. Splits made before: the live continuation that starts first.
export class Migration20261203152000_next_series extends Migration {

  override name = 'Migration20261203152000_next_series';

  override up(): void | Promise<void> {
    this.addSql(`alter table "event" add column "next_series" uuid null;`);
    this.addSql(`update "event" as "e" set "next_series" = (select "n"."id" from "event" as "n" where "n"."previous_series" = "e"."id" and "n"."deleted_at" is null order by "n"."starts_at" asc limit 1);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "event" drop column "next_series";`);
  }

}
