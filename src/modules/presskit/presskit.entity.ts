import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import type { LanguageMap } from "../../shared/language.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import type { FileKind, Licence, PressContact } from "./presskit.types.ts";

/**
 * A collective's press kit: the press release per language, a press contact (a role), an embargo.
 * Public exactly when `publishedAt` is set; the worker sets it once at the embargo time, by a guarded
 * update (`where published_at is null`), so two workers cannot both publish it. A deleted kit keeps its
 * row so that its URL answers 410 once it was public.
 */
export const PressKitSchema = defineEntity({
  name: "PressKit",
  tableName: "press_kit",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    callId: p.uuid().nullable(),
    eventId: p.uuid().nullable(),
    title: p.json<LanguageMap>(),
    lead: p.json<LanguageMap>(),
    body: p.json<LanguageMap>(),
    bodySource: p.json<LanguageMap>(),
    contact: p.json<PressContact>(),
    embargoAt: timestamptz().nullable(),
    timezone: p.string(),
    /** Grows with every change sent to followers once published: Update ids. */
    revision: p.integer().default(0),
    createdAt: createdAt(),
    updatedAt: createdAt(),
    publishedAt: timestamptz().nullable(),
    deletedAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["collective", "createdAt"] }, { properties: ["publishedAt", "embargoAt"] }],
});
export type PressKitRow = InferEntity<typeof PressKitSchema>;

/** A file of a kit, stored under a random name in the press kit folder (never under /media). */
export const PressKitFileSchema = defineEntity({
  name: "PressKitFile",
  tableName: "press_kit_file",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    kit: () => p.manyToOne(PressKitSchema).deleteRule("cascade"),
    kind: p.enum(["photo", "logo", "document"] as FileKind[]),
    name: p.string().unique(),
    mediaType: p.string(),
    bytes: p.integer(),
    width: p.integer().nullable(),
    height: p.integer().nullable(),
    caption: p.json<LanguageMap>(),
    credit: p.text(),
    licence: p.enum(["cc-by", "cc-by-sa", "cc0", "all-rights-reserved"] as Licence[]),
    position: p.integer(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ["kit", "position"] }],
});
export type PressKitFileRow = InferEntity<typeof PressKitFileSchema>;

/**
 * A secret read-only link to a kit before its embargo (for journalists). Only the SHA-256 of the token
 * is stored: the token is shown once, when the link is made. Revocable and always expiring.
 */
export const PressKitLinkSchema = defineEntity({
  name: "PressKitLink",
  tableName: "press_kit_link",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    kit: () => p.manyToOne(PressKitSchema).deleteRule("cascade"),
    tokenHash: p.string().unique(),
    /** For the editors only (which newsroom it was given to); never shown on the kit's pages. */
    label: p.text().nullable(),
    createdAt: createdAt(),
    expiresAt: timestamptz(),
    revokedAt: timestamptz().nullable(),
  },
});
export type PressKitLinkRow = InferEntity<typeof PressKitLinkSchema>;
