import { Migration } from '@mikro-orm/migrations';

export class Migration20261202074834_event_change_notes extends Migration {

  override name = 'Migration20261202074834_event_change_notes';

  override up(): void | Promise<void> {
    this.addSql(`create table "event_change_note" ("id" bigserial primary key, "event_id" uuid not null, "version" int not null, "language" varchar(255) not null, "text" text not null, "created_at" timestamptz not null, "sent_at" timestamptz null);`);
    this.addSql(`alter table "event_change_note" add constraint "event_change_note_event_id_version_unique" unique ("event_id", "version");`);

    this.addSql(`alter table "event_change_note" add constraint "event_change_note_event_id_foreign" foreign key ("event_id") references "event" ("id") on delete cascade;`);

    // Notes written before this table lived only in their outbox rows: copy them, so that their URLs
    // keep answering once sent outbox rows are pruned.
    this.addSql(`insert into "event_change_note" ("event_id", "version", "language", "text", "created_at", "sent_at")
      select (o.payload->>'eventId')::uuid, (o.payload->>'version')::int, o.payload->>'language', o.payload->>'text', o.created_at, o.sent_at
      from "outbox" o join "event" e on e.id = (o.payload->>'eventId')::uuid
      where o.kind = 'event-change-note'
      on conflict do nothing;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "event_change_note" cascade;`);
  }

}
