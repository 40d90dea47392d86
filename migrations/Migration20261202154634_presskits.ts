import { Migration } from '@mikro-orm/migrations';

export class Migration20261202154634_presskits extends Migration {

  override name = 'Migration20261202154634_presskits';

  override up(): void | Promise<void> {
    this.addSql(`create table "press_kit" ("id" uuid not null, "collective_id" uuid not null, "call_id" uuid null, "event_id" uuid null, "title" jsonb not null, "lead" jsonb not null, "body" jsonb not null, "body_source" jsonb not null, "contact" jsonb not null, "embargo_at" timestamptz null, "timezone" varchar(255) not null, "revision" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, "published_at" timestamptz null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "press_kit_collective_id_created_at_index" on "press_kit" ("collective_id", "created_at");`);
    this.addSql(`create index "press_kit_published_at_embargo_at_index" on "press_kit" ("published_at", "embargo_at");`);

    this.addSql(`create table "press_kit_file" ("id" uuid not null, "kit_id" uuid not null, "kind" text not null, "name" varchar(255) not null, "media_type" varchar(255) not null, "bytes" int not null, "width" int null, "height" int null, "caption" jsonb not null, "credit" text not null, "licence" text not null, "position" int not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "press_kit_file" add constraint "press_kit_file_name_unique" unique ("name");`);
    this.addSql(`create index "press_kit_file_kit_id_position_index" on "press_kit_file" ("kit_id", "position");`);

    this.addSql(`create table "press_kit_link" ("id" uuid not null, "kit_id" uuid not null, "token_hash" varchar(255) not null, "label" text null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "press_kit_link" add constraint "press_kit_link_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);

    this.addSql(`alter table "press_kit" add constraint "press_kit_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);

    this.addSql(`alter table "press_kit_file" add constraint "press_kit_file_kit_id_foreign" foreign key ("kit_id") references "press_kit" ("id") on delete cascade;`);
    this.addSql(`alter table "press_kit_file" add constraint "press_kit_file_kind_check" check ("kind" in ('photo', 'logo', 'document'));`);
    this.addSql(`alter table "press_kit_file" add constraint "press_kit_file_licence_check" check ("licence" in ('cc-by', 'cc-by-sa', 'cc0', 'all-rights-reserved'));`);

    this.addSql(`alter table "press_kit_link" add constraint "press_kit_link_kit_id_foreign" foreign key ("kit_id") references "press_kit" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "press_kit_file" drop constraint "press_kit_file_kit_id_foreign";`);
    this.addSql(`alter table "press_kit_link" drop constraint "press_kit_link_kit_id_foreign";`);

    this.addSql(`drop table if exists "press_kit" cascade;`);
    this.addSql(`drop table if exists "press_kit_file" cascade;`);
    this.addSql(`drop table if exists "press_kit_link" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

}
