import type { EntityManager } from "@mikro-orm/postgresql";
import type { BlockRule } from "./block-rules.ts";
import type { BlockTarget } from "./block-target.ts";
import { type BlockKind, BlockSchema } from "./block.entity.ts";

/** A block row with its collective's slug (null: instance-wide). */
export interface BlockRow {
  readonly id: string;
  readonly collectiveId: string | null;
  readonly slug: string | null;
  readonly kind: BlockKind;
  readonly target: string;
  readonly reason: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/**
 * SQL that matches remote actors (`alias` is a `remote_actor` row) against a target: by domain, the
 * actor's host or any host under it; by actor, its id. Returns the condition and its parameters.
 */
export function actorMatch(alias: string, target: BlockTarget): { sql: string; params: unknown[] } {
  if (target.kind === "actor") return { sql: `${alias}.ap_id = ?`, params: [target.actor.href] };
  const suffix = `.${target.domain}`;
  return { sql: `(${alias}.domain = ? or right(${alias}.domain, ?) = ?)`, params: [target.domain, suffix.length, suffix] };
}

/** Every block of the instance, as rules. */
export async function loadBlockRules(em: EntityManager): Promise<BlockRule[]> {
  const rows = await em.execute<{ collective_id: string | null; slug: string | null; kind: BlockKind; target: string }[]>(
    "select b.collective_id, c.slug, b.kind, b.target from block b left join collective c on c.id = b.collective_id",
  );
  return rows.map((r) => ({ collectiveId: r.collective_id, slug: r.slug, kind: r.kind, target: r.target }));
}

/** A block as the queries below select it (with its collective's slug). */
type BlockSqlRow = { id: string; collective_id: string | null; slug: string | null; kind: BlockKind; target: string; reason: string | null; created_by: string; created_at: Date };

function toBlockRow(r: BlockSqlRow): BlockRow {
  return {
    id: r.id,
    collectiveId: r.collective_id,
    slug: r.slug,
    kind: r.kind,
    target: r.target,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
  };
}

export async function listBlocks(em: EntityManager, collectiveId: string | null | "all"): Promise<BlockRow[]> {
  const where = collectiveId === "all" ? "" : collectiveId === null ? "where b.collective_id is null" : "where b.collective_id = ?";
  const rows = await em.execute<BlockSqlRow[]>(
    `select b.id, b.collective_id, c.slug, b.kind, b.target, b.reason, b.created_by, b.created_at
     from block b left join collective c on c.id = b.collective_id ${where}
     order by c.slug nulls first, b.kind, b.target`,
    collectiveId === "all" || collectiveId === null ? [] : [collectiveId],
  );
  return rows.map(toBlockRow);
}

/** One page of a scope's blocks, by target then id (keyset: after `after`), `limit + 1` rows to tell whether more follow. */
export async function blockRowsAfter(em: EntityManager, collectiveId: string | null, after: readonly [string, string] | undefined, limit: number): Promise<BlockRow[]> {
  const scope = collectiveId === null ? "b.collective_id is null" : "b.collective_id = ?";
  const rows = await em.execute<BlockSqlRow[]>(
    `select b.id, b.collective_id, c.slug, b.kind, b.target, b.reason, b.created_by, b.created_at
     from block b left join collective c on c.id = b.collective_id
     where ${scope} ${after ? "and (b.target, b.id) > (?, ?::uuid)" : ""}
     order by b.target, b.id limit ?`,
    [...(collectiveId === null ? [] : [collectiveId]), ...(after ? [after[0], after[1]] : []), limit + 1],
  );
  return rows.map(toBlockRow);
}

/** Stores a block once; returns the row and whether this call created it. */
export async function insertBlock(
  em: EntityManager,
  block: { collectiveId: string | null; kind: BlockKind; target: string; reason: string | null; createdBy: string },
): Promise<{ id: string; created: boolean }> {
  const conflict = block.collectiveId === null ? "(kind, target) where collective_id is null" : "(collective_id, kind, target)";
  const inserted = await em.execute<{ id: string }[]>(
    `insert into block (id, collective_id, kind, target, reason, created_by, created_at)
     values (?, ?, ?, ?, ?, ?, ?) on conflict ${conflict} do nothing returning id`,
    [crypto.randomUUID(), block.collectiveId, block.kind, block.target, block.reason, block.createdBy, new Date()],
  );
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const existing = await em.findOneOrFail(BlockSchema, { collective: block.collectiveId, kind: block.kind, target: block.target });
  return { id: existing.id, created: false };
}

/** Deletes the block of this scope with this target; returns its id, or null when there was none. */
export async function deleteBlock(em: EntityManager, collectiveId: string | null, kind: BlockKind, target: string): Promise<string | null> {
  const rows = await em.execute<{ id: string }[]>(
    `delete from block where ${collectiveId === null ? "collective_id is null" : "collective_id = ?"} and kind = ? and target = ? returning id`,
    [...(collectiveId === null ? [] : [collectiveId]), kind, target],
  );
  return rows[0]?.id ?? null;
}

/** Deletes a scope's block by its id; returns its target, or null when there was none. */
export async function deleteBlockById(em: EntityManager, collectiveId: string | null, id: string): Promise<string | null> {
  const rows = await em.execute<{ target: string }[]>(
    `delete from block where ${collectiveId === null ? "collective_id is null" : "collective_id = ?"} and id = ? returning target`,
    [...(collectiveId === null ? [] : [collectiveId]), id],
  );
  return rows[0]?.target ?? null;
}

/**
 * Whether an actor is blocked for a collective (or, with `collectiveId` null, instance-wide), read from
 * the database now: for decisions that store something, which must not trust a cache a little old.
 */
export async function isActorBlocked(em: EntityManager, actor: URL, collectiveId: string | null, extraDomains: readonly string[] = []): Promise<boolean> {
  const host = actor.hostname.toLowerCase().replace(/\.$/, "");
  if (extraDomains.some((d) => host === d || host.endsWith(`.${d}`))) return true;
  const id = new URL(actor.href);
  id.hash = "";
  const rows = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from block
     where (collective_id is null ${collectiveId === null ? "" : "or collective_id = ?"})
       and ((kind = 'actor' and target = ?) or (kind = 'domain' and (target = ? or right(?, length(target) + 1) = '.' || target)))`,
    [...(collectiveId === null ? [] : [collectiveId]), id.href, host, host],
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

/** A follow of ours (a collective's, or the instance actor's with `slug` null) by a blocked actor. */
export interface BlockedFollow {
  readonly id: string;
  readonly followActivityId: string;
  readonly actorApId: string;
  readonly collectiveId: string | null;
  readonly slug: string | null;
}

/** The follows of ours that `target` matches: of one collective, or (null) of every collective and the instance actor. */
export async function followsOfBlocked(em: EntityManager, target: BlockTarget, collectiveId: string | null): Promise<BlockedFollow[]> {
  const match = actorMatch("a", target);
  const rows = await em.execute<{ id: string; follow_activity_id: string; ap_id: string; collective_id: string | null; slug: string | null }[]>(
    `select f.id, f.follow_activity_id, a.ap_id, f.collective_id, c.slug
     from follower f join remote_actor a on a.id = f.actor_id left join collective c on c.id = f.collective_id
     where ${match.sql} ${collectiveId === null ? "" : "and f.collective_id = ?"}`,
    [...match.params, ...(collectiveId === null ? [] : [collectiveId])],
  );
  return rows.map((r) => ({ id: r.id, followActivityId: r.follow_activity_id, actorApId: r.ap_id, collectiveId: r.collective_id, slug: r.slug }));
}

export async function deleteFollows(em: EntityManager, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await em.execute(`delete from follower where id in (${ids.map(() => "?").join(", ")})`, [...ids], "run");
}
