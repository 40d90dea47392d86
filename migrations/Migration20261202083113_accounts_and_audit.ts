import { Migration } from '@mikro-orm/migrations';

export class Migration20261202083113_accounts_and_audit extends Migration {

  override name = 'Migration20261202083113_accounts_and_audit';

  override up(): void | Promise<void> {
    this.addSql(`create table "recovery_code" ("id" uuid not null, "user_id" uuid not null, "code_hash" varchar(255) not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "recovery_code_user_id_index" on "recovery_code" ("user_id");`);
    this.addSql(`alter table "recovery_code" add constraint "recovery_code_code_hash_unique" unique ("code_hash");`);

    this.addSql(`create table "audit_entry" ("id" bigserial primary key, "collective_id" uuid not null, "user_id" uuid null, "actor" varchar(255) not null, "action" text not null, "subject" text not null, "detail" text null, "created_at" timestamptz not null);`);
    this.addSql(`create index "audit_entry_collective_id_created_at_index" on "audit_entry" ("collective_id", "created_at");`);

    this.addSql(`create table "account_token" ("id" uuid not null, "kind" text not null, "token_hash" varchar(255) not null, "email" varchar(255) not null, "collective_id" uuid null, "role" text null, "created_by_id" uuid null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "account_token" add constraint "account_token_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "app_user" add "is_admin" boolean not null default false, add "totp_secret" varchar(255) null, add "totp_last_step" bigint null;`);

    this.addSql(`alter table "recovery_code" add constraint "recovery_code_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade;`);

    this.addSql(`alter table "audit_entry" add constraint "audit_entry_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete set null;`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'follower.approve', 'follower.reject', 'collective.settings'));`);

    this.addSql(`alter table "account_token" add constraint "account_token_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "account_token" add constraint "account_token_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on delete set null;`);
    this.addSql(`alter table "account_token" add constraint "account_token_kind_check" check ("kind" in ('invitation', 'reset'));`);
    this.addSql(`alter table "account_token" add constraint "account_token_role_check" check ("role" in ('owner', 'editor'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "recovery_code" cascade;`);
    this.addSql(`drop table if exists "audit_entry" cascade;`);
    this.addSql(`drop table if exists "account_token" cascade;`);

    this.addSql(`alter table "app_user" drop column "is_admin", drop column "totp_secret", drop column "totp_last_step";`);
  }

}
