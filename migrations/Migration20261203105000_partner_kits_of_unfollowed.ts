import { Migration } from '@mikro-orm/migrations';

/** Partners' kits kept before their removal with the partnership: those of authors nobody here follows go. */
export class Migration20261203105000_partner_kits_of_unfollowed extends Migration {

  override name = 'Migration20261203105000_partner_kits_of_unfollowed';

  override up(): void | Promise<void> {
    this.addSql(`delete from "partner_action_kit" k where not exists (select 1 from "partner" p join "remote_actor" a on a."id" = p."actor_id" where a."ap_id" = k."author_ap_id" and p."state" <> 'rejected');`);
  }

  override down(): void | Promise<void> {
    // What was removed is not kept: the partners send their kits again when they change them.
  }

}
