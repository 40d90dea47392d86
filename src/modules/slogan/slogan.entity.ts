import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import type { LanguageMap } from "../../shared/language.ts";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import { CallSchema } from "../call/call.entity.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { EventSchema } from "../event/event.entity.ts";

/**
 * A collective's slogan: one line per language, with tags, optionally attached to one of its calls or
 * events. An adopted slogan keeps where it came from (`originApId`, the partner and its page). A deleted slogan keeps its row (`deletedAt`) so that its URL
 * answers 410 once it was published.
 */
export const SloganSchema = defineEntity({
  name: "Slogan",
  tableName: "slogan",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    text: p.json<LanguageMap>(),
    tags: p.json<string[]>(),
    call: () => p.manyToOne(CallSchema).deleteRule("set null").nullable(),
    event: () => p.manyToOne(EventSchema).deleteRule("set null").nullable(),
    originApId: p.text().nullable(),
    originActorApId: p.text().nullable(),
    originActorName: p.text().nullable(),
    originUrl: p.text().nullable(),
    /** 1 on creation, +1 with every saved change. */
    version: p.integer().default(1),
    published: p.boolean().default(false),
    createdAt: createdAt(),
    updatedAt: createdAt(),
    publishedAt: timestamptz().nullable(),
    deletedAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["collective", "createdAt"] }, { properties: ["call"] }],
});
export type SloganRow = InferEntity<typeof SloganSchema>;
