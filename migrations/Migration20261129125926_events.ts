import { Migration } from '@mikro-orm/migrations';

export class Migration20261129125926_events extends Migration {

  override name = 'Migration20261129125926_events';

  override up(): void | Promise<void> {
    this.addSql(`create table "event" ("id" uuid not null, "collective_id" uuid not null, "name" jsonb not null, "summary" jsonb null, "description" jsonb null, "description_source" jsonb null, "starts_at" timestamptz not null, "ends_at" timestamptz null, "timezone" varchar(255) not null, "all_day" boolean not null default false, "location" jsonb null, "online_url" text null, "category" varchar(255) null, "tags" jsonb not null, "status" text not null, "status_reason" jsonb null, "image" jsonb null, "links" jsonb not null, "contact" text null, "visibility" text not null, "published" boolean not null default false, "sequence" int not null default 0, "version" int not null default 0, "published_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "event_collective_id_starts_at_index" on "event" ("collective_id", "starts_at");`);
    this.addSql(`create index "event_starts_at_index" on "event" ("starts_at");`);

    this.addSql(`alter table "collective" add "events_version" int not null default 0, add "events_changed_at" timestamptz not null default now();`);

    this.addSql(`alter table "event" add constraint "event_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "event" add constraint "event_status_check" check ("status" in ('scheduled', 'cancelled', 'postponed'));`);
    this.addSql(`alter table "event" add constraint "event_visibility_check" check ("visibility" in ('public', 'unlisted'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "event" cascade;`);

    this.addSql(`alter table "collective" drop column "events_version", drop column "events_changed_at";`);
  }

}
