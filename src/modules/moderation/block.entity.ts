import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt } from "../../shared/entity-properties.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";

export const blockKinds = ["domain", "actor"] as const;
export type BlockKind = (typeof blockKinds)[number];

/**
 * A server (`domain`: the domain and its subdomains) or an actor (`actor`: its ActivityPub id) that a
 * collective (`collective`) or the whole instance (`collective` null, the operator's) will not deal
 * with. One row per (scope, kind, target).
 */
export const BlockSchema = defineEntity({
  name: "Block",
  tableName: "block",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade").nullable(),
    kind: p.enum(blockKinds as unknown as BlockKind[]),
    /** The domain in ASCII (IDNs as punycode), lower case; or the actor's URL. */
    target: p.text(),
    /** Why, for whoever reads the list later (optional, never federated). */
    reason: p.text().nullable(),
    /** The account's email, or "cli" for the operator. */
    createdBy: p.string(),
    createdAt: createdAt(),
  },
  uniques: [
    { properties: ["collective", "kind", "target"] },
    { name: "block_instance_unique", properties: ["kind", "target"], where: "collective_id is null" },
  ],
});
export type Block = InferEntity<typeof BlockSchema>;
