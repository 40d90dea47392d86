import { Migration } from '@mikro-orm/migrations';

export class Migration20261202192000_coorganised_events extends Migration {

  override name = 'Migration20261202192000_coorganised_events';

  override up(): void | Promise<void> {
    this.addSql(`create table "coorganised_event" ("id" uuid not null, "collective_id" uuid not null, "event_ap_id" text not null, "host_ap_id" text not null, "host_inbox" text not null, "host_shared_inbox" text null, "host_name" text null, "coorganizers_url" text not null, "page_url" text null, "data" jsonb not null, "starts_at" timestamptz not null, "ends_at" timestamptz null, "sequence" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "coorganised_event_event_ap_id_index" on "coorganised_event" ("event_ap_id");`);
    this.addSql(`create index "coorganised_event_starts_at_index" on "coorganised_event" ("starts_at");`);
    this.addSql(`alter table "coorganised_event" add constraint "coorganised_event_collective_id_event_ap_id_unique" unique ("collective_id", "event_ap_id");`);

    this.addSql(`create table "coorganize_stamp" ("id" uuid not null, "collective_id" uuid not null, "coorganised_id" uuid not null, "request_id" text not null, "purpose" text not null, "digest" text not null, "state" text not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, "answered_at" timestamptz null, "signed_at" timestamptz null, "listed_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "coorganize_stamp_coorganised_id_index" on "coorganize_stamp" ("coorganised_id");`);
    this.addSql(`alter table "coorganize_stamp" add constraint "coorganize_stamp_collective_id_request_id_unique" unique ("collective_id", "request_id");`);

    this.addSql(`create table "event_coorganizer_invitation" ("id" uuid not null, "event_id" uuid not null, "partner_ap_id" text not null, "partner_inbox" text not null, "partner_shared_inbox" text null, "partner_name" text null, "digest" text not null, "purpose" text not null, "state" text not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, "answered_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "event_coorganizer_invitation_event_id_partner_ap_id_index" on "event_coorganizer_invitation" ("event_id", "partner_ap_id");`);

    this.addSql(`create table "event_coorganizer" ("id" uuid not null, "event_id" uuid not null, "invitation_id" uuid null, "partner_ap_id" text not null, "partner_inbox" text not null, "partner_shared_inbox" text null, "partner_name" text null, "stamp_id" text not null, "digest" text not null, "stamp" jsonb not null, "state" text not null, "created_at" timestamptz not null, "verified_at" timestamptz not null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "event_coorganizer" add constraint "event_coorganizer_stamp_id_unique" unique ("stamp_id");`);
    this.addSql(`create index "event_coorganizer_event_id_state_index" on "event_coorganizer" ("event_id", "state");`);
    this.addSql(`create index "event_coorganizer_partner_ap_id_index" on "event_coorganizer" ("partner_ap_id");`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'event.coorganizer-invite', 'event.coorganize-accept', 'event.coorganize-decline', 'event.coorganize-withdraw', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'call.invite', 'call.sign', 'call.decline', 'call.revoke', 'call.join-policy', 'call.join-request', 'call.join-approve', 'call.join-refuse', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'actionkit.create', 'actionkit.adopt', 'actionkit.change', 'actionkit.publish', 'actionkit.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);

    this.addSql(`alter table "coorganised_event" add constraint "coorganised_event_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);

    this.addSql(`alter table "coorganize_stamp" add constraint "coorganize_stamp_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "coorganize_stamp" add constraint "coorganize_stamp_coorganised_id_foreign" foreign key ("coorganised_id") references "coorganised_event" ("id") on delete cascade;`);
    this.addSql(`alter table "coorganize_stamp" add constraint "coorganize_stamp_purpose_check" check ("purpose" in ('invite', 'reconfirm'));`);
    this.addSql(`alter table "coorganize_stamp" add constraint "coorganize_stamp_state_check" check ("state" in ('pending', 'accepted', 'declined', 'superseded'));`);

    this.addSql(`alter table "event_coorganizer_invitation" add constraint "event_coorganizer_invitation_event_id_foreign" foreign key ("event_id") references "event" ("id") on delete cascade;`);
    this.addSql(`alter table "event_coorganizer_invitation" add constraint "event_coorganizer_invitation_purpose_check" check ("purpose" in ('invite', 'reconfirm'));`);
    this.addSql(`alter table "event_coorganizer_invitation" add constraint "event_coorganizer_invitation_state_check" check ("state" in ('invited', 'accepted', 'declined', 'expired', 'superseded'));`);

    this.addSql(`alter table "event_coorganizer" add constraint "event_coorganizer_event_id_foreign" foreign key ("event_id") references "event" ("id") on delete cascade;`);
    this.addSql(`alter table "event_coorganizer" add constraint "event_coorganizer_invitation_id_foreign" foreign key ("invitation_id") references "event_coorganizer_invitation" ("id") on delete set null;`);
    this.addSql(`alter table "event_coorganizer" add constraint "event_coorganizer_state_check" check ("state" in ('current', 'pending', 'superseded', 'revoked'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "coorganize_stamp" drop constraint "coorganize_stamp_coorganised_id_foreign";`);
    this.addSql(`alter table "event_coorganizer" drop constraint "event_coorganizer_invitation_id_foreign";`);

    this.addSql(`drop table if exists "coorganised_event" cascade;`);
    this.addSql(`drop table if exists "coorganize_stamp" cascade;`);
    this.addSql(`drop table if exists "event_coorganizer_invitation" cascade;`);
    this.addSql(`drop table if exists "event_coorganizer" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'call.invite', 'call.sign', 'call.decline', 'call.revoke', 'call.join-policy', 'call.join-request', 'call.join-approve', 'call.join-refuse', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'actionkit.create', 'actionkit.adopt', 'actionkit.change', 'actionkit.publish', 'actionkit.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

}
