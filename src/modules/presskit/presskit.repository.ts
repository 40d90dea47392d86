import type { EntityManager } from "@mikro-orm/postgresql";
import { CallSchema } from "../call/call.entity.ts";
import { EventSchema } from "../event/event.entity.ts";
import { type PressKitFileRow, PressKitFileSchema, type PressKitLinkRow, PressKitLinkSchema, type PressKitRow, PressKitSchema } from "./presskit.entity.ts";

export async function findFiles(em: EntityManager, kitId: string): Promise<PressKitFileRow[]> {
  return em.find(PressKitFileSchema, { kit: kitId }, { orderBy: { position: "asc", createdAt: "asc" } });
}

export async function nextFilePosition(em: EntityManager, kitId: string): Promise<number> {
  const last = await em.findOne(PressKitFileSchema, { kit: kitId }, { orderBy: { position: "desc" } });
  return (last?.position ?? 0) + 1;
}

/** A collective's kits, newest first; unpublished ones only when `includePrivate`. */
export async function findKits(em: EntityManager, collectiveId: string, opts: { includePrivate: boolean; limit: number }): Promise<PressKitRow[]> {
  const where: Record<string, unknown> = { collective: collectiveId, deletedAt: null };
  if (!opts.includePrivate) where.publishedAt = { $ne: null };
  return em.find(PressKitSchema, where, { orderBy: { createdAt: "desc", id: "desc" }, limit: opts.limit, populate: ["collective"] });
}

/** The published kits about a call or an event (never one under embargo), newest first. */
export async function findPublishedKitsAbout(em: EntityManager, about: { callId: string } | { eventId: string }, limit: number): Promise<PressKitRow[]> {
  return em.find(
    PressKitSchema,
    { ...about, deletedAt: null, publishedAt: { $ne: null } },
    { orderBy: { publishedAt: "desc", id: "desc" }, limit, populate: ["collective"] },
  );
}

/** Kits whose embargo has passed and which are not published yet, oldest embargo first. */
export async function findDueKits(em: EntityManager, now: Date, limit: number): Promise<{ id: string }[]> {
  return em.find(PressKitSchema, { publishedAt: null, deletedAt: null, embargoAt: { $lte: now } }, { fields: ["id"], orderBy: { embargoAt: "asc" }, limit });
}

/**
 * Publishes one kit if it still waits: the guard (`published_at is null`, the embargo passed) is in the
 * statement, so of two workers racing, PostgreSQL lets exactly one update the row. True for that one.
 */
export async function markPublished(em: EntityManager, id: string, now: Date, opts: { beforeEmbargo: boolean }): Promise<boolean> {
  const where: Record<string, unknown> = { id, publishedAt: null, deletedAt: null };
  if (!opts.beforeEmbargo) where.embargoAt = { $lte: now };
  const res = await em.createQueryBuilder(PressKitSchema).update({ publishedAt: now, updatedAt: now }).where(where).execute();
  return (res.affectedRows ?? 0) === 1;
}

/** Whether a call or an event (by id) belongs to the collective (not deleted). */
export async function belongsTo(em: EntityManager, kind: "call" | "event", id: string, collectiveId: string): Promise<boolean> {
  const where = { id, collective: collectiveId, deletedAt: null };
  const row = kind === "call" ? await em.findOne(CallSchema, where, { fields: ["id"] }) : await em.findOne(EventSchema, where, { fields: ["id"] });
  return row !== null;
}

export async function findLinkByHash(em: EntityManager, tokenHash: string): Promise<PressKitLinkRow | null> {
  return em.findOne(PressKitLinkSchema, { tokenHash }, { populate: ["kit"] });
}

export async function findLinks(em: EntityManager, kitId: string): Promise<PressKitLinkRow[]> {
  return em.find(PressKitLinkSchema, { kit: kitId }, { orderBy: { createdAt: "desc" } });
}
