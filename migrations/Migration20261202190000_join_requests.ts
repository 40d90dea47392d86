import { Migration } from '@mikro-orm/migrations';

export class Migration20261202190000_join_requests extends Migration {

  override name = 'Migration20261202190000_join_requests';

  override up(): void | Promise<void> {
    this.addSql(`create table "call_join_request" ("id" uuid not null, "call_id" uuid not null, "requester_ap_id" text not null, "requester_inbox" text not null, "requester_shared_inbox" text null, "requester_name" text null, "activity_id" text not null, "stamp_id" text not null, "version" int not null, "digests" jsonb not null, "stamp" jsonb not null, "state" text not null, "created_at" timestamptz not null, "decided_at" timestamptz null, "signature_id" uuid null, primary key ("id"));`);
    this.addSql(`alter table "call_join_request" add constraint "call_join_request_activity_id_unique" unique ("activity_id");`);
    this.addSql(`alter table "call_join_request" add constraint "call_join_request_stamp_id_unique" unique ("stamp_id");`);
    this.addSql(`create index "call_join_request_call_id_state_index" on "call_join_request" ("call_id", "state");`);
    this.addSql(`create index "call_join_request_requester_ap_id_index" on "call_join_request" ("requester_ap_id");`);

    this.addSql(`alter table "call" add "join_policy" text not null default 'manual';`);
    this.addSql(`alter table "call" add constraint "call_join_policy_check" check ("join_policy" in ('manual', 'automatic'));`);

    this.addSql(`alter table "call_signature" add "noted_at" timestamptz null;`);

    this.addSql(`alter table "cosign_stamp" add "refused_at" timestamptz null;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'call.invite', 'call.sign', 'call.decline', 'call.revoke', 'call.join-policy', 'call.join-request', 'call.join-approve', 'call.join-refuse', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'actionkit.create', 'actionkit.adopt', 'actionkit.change', 'actionkit.publish', 'actionkit.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);

    this.addSql(`alter table "call_join_request" add constraint "call_join_request_call_id_foreign" foreign key ("call_id") references "call" ("id") on delete cascade;`);
    this.addSql(`alter table "call_join_request" add constraint "call_join_request_signature_id_foreign" foreign key ("signature_id") references "call_signature" ("id") on delete set null;`);
    this.addSql(`alter table "call_join_request" add constraint "call_join_request_state_check" check ("state" in ('pending', 'approved', 'refused'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "call_join_request" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'call.invite', 'call.sign', 'call.decline', 'call.revoke', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'actionkit.create', 'actionkit.adopt', 'actionkit.change', 'actionkit.publish', 'actionkit.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);

    this.addSql(`alter table "call" drop constraint "call_join_policy_check";`);
    this.addSql(`alter table "call" drop column "join_policy";`);

    this.addSql(`alter table "call_signature" drop column "noted_at";`);

    this.addSql(`alter table "cosign_stamp" drop column "refused_at";`);
  }

}
