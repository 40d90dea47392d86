import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import type { LanguageMap } from "../../shared/language.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import type { KitField, KitLetter } from "./actionkit.types.ts";

/** The text columns a kit and each of its versions share (see ActionKitText). */
const textColumns = () => ({
  title: p.json<LanguageMap>(),
  explanation: p.json<LanguageMap>(),
  country: p.string(),
  institution: p.json<LanguageMap>(),
  legalBasis: p.json<LanguageMap>(),
  steps: p.json<LanguageMap[]>(),
  fields: p.json<KitField[]>(),
  letters: p.json<KitLetter[]>(),
});

/**
 * A collective's action kit: letters people fill in on their own device (nothing they type reaches us).
 * The head row holds the current text; a draft edits it in place (version 0), publishing writes version
 * 1 and every saved change after it a new immutable version. An adopted kit keeps where it came from.
 * A deleted kit keeps its row (`deletedAt`) so that its URL answers 410 once it was published.
 */
export const ActionKitSchema = defineEntity({
  name: "ActionKit",
  tableName: "action_kit",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    ...textColumns(),
    version: p.integer().default(0),
    published: p.boolean().default(false),
    originApId: p.text().nullable(),
    originActorApId: p.text().nullable(),
    originActorName: p.text().nullable(),
    originUrl: p.text().nullable(),
    createdAt: createdAt(),
    updatedAt: createdAt(),
    publishedAt: timestamptz().nullable(),
    deletedAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["collective", "createdAt"] }, { properties: ["country", "publishedAt"] }, { properties: ["originApId"] }],
});
export type ActionKitRow = InferEntity<typeof ActionKitSchema>;

/** One immutable version of a kit's text, written once, never updated. */
export const ActionKitVersionSchema = defineEntity({
  name: "ActionKitVersion",
  tableName: "action_kit_version",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    kit: () => p.manyToOne(ActionKitSchema).deleteRule("cascade"),
    version: p.integer(),
    ...textColumns(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ["kit", "version"] }],
});
export type ActionKitVersionRow = InferEntity<typeof ActionKitVersionSchema>;

/**
 * The opt-in count of letters downloaded, per kit and language: a number and nothing else (no time of
 * each download, no address, nothing typed).
 */
export const ActionKitCountSchema = defineEntity({
  name: "ActionKitCount",
  tableName: "action_kit_count",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    kit: () => p.manyToOne(ActionKitSchema).deleteRule("cascade"),
    language: p.string(),
    count: p.bigint("number").default(0),
  },
  uniques: [{ properties: ["kit", "language"] }],
});
export type ActionKitCountRow = InferEntity<typeof ActionKitCountSchema>;
