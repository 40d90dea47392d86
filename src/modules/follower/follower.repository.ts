import type { EntityManager } from "@mikro-orm/postgresql";
import { type FollowerState, FollowerSchema } from "./follower.entity.ts";

export interface FollowRow {
  readonly state: FollowerState;
  /** Whether this Follow created the row (false: a repeated Follow refreshed it). */
  readonly created: boolean;
}

/**
 * Stores a follow once per (collective, actor), or once per actor for the instance actor
 * (`collectiveId` null), whatever the number of concurrent or replayed Follows: a repeated Follow keeps
 * the state and only refreshes the Follow id.
 */
export async function upsertFollow(
  em: EntityManager,
  follow: { collectiveId: string | null; actorId: string; state: FollowerState; followActivityId: string },
): Promise<FollowRow> {
  const now = new Date();
  let row: { state: FollowerState; created_at?: Date; updated_at?: Date; createdAt?: Date; updatedAt?: Date };
  if (follow.collectiveId === null) {
    // The partial unique index on (actor) where collective_id is null: the query builder cannot name
    // its predicate in ON CONFLICT.
    const rows = await em.execute<{ state: FollowerState; created_at: Date; updated_at: Date }[]>(
      `insert into follower (id, collective_id, actor_id, state, follow_activity_id, created_at, updated_at)
       values (?, null, ?, ?, ?, ?, ?)
       on conflict (actor_id) where collective_id is null
       do update set follow_activity_id = excluded.follow_activity_id, updated_at = excluded.updated_at
       returning state, created_at, updated_at`,
      [crypto.randomUUID(), follow.actorId, follow.state, follow.followActivityId, now, now],
    );
    row = rows[0] as (typeof rows)[number];
  } else {
    row = (await em
      .createQueryBuilder(FollowerSchema)
      .insert({
        id: crypto.randomUUID(),
        collective: follow.collectiveId,
        actor: follow.actorId,
        state: follow.state,
        followActivityId: follow.followActivityId,
        createdAt: now,
        updatedAt: now,
      })
      .onConflict(["collective", "actor"])
      .merge(["followActivityId", "updatedAt"])
      .returning(["state", "createdAt", "updatedAt"])
      .execute("get")) as unknown as typeof row;
  }
  const createdAt = new Date(row.createdAt ?? row.created_at ?? 0).getTime();
  const updatedAt = new Date(row.updatedAt ?? row.updated_at ?? 0).getTime();
  return { state: row.state, created: createdAt === updatedAt };
}
