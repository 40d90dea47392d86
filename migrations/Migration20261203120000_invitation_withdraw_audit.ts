import { Migration } from '@mikro-orm/migrations';

export class Migration20261203120000_invitation_withdraw_audit extends Migration {

  override name = 'Migration20261203120000_invitation_withdraw_audit';

  override up(): void | Promise<void> {
    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'event.coorganizer-invite', 'event.coorganize-accept', 'event.coorganize-decline', 'event.coorganize-withdraw', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'call.invite', 'call.sign', 'call.decline', 'call.revoke', 'call.invite-withdraw', 'call.join-policy', 'call.join-request', 'call.join-approve', 'call.join-refuse', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'actionkit.create', 'actionkit.adopt', 'actionkit.change', 'actionkit.publish', 'actionkit.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'event.coorganizer-invite', 'event.coorganize-accept', 'event.coorganize-decline', 'event.coorganize-withdraw', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'call.invite', 'call.sign', 'call.decline', 'call.revoke', 'call.join-policy', 'call.join-request', 'call.join-approve', 'call.join-refuse', 'slogan.create', 'slogan.adopt', 'slogan.change', 'slogan.delete', 'presskit.create', 'presskit.change', 'presskit.publish', 'presskit.delete', 'presskit.link-create', 'presskit.link-revoke', 'actionkit.create', 'actionkit.adopt', 'actionkit.change', 'actionkit.publish', 'actionkit.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

}
