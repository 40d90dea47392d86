import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * Removes the partner calls whose collective no collective here follows any more (an unfollow, a
 * Reject, a block, a Delete of the actor, its document gone), as partner kits go (ADR 0029): called in
 * the transaction that removed or rejected the partner rows. Returns how many went.
 */
export async function deleteUnfollowedPartnerCalls(em: EntityManager): Promise<number> {
  const rows = await em.execute<{ id: string }[]>(
    `delete from "partner_call" c where not exists (select 1 from "partner" p join "remote_actor" a on a."id" = p."actor_id"
      where a."ap_id" = c."author_ap_id" and p."state" <> 'rejected') returning c."id"`,
  );
  return rows.length;
}
