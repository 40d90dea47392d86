import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import type { LanguageMap } from "../../shared/language.ts";

export const partnerCallStatuses = ["open", "closed", "withdrawn"] as const;
export type PartnerCallStatus = (typeof partnerCallStatuses)[number];

/**
 * A call to action of a followed partner, as its origin sent it to followers (Create/Update of its
 * Article, from the launch on): only what the join screen lists — its title, status and signing
 * deadline, with a link to its origin. Removed when its origin deletes it. Not what is signed: the
 * text is read again from the origin before asking to sign (JoinRequestService).
 */
export const PartnerCallSchema = defineEntity({
  name: "PartnerCall",
  tableName: "partner_call",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    apId: p.text().unique(),
    url: p.text(),
    title: p.json<LanguageMap>(),
    /** The call's primary language (its first authoritative one): the title shown when the reader's is missing. */
    language: p.string(),
    status: p.enum(partnerCallStatuses as unknown as PartnerCallStatus[]),
    deadline: timestamptz().nullable(),
    authorApId: p.text(),
    publishedAt: timestamptz(),
    /** The origin's `updated` (else `published`): an Update older than the one kept changes nothing. */
    remoteUpdatedAt: timestamptz(),
    receivedAt: createdAt(),
  },
  indexes: [{ properties: ["authorApId", "publishedAt"] }],
});
export type PartnerCallRow = InferEntity<typeof PartnerCallSchema>;

/**
 * A followed partner whose open calls are to be read from its origin (its `<actor>/open-calls`
 * collection): written in the transaction that stores the Accept of our Follow, so that calls launched
 * before the follow reach the join screens too. The worker reads it off the request path, bounded, and
 * deletes it once done; a failure is tried again later (`attempts`), then given up.
 */
export const PartnerCallBackfillSchema = defineEntity({
  name: "PartnerCallBackfill",
  tableName: "partner_call_backfill",
  properties: {
    actorApId: p.text().primary(),
    dueAt: timestamptz(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
  },
  indexes: [{ properties: ["dueAt"] }],
});
export type PartnerCallBackfillRow = InferEntity<typeof PartnerCallBackfillSchema>;
