import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * Inboxes of those who cached a local actor's keys: its accepted followers and, for a collective, the
 * partners it follows or asked to follow (they checked its signatures). One row per actor.
 */
export async function keyUpdateAddresses(
  em: EntityManager,
  collectiveId: string | null,
): Promise<{ apId: string; inboxUrl: string; sharedInboxUrl: string | null }[]> {
  const rows = await em.getConnection().execute<{ ap_id: string; inbox_url: string; shared_inbox_url: string | null }[]>(
    collectiveId === null
      ? `select a.ap_id, a.inbox_url, a.shared_inbox_url from remote_actor a
         where a.id in (select actor_id from follower where collective_id is null and state = 'accepted')
         order by a.ap_id`
      : `select a.ap_id, a.inbox_url, a.shared_inbox_url from remote_actor a
         where a.id in (select actor_id from follower where collective_id = ? and state = 'accepted'
                        union select actor_id from partner where collective_id = ? and state in ('accepted', 'pending'))
         order by a.ap_id`,
    collectiveId === null ? [] : [collectiveId, collectiveId],
  );
  return rows.map((r) => ({ apId: r.ap_id, inboxUrl: r.inbox_url, sharedInboxUrl: r.shared_inbox_url }));
}
