import { Migration } from '@mikro-orm/migrations';

export class Migration20261202114204_blocks extends Migration {

  override name = 'Migration20261202114204_blocks';

  override up(): void | Promise<void> {
    this.addSql(`create table "block" ("id" uuid not null, "collective_id" uuid null, "kind" text not null, "target" text not null, "reason" text null, "created_by" varchar(255) not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "block" add constraint "block_collective_id_kind_target_unique" unique ("collective_id", "kind", "target");`);
    this.addSql(`create unique index "block_instance_unique" on "block" ("kind", "target") where collective_id is null;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" alter column "collective_id" drop not null;`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);

    this.addSql(`alter table "block" add constraint "block_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "block" add constraint "block_kind_check" check ("kind" in ('domain', 'actor'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "block" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" alter column "collective_id" set not null;`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay'));`);
  }

}
