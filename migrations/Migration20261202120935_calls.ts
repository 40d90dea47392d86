import { Migration } from '@mikro-orm/migrations';

export class Migration20261202120935_calls extends Migration {

  override name = 'Migration20261202120935_calls';

  override up(): void | Promise<void> {
    this.addSql(`create table "call" ("id" uuid not null, "collective_id" uuid not null, "status" text not null, "title" jsonb not null, "pitch" jsonb null, "body" jsonb not null, "body_source" jsonb not null, "demands" jsonb not null, "deadline" timestamptz null, "timezone" varchar(255) not null, "related_events" jsonb not null, "image" jsonb null, "version" int not null default 0, "revision" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, "launched_at" timestamptz null, "closed_at" timestamptz null, "withdrawn_at" timestamptz null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "call_collective_id_created_at_index" on "call" ("collective_id", "created_at");`);
    this.addSql(`create index "call_status_deadline_index" on "call" ("status", "deadline");`);

    this.addSql(`create table "call_version" ("id" bigserial primary key, "call_id" uuid not null, "version" int not null, "title" jsonb not null, "pitch" jsonb null, "body" jsonb not null, "body_source" jsonb not null, "demands" jsonb not null, "deadline" timestamptz null, "timezone" varchar(255) not null, "related_events" jsonb not null, "image" jsonb null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "call_version" add constraint "call_version_call_id_version_unique" unique ("call_id", "version");`);

    this.addSql(`create table "call_change_note" ("id" bigserial primary key, "call_id" uuid not null, "revision" int not null, "kinds" jsonb not null, "text" jsonb not null, "created_at" timestamptz not null, "sent_at" timestamptz null);`);
    this.addSql(`alter table "call_change_note" add constraint "call_change_note_call_id_revision_unique" unique ("call_id", "revision");`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);

    this.addSql(`alter table "call" add constraint "call_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "call" add constraint "call_status_check" check ("status" in ('draft', 'consultation', 'open', 'closed', 'withdrawn'));`);

    this.addSql(`alter table "call_version" add constraint "call_version_call_id_foreign" foreign key ("call_id") references "call" ("id") on delete cascade;`);

    this.addSql(`alter table "call_change_note" add constraint "call_change_note_call_id_foreign" foreign key ("call_id") references "call" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "call_version" drop constraint "call_version_call_id_foreign";`);
    this.addSql(`alter table "call_change_note" drop constraint "call_change_note_call_id_foreign";`);

    this.addSql(`drop table if exists "call" cascade;`);
    this.addSql(`drop table if exists "call_version" cascade;`);
    this.addSql(`drop table if exists "call_change_note" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

}
