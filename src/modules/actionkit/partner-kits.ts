import type { EntityManager } from "@mikro-orm/postgresql";
import type { LanguageMap } from "../../shared/language.ts";
import { PartnerSchema } from "../partner/partner.entity.ts";
import { type PartnerActionKitRow, PartnerActionKitSchema } from "./partner-kit.entity.ts";

/** The public fields of a partner's published kit, as read from its Article (and its text.json). */
export interface ReceivedPartnerKit {
  apId: string;
  url: string;
  title: LanguageMap;
  country?: string | null;
  institution?: LanguageMap | null;
  authorApId: string;
  authorName?: string | null;
  publishedAt: Temporal.Instant;
  remoteUpdatedAt?: Temporal.Instant | null;
}

const toDate = (i: Temporal.Instant) => new Date(i.epochMilliseconds);

/**
 * Stores or changes a partner's kit. Only the kit's own origin may (the caller checks that the sender is
 * the author and is followed); an older Update than the one kept is ignored. Returns what was done.
 */
export async function receivePartnerKit(em: EntityManager, kit: ReceivedPartnerKit): Promise<"stored" | "updated" | "stale"> {
  const existing = await em.findOne(PartnerActionKitSchema, { apId: kit.apId });
  const fields = {
    url: kit.url,
    title: kit.title,
    country: kit.country ?? null,
    institution: kit.institution ?? null,
    authorApId: kit.authorApId,
    authorName: kit.authorName ?? null,
    publishedAt: toDate(kit.publishedAt),
    remoteUpdatedAt: kit.remoteUpdatedAt ? toDate(kit.remoteUpdatedAt) : null,
  };
  if (existing) {
    if (existing.authorApId !== kit.authorApId) return "stale";
    if (existing.remoteUpdatedAt && fields.remoteUpdatedAt && existing.remoteUpdatedAt > fields.remoteUpdatedAt) return "stale";
    em.assign(existing, fields);
    await em.flush();
    return "updated";
  }
  em.create(PartnerActionKitSchema, { apId: kit.apId, ...fields });
  await em.flush();
  return "stored";
}

/** Removes a partner's kit deleted by its author; false when none of that author has this id. */
export async function deletePartnerKit(em: EntityManager, authorApId: string, apId: string): Promise<boolean> {
  return (await em.nativeDelete(PartnerActionKitSchema, { apId, authorApId })) > 0;
}

/** The condition on a `partner_action_kit k` row that some collective here still follows its author (pending or accepted). */
const authorStillFollowed = `exists (select 1 from "partner" p join "remote_actor" a on a."id" = p."actor_id"
  where a."ap_id" = k."author_ap_id" and p."state" <> 'rejected')`;

/**
 * Removes the kits whose author no collective here follows any more (an unfollow, a Reject, a block, a
 * Delete of the actor, its document gone): called in the transaction that removed or rejected the
 * partner rows, as their events go with them. Returns how many went.
 */
export async function deleteUnfollowedPartnerKits(em: EntityManager): Promise<number> {
  const rows = await em.execute<{ id: string }[]>(`delete from "partner_action_kit" k where not ${authorStillFollowed} returning k."id"`);
  return rows.length;
}

/** A position in a list of partners' kits: the last one's publication (ms) and id. */
export type PartnerKitAfter = readonly [number, string] | undefined;

/** Only the kits after `after` in the order publication descending, id descending. */
function keyset(where: Record<string, unknown>, after: PartnerKitAfter): Record<string, unknown> {
  if (!after) return where;
  const at = new Date(after[0]);
  return { ...where, $or: [{ publishedAt: { $lt: at } }, { publishedAt: at, id: { $lt: after[1] } }] };
}
const newestFirst = { publishedAt: "desc", id: "desc" } as const;

/** The kits of the given partners (actor ids), newest publication first, after `after`. */
export async function partnerKitsBy(em: EntityManager, authorApIds: readonly string[], limit = 50, after?: PartnerKitAfter): Promise<PartnerActionKitRow[]> {
  if (authorApIds.length === 0) return [];
  return em.find(PartnerActionKitSchema, keyset({ authorApId: { $in: [...authorApIds] } }, after), { orderBy: newestFirst, limit });
}

/** Partners' kits of one country, newest publication first, after `after`. */
export async function partnerKitsOfCountry(em: EntityManager, country: string, limit = 50, after?: PartnerKitAfter): Promise<PartnerActionKitRow[]> {
  // Only authors some collective here still follows (a kit kept from an unfollowed partner is not shown).
  const followed = await em.find(PartnerSchema, { state: "accepted" }, { populate: ["actor"], fields: ["actor.apId"] });
  const authors = [...new Set(followed.map((p) => p.actor.apId))];
  if (authors.length === 0) return [];
  return em.find(PartnerActionKitSchema, keyset({ country, authorApId: { $in: authors } }, after), { orderBy: newestFirst, limit });
}

/** A partner's kit as listed on our public pages: a link to its origin page, marked with its author. */
export interface PartnerKitListed {
  url: string;
  title: LanguageMap;
  country: string | null;
  authorApId: string;
  authorName: string | null;
}

export const toPartnerKitListed = (r: PartnerActionKitRow): PartnerKitListed => ({ url: r.url, title: r.title, country: r.country ?? null, authorApId: r.authorApId, authorName: r.authorName ?? null });

/** The kits of the partners a collective follows (accepted follows), newest publication first. */
export async function partnerKitsOfCollective(em: EntityManager, slug: string, limit = 50, after?: PartnerKitAfter): Promise<PartnerActionKitRow[]> {
  const partners = await em.find(PartnerSchema, { collective: { slug }, state: "accepted" }, { populate: ["actor"] });
  return partnerKitsBy(
    em,
    partners.map((p) => p.actor.apId),
    limit,
    after,
  );
}
