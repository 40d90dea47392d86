import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import type { LanguageMap } from "../../shared/language.ts";

/**
 * A published action kit of a followed partner, received from its origin (Create/Update of its Article):
 * only its public fields, to list it on our public pages with a link to its origin page. Removed when
 * its origin deletes it (Delete, Tombstone), or when no collective here follows its author any more
 * (ADR 0029). Not a copy of the kit: adopting one is another thing.
 */
export const PartnerActionKitSchema = defineEntity({
  name: "PartnerActionKit",
  tableName: "partner_action_kit",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    apId: p.text().unique(),
    url: p.text(),
    title: p.json<LanguageMap>(),
    country: p.string().nullable(),
    institution: p.json<LanguageMap>().nullable(),
    authorApId: p.text(),
    authorName: p.text().nullable(),
    publishedAt: timestamptz(),
    remoteUpdatedAt: timestamptz().nullable(),
    receivedAt: createdAt(),
  },
  indexes: [{ properties: ["authorApId", "publishedAt"] }, { properties: ["country", "publishedAt"] }],
});
export type PartnerActionKitRow = InferEntity<typeof PartnerActionKitSchema>;
