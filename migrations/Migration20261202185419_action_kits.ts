import { Migration } from '@mikro-orm/migrations';

export class Migration20261202185419_action_kits extends Migration {

  override name = 'Migration20261202185419_action_kits';

  override up(): void | Promise<void> {
    this.addSql(`create table "action_kit" ("id" uuid not null, "collective_id" uuid not null, "title" jsonb not null, "explanation" jsonb not null, "country" varchar(255) not null, "institution" jsonb not null, "legal_basis" jsonb not null, "steps" jsonb not null, "fields" jsonb not null, "letters" jsonb not null, "version" int not null default 0, "published" boolean not null default false, "origin_ap_id" text null, "origin_actor_ap_id" text null, "origin_actor_name" text null, "origin_url" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "published_at" timestamptz null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "action_kit_collective_id_created_at_index" on "action_kit" ("collective_id", "created_at");`);
    this.addSql(`create index "action_kit_country_published_at_index" on "action_kit" ("country", "published_at");`);
    this.addSql(`create index "action_kit_origin_ap_id_index" on "action_kit" ("origin_ap_id");`);

    this.addSql(`create table "action_kit_version" ("id" bigserial primary key, "kit_id" uuid not null, "version" int not null, "title" jsonb not null, "explanation" jsonb not null, "country" varchar(255) not null, "institution" jsonb not null, "legal_basis" jsonb not null, "steps" jsonb not null, "fields" jsonb not null, "letters" jsonb not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "action_kit_version" add constraint "action_kit_version_kit_id_version_unique" unique ("kit_id", "version");`);

    this.addSql(`create table "action_kit_count" ("id" bigserial primary key, "kit_id" uuid not null, "language" varchar(255) not null, "count" bigint not null default '0');`);
    this.addSql(`alter table "action_kit_count" add constraint "action_kit_count_kit_id_language_unique" unique ("kit_id", "language");`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'call.invite', 'call.sign', 'call.decline', 'call.revoke', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'actionkit.create', 'actionkit.adopt', 'actionkit.change', 'actionkit.publish', 'actionkit.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);

    this.addSql(`alter table "action_kit" add constraint "action_kit_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);

    this.addSql(`alter table "action_kit_version" add constraint "action_kit_version_kit_id_foreign" foreign key ("kit_id") references "action_kit" ("id") on delete cascade;`);

    this.addSql(`alter table "action_kit_count" add constraint "action_kit_count_kit_id_foreign" foreign key ("kit_id") references "action_kit" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "action_kit_version" drop constraint "action_kit_version_kit_id_foreign";`);
    this.addSql(`alter table "action_kit_count" drop constraint "action_kit_count_kit_id_foreign";`);

    this.addSql(`drop table if exists "action_kit" cascade;`);
    this.addSql(`drop table if exists "action_kit_version" cascade;`);
    this.addSql(`drop table if exists "action_kit_count" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'call.invite', 'call.sign', 'call.decline', 'call.revoke', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

}
