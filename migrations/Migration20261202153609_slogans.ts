import { Migration } from '@mikro-orm/migrations';

export class Migration20261202153609_slogans extends Migration {

  override name = 'Migration20261202153609_slogans';

  override up(): void | Promise<void> {
    this.addSql(`create table "slogan" ("id" uuid not null, "collective_id" uuid not null, "text" jsonb not null, "tags" jsonb not null, "call_id" uuid null, "event_id" uuid null, "origin_ap_id" text null, "origin_actor_ap_id" text null, "origin_actor_name" text null, "origin_url" text null, "version" int not null default 1, "published" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null, "published_at" timestamptz null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "slogan_collective_id_created_at_index" on "slogan" ("collective_id", "created_at");`);
    this.addSql(`create index "slogan_call_id_index" on "slogan" ("call_id");`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);

    this.addSql(`alter table "slogan" add constraint "slogan_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "slogan" add constraint "slogan_call_id_foreign" foreign key ("call_id") references "call" ("id") on delete set null;`);
    this.addSql(`alter table "slogan" add constraint "slogan_event_id_foreign" foreign key ("event_id") references "event" ("id") on delete set null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "slogan" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

}
