import type { EntityManager } from "@mikro-orm/postgresql";
import { type RemoteActor, RemoteActorSchema } from "../remote-actor/remote-actor.entity.ts";
import { findRemoteActor } from "../remote-actor/remote-actor.repository.ts";
import { type Follower, type FollowerState, FollowerSchema } from "./follower.entity.ts";

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

export type FollowWithActor = Follower & { actor: RemoteActor };

/** The follow of `actorApId` for a collective (or, null, the instance actor); null when none. */
export async function findFollow(em: EntityManager, collectiveId: string | null, actorApId: string): Promise<Follower | null> {
  const actor = await findRemoteActor(em, actorApId);
  return actor && em.findOne(FollowerSchema, { collective: collectiveId, actor: actor.id });
}

/** Deletes the follow of `actorApId` for a collective (or the instance actor); whether there was one. */
export async function deleteFollow(em: EntityManager, collectiveId: string | null, actorApId: string): Promise<boolean> {
  const actor = await findRemoteActor(em, actorApId);
  if (!actor) return false;
  return (await em.nativeDelete(FollowerSchema, { collective: collectiveId, actor: actor.id })) > 0;
}

/**
 * Deletes the follow `actorApId` made with the Follow `followActivityId`; returns what it followed (a
 * collective's slug, or null for the instance actor), or undefined when there was no such follow.
 */
export async function deleteFollowByActivityId(em: EntityManager, actorApId: string, followActivityId: string): Promise<{ slug: string | null } | undefined> {
  const follow = await em.findOne(FollowerSchema, { followActivityId, actor: { apId: actorApId } }, { populate: ["collective"] });
  if (!follow) return undefined;
  await em.nativeDelete(FollowerSchema, { id: follow.id });
  return { slug: follow.collective?.slug ?? null };
}

/** Deletes an actor and every follow it had; returns how many follows. */
export async function deleteActorAndFollows(em: EntityManager, actorApId: string): Promise<number> {
  const actor = await findRemoteActor(em, actorApId);
  if (!actor) return 0;
  const n = await em.nativeDelete(FollowerSchema, { actor: actor.id });
  await em.nativeDelete(RemoteActorSchema, { id: actor.id });
  return n;
}

/** Deletes the follows of those of `actorApIds` whose inbox or shared inbox is `inboxUrl`; returns how many. */
export async function deleteFollowsByInbox(em: EntityManager, inboxUrl: string, actorApIds: readonly string[]): Promise<number> {
  const actors = await em.find(RemoteActorSchema, { apId: { $in: [...actorApIds] }, $or: [{ inboxUrl }, { sharedInboxUrl: inboxUrl }] });
  if (actors.length === 0) return 0;
  return em.nativeDelete(FollowerSchema, { actor: { $in: actors.map((a) => a.id) } });
}

/** Ids of the cached actors of followers and of partners fetched before `before`, oldest first. */
export async function staleFollowerActors(em: EntityManager, before: Date, limit: number): Promise<string[]> {
  const rows = await em
    .getConnection()
    .execute<{ ap_id: string }[]>(
      `select a.ap_id from remote_actor a
       where a.fetched_at < ?
         and (exists (select 1 from follower f where f.actor_id = a.id) or exists (select 1 from partner p where p.actor_id = a.id))
       order by a.fetched_at limit ?`,
      [before, limit],
    );
  return rows.map((r) => r.ap_id);
}

/** The follows of a collective (or the instance actor), oldest first, with their actors. */
export async function followsOf(em: EntityManager, collectiveId: string | null, state?: FollowerState): Promise<FollowWithActor[]> {
  return (await em.find(
    FollowerSchema,
    { collective: collectiveId, ...(state ? { state } : {}) },
    { populate: ["actor"], orderBy: { createdAt: "asc" } },
  )) as FollowWithActor[];
}

/**
 * The actors (id, inbox, shared inbox) that follow a collective (or the instance actor) in `state`, oldest
 * follow first: a fan-out reads thousands, so as plain rows, without building entities.
 */
export async function followerAddresses(
  em: EntityManager,
  collectiveId: string | null,
  state: FollowerState,
): Promise<{ apId: string; inboxUrl: string; sharedInboxUrl: string | null }[]> {
  const rows = await em.getConnection().execute<{ ap_id: string; inbox_url: string; shared_inbox_url: string | null }[]>(
    `select a.ap_id, a.inbox_url, a.shared_inbox_url from follower f join remote_actor a on a.id = f.actor_id
     where ${collectiveId === null ? "f.collective_id is null" : "f.collective_id = ?"} and f.state = ?
     order by f.created_at, f.id`,
    collectiveId === null ? [state] : [collectiveId, state],
  );
  return rows.map((r) => ({ apId: r.ap_id, inboxUrl: r.inbox_url, sharedInboxUrl: r.shared_inbox_url }));
}

export async function countAcceptedFollows(em: EntityManager, collectiveId: string | null): Promise<number> {
  return em.count(FollowerSchema, { collective: collectiveId, state: "accepted" });
}
