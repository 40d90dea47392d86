import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import type { LanguageMap } from "../../shared/language.ts";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import type { EventImage } from "../event/event.types.ts";
import type { CallChangeKind, CallStatus } from "./call.types.ts";

/** The text columns a call and each of its versions share (see CallText). */
const textColumns = () => ({
  title: p.json<LanguageMap>(),
  pitch: p.json<LanguageMap>().nullable(),
  body: p.json<LanguageMap>(),
  bodySource: p.json<LanguageMap>(),
  demands: p.json<LanguageMap[]>(),
  deadline: timestamptz().nullable(),
  timezone: p.string(),
  relatedEvents: p.json<string[]>(),
  image: p.json<EventImage>().nullable(),
});

/**
 * A collective's call to action: the current text (the head, which a draft edits in place) and its
 * life. Ids are random UUIDs: they say nothing of the call before it is public. A deleted call keeps
 * its row (`deletedAt`) so that its URL answers 410 once it was public.
 */
export const CallSchema = defineEntity({
  name: "Call",
  tableName: "call",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    status: p.enum(["draft", "consultation", "open", "closed", "withdrawn"] as CallStatus[]),
    ...textColumns(),
    /** The current version's number (0: a draft without versions yet). */
    version: p.integer().default(0),
    /** Grows with every change sent to followers: Update ids and change-note URLs. */
    revision: p.integer().default(0),
    /** Who may join once the call is open: "manual" (an editor approves each request) or "automatic". */
    joinPolicy: p.enum(["manual", "automatic"] as const).default("manual"),
    createdAt: createdAt(),
    updatedAt: createdAt(),
    launchedAt: timestamptz().nullable(),
    closedAt: timestamptz().nullable(),
    withdrawnAt: timestamptz().nullable(),
    deletedAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["collective", "createdAt"] }, { properties: ["status", "deadline"] }],
});
export type CallRow = InferEntity<typeof CallSchema>;

/**
 * One immutable version of a call's text: written once when a call leaves its draft and once for every
 * saved change after, never updated. The HTML is kept byte for byte (digests and signatures pin it).
 */
export const CallVersionSchema = defineEntity({
  name: "CallVersion",
  tableName: "call_version",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    call: () => p.manyToOne(CallSchema).deleteRule("cascade"),
    version: p.integer(),
    ...textColumns(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ["call", "version"] }],
});
export type CallVersionRow = InferEntity<typeof CallVersionSchema>;

/**
 * The note that tells followers what changed in a public call (Mastodon shows no Update of an Article),
 * one per revision, in every language of the call. Kept here, not in the outbox, so that its URL keeps
 * answering, and so that deleting the call can delete the notes that were sent.
 */
export const CallChangeNoteSchema = defineEntity({
  name: "CallChangeNote",
  tableName: "call_change_note",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    call: () => p.manyToOne(CallSchema).deleteRule("cascade"),
    revision: p.integer(),
    kinds: p.json<CallChangeKind[]>(),
    /** Plain text per language; the federation layer adds the link and the HTML. */
    text: p.json<LanguageMap>(),
    createdAt: createdAt(),
    /** When it was handed over for delivery: only sent notes get a Delete when the call is deleted. */
    sentAt: timestamptz().nullable(),
  },
  uniques: [{ properties: ["call", "revision"] }],
});
export type CallChangeNoteRow = InferEntity<typeof CallChangeNoteSchema>;
