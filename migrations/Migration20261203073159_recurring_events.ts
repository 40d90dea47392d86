import { Migration } from '@mikro-orm/migrations';

export class Migration20261203073159_recurring_events extends Migration {

  override name = 'Migration20261203073159_recurring_events';

  override up(): void | Promise<void> {
    this.addSql(`create table "event_occurrence" ("id" uuid not null, "event_id" uuid not null, "date" varchar(255) not null, "cancelled" boolean not null default false, "starts_at" timestamptz null, "ends_at" timestamptz null, "location" jsonb null, "online_url" text null, "reason" jsonb null, "version" int not null default 0, "updated_at" timestamptz not null, "federated_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "event_occurrence" add constraint "event_occurrence_event_id_date_unique" unique ("event_id", "date");`);

    this.addSql(`alter table "event" add "recurrence" jsonb null, add "series_ends_at" timestamptz null, add "previous_series" uuid null;`);
    this.addSql(`create index "event_series_ends_at_index" on "event" ("series_ends_at");`);

    this.addSql(`alter table "event_occurrence" add constraint "event_occurrence_event_id_foreign" foreign key ("event_id") references "event" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "event_occurrence" cascade;`);

    this.addSql(`drop index "event_series_ends_at_index";`);
    this.addSql(`alter table "event" drop column "recurrence", drop column "series_ends_at", drop column "previous_series";`);
  }

}
