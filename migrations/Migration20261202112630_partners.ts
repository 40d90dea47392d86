import { Migration } from '@mikro-orm/migrations';

export class Migration20261202112630_partners extends Migration {

  override name = 'Migration20261202112630_partners';

  override up(): void | Promise<void> {
    this.addSql(`create table "partner_event" ("id" uuid not null, "ap_id" text not null, "domain" text not null, "organizer_ap_id" text not null, "organizer_name" text null, "url" text null, "name" jsonb not null, "summary" jsonb null, "description" jsonb null, "starts_at" timestamptz not null, "ends_at" timestamptz null, "timezone" varchar(255) not null, "all_day" boolean not null default false, "location" jsonb null, "online_url" text null, "category" varchar(255) null, "tags" jsonb not null, "status" text not null, "image" jsonb null, "links" jsonb not null, "visibility" text not null, "sequence" int not null default 0, "content_hash" text not null, "remote_updated_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "partner_event" add constraint "partner_event_ap_id_unique" unique ("ap_id");`);
    this.addSql(`create index "partner_event_domain_index" on "partner_event" ("domain");`);
    this.addSql(`create index "partner_event_organizer_ap_id_index" on "partner_event" ("organizer_ap_id");`);
    this.addSql(`create index "partner_event_starts_at_index" on "partner_event" ("starts_at");`);

    this.addSql(`create table "partner" ("id" uuid not null, "collective_id" uuid not null, "actor_id" uuid not null, "state" text not null, "follow_activity_id" text not null, "relay" boolean not null default false, "last_activity_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "partner" add constraint "partner_follow_activity_id_unique" unique ("follow_activity_id");`);
    this.addSql(`alter table "partner" add constraint "partner_collective_id_actor_id_unique" unique ("collective_id", "actor_id");`);

    this.addSql(`create table "partner_event_source" ("id" uuid not null, "event_id" uuid not null, "partner_id" uuid not null, "path" text not null, "announced_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "partner_event_source_partner_id_index" on "partner_event_source" ("partner_id");`);
    this.addSql(`alter table "partner_event_source" add constraint "partner_event_source_event_id_partner_id_unique" unique ("event_id", "partner_id");`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay'));`);

    this.addSql(`alter table "partner_event" add constraint "partner_event_status_check" check ("status" in ('scheduled', 'cancelled', 'postponed'));`);
    this.addSql(`alter table "partner_event" add constraint "partner_event_visibility_check" check ("visibility" in ('public', 'unlisted'));`);

    this.addSql(`alter table "partner" add constraint "partner_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "partner" add constraint "partner_actor_id_foreign" foreign key ("actor_id") references "remote_actor" ("id") on delete cascade;`);
    this.addSql(`alter table "partner" add constraint "partner_state_check" check ("state" in ('pending', 'accepted', 'rejected'));`);

    this.addSql(`alter table "partner_event_source" add constraint "partner_event_source_event_id_foreign" foreign key ("event_id") references "partner_event" ("id") on delete cascade;`);
    this.addSql(`alter table "partner_event_source" add constraint "partner_event_source_partner_id_foreign" foreign key ("partner_id") references "partner" ("id") on delete cascade;`);
    this.addSql(`alter table "partner_event_source" add constraint "partner_event_source_path_check" check ("path" in ('create', 'announce'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "partner_event_source" drop constraint "partner_event_source_event_id_foreign";`);
    this.addSql(`alter table "partner_event_source" drop constraint "partner_event_source_partner_id_foreign";`);

    this.addSql(`drop table if exists "partner_event" cascade;`);
    this.addSql(`drop table if exists "partner" cascade;`);
    this.addSql(`drop table if exists "partner_event_source" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'follower.approve', 'follower.reject', 'collective.settings'));`);
  }

}
