import type { EntityManager } from "@mikro-orm/postgresql";
import type { textToColumns } from "./actionkit.record.ts";
import { PartnerSchema } from "../partner/partner.entity.ts";
import { type ActionKitRow, ActionKitSchema, type ActionKitVersionRow, ActionKitVersionSchema } from "./actionkit.entity.ts";

type After = readonly [number, string] | undefined;

function keyset(where: Record<string, unknown>, field: "createdAt" | "publishedAt", after: After): Record<string, unknown> {
  if (!after) return where;
  const at = new Date(after[0]);
  return { ...where, $or: [{ [field]: { $lt: at } }, { [field]: at, id: { $lt: after[1] } }] };
}

/** A collective's kits, newest first (ties by id, descending), after `after` (created_at in ms, id); drafts only when asked. */
export async function findKits(em: EntityManager, collectiveId: string, opts: { includeDrafts: boolean; limit: number; after?: After }): Promise<ActionKitRow[]> {
  const where: Record<string, unknown> = { collective: collectiveId, deletedAt: null };
  if (!opts.includeDrafts) where.published = true;
  return em.find(ActionKitSchema, keyset(where, "createdAt", opts.after), { orderBy: { createdAt: "desc", id: "desc" }, limit: opts.limit, populate: ["collective"] });
}

/** The published kits of one country, of every collective here, newest publication first. */
export async function findKitsOfCountry(em: EntityManager, country: string, opts: { limit: number; after?: After }): Promise<ActionKitRow[]> {
  const where = { country, published: true, deletedAt: null };
  return em.find(ActionKitSchema, keyset(where, "publishedAt", opts.after), { orderBy: { publishedAt: "desc", id: "desc" }, limit: opts.limit, populate: ["collective"] });
}

export async function findKitVersions(em: EntityManager, kitId: string): Promise<ActionKitVersionRow[]> {
  return em.find(ActionKitVersionSchema, { kit: kitId }, { orderBy: { version: "asc" } });
}

export async function findKitVersion(em: EntityManager, kitId: string, version: number): Promise<ActionKitVersionRow | null> {
  return em.findOne(ActionKitVersionSchema, { kit: kitId, version });
}

/** Writes the version `version` of a kit once (versions never change). */
export async function insertKitVersion(em: EntityManager, kitId: string, version: number, columns: ReturnType<typeof textToColumns>): Promise<void> {
  await em
    .createQueryBuilder(ActionKitVersionSchema)
    .insert({ kit: kitId, version, ...columns, createdAt: new Date() })
    .onConflict(["kit", "version"])
    .ignore()
    .execute();
}

/** Whether the collective follows (or asked to follow) this actor as a partner. */
export async function isPartner(em: EntityManager, collectiveId: string, actorApId: string): Promise<boolean> {
  return (await em.count(PartnerSchema, { collective: collectiveId, actor: { apId: actorApId }, state: { $ne: "rejected" } })) > 0;
}

export async function findAdoption(em: EntityManager, collectiveId: string, originApId: string): Promise<ActionKitRow | null> {
  return em.findOne(ActionKitSchema, { collective: collectiveId, originApId, deletedAt: null });
}

/** One more letter counted for a kit in a language: one statement, concurrent counts add up. */
export async function addKitCount(em: EntityManager, kitId: string, language: string): Promise<void> {
  await em.getConnection().execute(
    `insert into "action_kit_count" ("kit_id", "language", "count") values (?, ?, 1)
     on conflict ("kit_id", "language") do update set "count" = "action_kit_count"."count" + 1`,
    [kitId, language],
  );
}
