import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import type { LanguageMap } from "../../shared/language.ts";
import { createdAt, timestamptz, updatedAt } from "../../shared/entity-properties.ts";

/** A collective: published as an ActivityPub `Group` actor at /@{slug}. */
export const CollectiveSchema = defineEntity({
  name: "Collective",
  tableName: "collective",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    slug: p.string().unique(),
    name: p.json<LanguageMap>(),
    summary: p.json<LanguageMap>().nullable(),
    primaryLanguage: p.string(),
    manuallyApprovesFollowers: p.boolean().default(false),
    iconUrl: p.text().nullable(),
    /** Bumped in the same transaction as any change to the collective's events: feed caches key on it. */
    eventsVersion: p.integer().default(0),
    eventsChangedAt: timestamptz().defaultRaw("now()").onCreate(() => new Date()),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type Collective = InferEntity<typeof CollectiveSchema>;

/**
 * Signing keys of a local actor (a collective, or the instance actor when `collective` is null):
 * RSA-2048 for draft-cavage signatures (what Mastodon verifies) and Ed25519 for object integrity proofs.
 */
export const ActorKeySchema = defineEntity({
  name: "ActorKey",
  tableName: "actor_key",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    /** "collective:<uuid>" or "instance". */
    owner: p.string().index(),
    algorithm: p.enum(["RSASSA-PKCS1-v1_5", "Ed25519"] as const),
    publicJwk: p.json<JsonWebKey>(),
    privateJwk: p.json<JsonWebKey>().lazy(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ["owner", "algorithm"] }],
});
export type ActorKey = InferEntity<typeof ActorKeySchema>;

/**
 * A key an actor no longer uses (`relais keys rotate`): its public half only, kept for the record
 * (which key signed a copy of a document made before the rotation), never published nor used to
 * verify anything (ADR 0030). The private half is deleted with the rotation.
 */
export const RetiredActorKeySchema = defineEntity({
  name: "RetiredActorKey",
  tableName: "retired_actor_key",
  properties: {
    id: p.uuid().primary(),
    owner: p.string().index(),
    algorithm: p.enum(["RSASSA-PKCS1-v1_5", "Ed25519"] as const),
    publicJwk: p.json<JsonWebKey>(),
    /** When the key was made, and when it was replaced. */
    createdAt: timestamptz(),
    retiredAt: timestamptz(),
  },
});
export type RetiredActorKey = InferEntity<typeof RetiredActorKeySchema>;
