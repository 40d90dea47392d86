import { Migration } from '@mikro-orm/migrations';

export class Migration20261129123856_initial extends Migration {

  override name = 'Migration20261129123856_initial';

  override up(): void | Promise<void> {
    this.addSql(`create table "actor_key" ("id" uuid not null, "owner" varchar(255) not null, "algorithm" text not null, "public_jwk" jsonb not null, "private_jwk" jsonb not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "actor_key_owner_index" on "actor_key" ("owner");`);
    this.addSql(`alter table "actor_key" add constraint "actor_key_owner_algorithm_unique" unique ("owner", "algorithm");`);

    this.addSql(`create table "collective" ("id" uuid not null, "slug" varchar(255) not null, "name" jsonb not null, "summary" jsonb null, "primary_language" varchar(255) not null, "manually_approves_followers" boolean not null default false, "icon_url" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "collective" add constraint "collective_slug_unique" unique ("slug");`);

    this.addSql(`create table "outbox" ("id" bigserial primary key, "activity_id" text not null, "collective" uuid null, "kind" varchar(255) not null, "payload" jsonb not null, "created_at" timestamptz not null, "lease_until" timestamptz null, "attempts" int not null default 0, "sent_at" timestamptz null, "last_error" text null);`);
    this.addSql(`alter table "outbox" add constraint "outbox_activity_id_unique" unique ("activity_id");`);
    this.addSql(`create index "outbox_collective_index" on "outbox" ("collective");`);
    this.addSql(`create index "outbox_sent_at_id_index" on "outbox" ("sent_at", "id");`);

    this.addSql(`create table "remote_actor" ("id" uuid not null, "ap_id" text not null, "domain" varchar(255) not null, "type" varchar(255) not null, "handle" text null, "name" text null, "inbox_url" text not null, "shared_inbox_url" text null, "url" text null, "fetched_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "remote_actor" add constraint "remote_actor_ap_id_unique" unique ("ap_id");`);
    this.addSql(`create index "remote_actor_domain_index" on "remote_actor" ("domain");`);

    this.addSql(`create table "follower" ("id" uuid not null, "collective_id" uuid not null, "actor_id" uuid not null, "state" text not null, "follow_activity_id" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "follower" add constraint "follower_collective_id_actor_id_unique" unique ("collective_id", "actor_id");`);

    this.addSql(`create table "app_user" ("id" uuid not null, "email" varchar(255) not null, "password_hash" text not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);

    this.addSql(`create table "membership" ("id" uuid not null, "user_id" uuid not null, "collective_id" uuid not null, "role" text not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "membership" add constraint "membership_user_id_collective_id_unique" unique ("user_id", "collective_id");`);

    this.addSql(`create table "api_token" ("id" uuid not null, "user_id" uuid not null, "token_hash" varchar(255) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "api_token" add constraint "api_token_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "actor_key" add constraint "actor_key_algorithm_check" check ("algorithm" in ('RSASSA-PKCS1-v1_5', 'Ed25519'));`);

    this.addSql(`alter table "follower" add constraint "follower_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "follower" add constraint "follower_actor_id_foreign" foreign key ("actor_id") references "remote_actor" ("id") on delete cascade;`);
    this.addSql(`alter table "follower" add constraint "follower_state_check" check ("state" in ('pending', 'accepted'));`);

    this.addSql(`alter table "membership" add constraint "membership_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);
    this.addSql(`alter table "membership" add constraint "membership_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "membership" add constraint "membership_role_check" check ("role" in ('owner', 'editor'));`);

    this.addSql(`alter table "api_token" add constraint "api_token_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);

    // Fedify's key–value store when no Redis is configured (no entity: see src/federation/kv).
    this.addSql(`create table "fedify_kv" ("key" text[] primary key, "value" jsonb not null, "expires_at" timestamptz null);`);
    this.addSql(`create index "fedify_kv_expires_at" on "fedify_kv" ("expires_at") where "expires_at" is not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "fedify_kv" cascade;`);
    this.addSql(`alter table "follower" drop constraint "follower_collective_id_foreign";`);
    this.addSql(`alter table "membership" drop constraint "membership_collective_id_foreign";`);
    this.addSql(`alter table "follower" drop constraint "follower_actor_id_foreign";`);
    this.addSql(`alter table "membership" drop constraint "membership_user_id_foreign";`);
    this.addSql(`alter table "api_token" drop constraint "api_token_user_id_foreign";`);

    this.addSql(`drop table if exists "actor_key" cascade;`);
    this.addSql(`drop table if exists "collective" cascade;`);
    this.addSql(`drop table if exists "outbox" cascade;`);
    this.addSql(`drop table if exists "remote_actor" cascade;`);
    this.addSql(`drop table if exists "follower" cascade;`);
    this.addSql(`drop table if exists "app_user" cascade;`);
    this.addSql(`drop table if exists "membership" cascade;`);
    this.addSql(`drop table if exists "api_token" cascade;`);
  }

}
