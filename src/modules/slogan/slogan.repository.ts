import type { EntityManager } from "@mikro-orm/postgresql";
import { CallSchema } from "../call/call.entity.ts";
import { EventSchema } from "../event/event.entity.ts";
import { PartnerSchema } from "../partner/partner.entity.ts";
import { type SloganRow, SloganSchema } from "./slogan.entity.ts";

/**
 * A collective's slogans, newest first (ties by id, descending), after the position `after` (created_at
 * in ms, id) when given; drafts only when `includeDrafts`.
 */
export async function findSlogans(
  em: EntityManager,
  collectiveId: string,
  opts: { includeDrafts: boolean; limit: number; after?: readonly [number, string] | undefined },
): Promise<SloganRow[]> {
  const where: Record<string, unknown> = { collective: collectiveId, deletedAt: null };
  if (!opts.includeDrafts) where.published = true;
  if (opts.after) {
    const at = new Date(opts.after[0]);
    where.$or = [{ createdAt: { $lt: at } }, { createdAt: at, id: { $lt: opts.after[1] } }];
  }
  return em.find(SloganSchema, where, { orderBy: { createdAt: "desc", id: "desc" }, limit: opts.limit, populate: ["collective"] });
}

/** The published slogans attached to a call, oldest first. */
export async function findSlogansOfCall(em: EntityManager, callId: string, limit: number): Promise<SloganRow[]> {
  return em.find(SloganSchema, { call: callId, published: true, deletedAt: null }, { orderBy: { createdAt: "asc", id: "asc" }, limit, populate: ["collective"] });
}

/** The published slogans attached to an event, oldest first. */
export async function findSlogansOfEvent(em: EntityManager, eventId: string, limit: number): Promise<SloganRow[]> {
  return em.find(SloganSchema, { event: eventId, published: true, deletedAt: null }, { orderBy: { createdAt: "asc", id: "asc" }, limit, populate: ["collective"] });
}

/** The collective's call of that id, when not deleted (a draft too: the slogan shows it once it is public). */
export async function findOwnCall(em: EntityManager, collectiveId: string, callId: string) {
  return em.findOne(CallSchema, { id: callId, collective: collectiveId, deletedAt: null });
}

/** The collective's event of that id, when not deleted. */
export async function findOwnEvent(em: EntityManager, collectiveId: string, eventId: string) {
  return em.findOne(EventSchema, { id: eventId, collective: collectiveId, deletedAt: null });
}

/** Whether the collective follows (or asked to follow) this actor as a partner. */
export async function isPartner(em: EntityManager, collectiveId: string, actorApId: string): Promise<boolean> {
  const found = await em.count(PartnerSchema, { collective: collectiveId, actor: { apId: actorApId }, state: { $ne: "rejected" } });
  return found > 0;
}

export async function findAdoption(em: EntityManager, collectiveId: string, originApId: string): Promise<SloganRow | null> {
  return em.findOne(SloganSchema, { collective: collectiveId, originApId, deletedAt: null });
}
