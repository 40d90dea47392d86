import { Migration } from '@mikro-orm/migrations';

export class Migration20261202123056_audit_second_factor_reset extends Migration {

  override name = 'Migration20261202123056_audit_second_factor_reset';

  override up(): void | Promise<void> {
    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'member.second-factor-reset', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "audit_entry" drop constraint "audit_entry_action_check";`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_action_check" check ("action" in ('event.create', 'event.publish', 'event.change', 'event.cancel', 'event.delete', 'call.create', 'call.change', 'call.consult', 'call.open', 'call.close', 'call.withdraw', 'call.delete', 'member.invite', 'member.join', 'member.role', 'member.remove', 'member.reset-link', 'follower.approve', 'follower.reject', 'collective.settings', 'partner.follow', 'partner.unfollow', 'partner.relay', 'block.add', 'block.remove'));`);
  }

}
