import type { EntityManager } from "@mikro-orm/postgresql";

/** What a collective published, as its outbox lists it. */
export type PostKind = "event" | "slogan" | "presskit";
export interface PostKey {
  readonly kind: PostKind;
  readonly id: string;
}

// Public and not deleted, as each module defines it: events published and public, slogans published,
// press kits with their publication time set (an embargoed kit has none until the worker publishes it).
const posts = `
  select 'event' as kind, id, coalesce(published_at, created_at) as at from event
   where collective_id = ? and published and visibility = 'public' and deleted_at is null
  union all
  select 'slogan', id, coalesce(published_at, created_at) from slogan
   where collective_id = ? and published and deleted_at is null
  union all
  select 'presskit', id, published_at from press_kit
   where collective_id = ? and published_at is not null and deleted_at is null`;

/** One page of a collective's public posts of every kind, newest first (ties by kind and id), and their total. */
export async function collectivePostsPage(em: EntityManager, collectiveId: string, offset: number, limit: number): Promise<{ keys: PostKey[]; total: number }> {
  const ids = [collectiveId, collectiveId, collectiveId];
  const [rows, count] = await Promise.all([
    limit > 0
      ? em.execute<{ kind: PostKind; id: string }[]>(`select kind, id from (${posts}) p order by at desc, kind asc, id asc limit ? offset ?`, [...ids, limit, offset])
      : Promise.resolve([]),
    em.execute<{ n: string | number }[]>(`select count(*) as n from (${posts}) p`, ids),
  ]);
  return { keys: rows.map((r) => ({ kind: r.kind, id: r.id })), total: Number(count[0]?.n ?? 0) };
}
