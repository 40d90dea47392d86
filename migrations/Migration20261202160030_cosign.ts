import { Migration } from '@mikro-orm/migrations';

export class Migration20261202160030_cosign extends Migration {

  override name = 'Migration20261202160030_cosign';

  override up(): void | Promise<void> {
    this.addSql(`create table "call_invitation" ("id" uuid not null, "call_id" uuid not null, "partner_ap_id" text not null, "partner_inbox" text not null, "partner_shared_inbox" text null, "partner_name" text null, "version" int not null, "purpose" text not null, "state" text not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, "answered_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "call_invitation_call_id_partner_ap_id_index" on "call_invitation" ("call_id", "partner_ap_id");`);

    this.addSql(`create table "call_signature" ("id" uuid not null, "call_id" uuid not null, "invitation_id" uuid null, "signer_ap_id" text not null, "signer_inbox" text not null, "signer_shared_inbox" text null, "signer_name" text null, "stamp_id" text not null, "version" int not null, "digests" jsonb not null, "stamp" jsonb not null, "state" text not null, "created_at" timestamptz not null, "verified_at" timestamptz not null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "call_signature" add constraint "call_signature_stamp_id_unique" unique ("stamp_id");`);
    this.addSql(`create index "call_signature_call_id_state_index" on "call_signature" ("call_id", "state");`);
    this.addSql(`create index "call_signature_signer_ap_id_index" on "call_signature" ("signer_ap_id");`);

    this.addSql(`create table "received_invitation" ("id" uuid not null, "collective_id" uuid not null, "request_id" text not null, "call_ap_id" text not null, "initiator_ap_id" text not null, "initiator_inbox" text not null, "initiator_shared_inbox" text null, "initiator_name" text null, "signatories_url" text not null, "version" int not null, "version_document" jsonb not null, "signable" jsonb not null, "digests" jsonb not null, "authoritative_languages" jsonb not null, "state" text not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, "answered_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "received_invitation_collective_id_created_at_index" on "received_invitation" ("collective_id", "created_at");`);
    this.addSql(`create index "received_invitation_call_ap_id_index" on "received_invitation" ("call_ap_id");`);
    this.addSql(`alter table "received_invitation" add constraint "received_invitation_collective_id_request_id_unique" unique ("collective_id", "request_id");`);

    this.addSql(`create table "cosign_stamp" ("id" uuid not null, "collective_id" uuid not null, "invitation_id" uuid null, "call_ap_id" text not null, "initiator_ap_id" text not null, "initiator_inbox" text not null, "initiator_shared_inbox" text null, "signatories_url" text not null, "version" int not null, "digests" jsonb not null, "version_document" jsonb not null, "signed_at" timestamptz not null, "public_at" timestamptz null, "listed_at" timestamptz null, "announced_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "cosign_stamp_collective_id_call_ap_id_index" on "cosign_stamp" ("collective_id", "call_ap_id");`);
    this.addSql(`create index "cosign_stamp_call_ap_id_index" on "cosign_stamp" ("call_ap_id");`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'call.invite', 'call.sign', 'call.decline', 'call.revoke', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);

    this.addSql(`alter table "call_invitation" add constraint "call_invitation_call_id_foreign" foreign key ("call_id") references "call" ("id") on delete cascade;`);
    this.addSql(`alter table "call_invitation" add constraint "call_invitation_purpose_check" check ("purpose" in ('sign', 'reconfirm'));`);
    this.addSql(`alter table "call_invitation" add constraint "call_invitation_state_check" check ("state" in ('invited', 'signed', 'declined', 'expired', 'withdrawn', 'superseded'));`);

    this.addSql(`alter table "call_signature" add constraint "call_signature_call_id_foreign" foreign key ("call_id") references "call" ("id") on delete cascade;`);
    this.addSql(`alter table "call_signature" add constraint "call_signature_invitation_id_foreign" foreign key ("invitation_id") references "call_invitation" ("id") on delete set null;`);
    this.addSql(`alter table "call_signature" add constraint "call_signature_state_check" check ("state" in ('current', 'pending', 'revoked', 'removed'));`);

    this.addSql(`alter table "received_invitation" add constraint "received_invitation_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "received_invitation" add constraint "received_invitation_state_check" check ("state" in ('pending', 'signed', 'declined', 'expired', 'withdrawn', 'superseded'));`);

    this.addSql(`alter table "cosign_stamp" add constraint "cosign_stamp_collective_id_foreign" foreign key ("collective_id") references "collective" ("id") on delete cascade;`);
    this.addSql(`alter table "cosign_stamp" add constraint "cosign_stamp_invitation_id_foreign" foreign key ("invitation_id") references "received_invitation" ("id") on delete set null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "call_signature" drop constraint "call_signature_invitation_id_foreign";`);
    this.addSql(`alter table "cosign_stamp" drop constraint "cosign_stamp_invitation_id_foreign";`);

    this.addSql(`drop table if exists "call_invitation" cascade;`);
    this.addSql(`drop table if exists "call_signature" cascade;`);
    this.addSql(`drop table if exists "received_invitation" cascade;`);
    this.addSql(`drop table if exists "cosign_stamp" cascade;`);

    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

}
