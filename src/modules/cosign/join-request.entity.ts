import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import { CallSchema } from "../call/call.entity.ts";
import type { TextDigest } from "./call-digest.ts";
import { CallSignatureSchema } from "./cosign.entity.ts";

export const joinPolicies = ["manual", "automatic"] as const;
/** Per call: whether a collective that asks to sign an open call is listed at once, or after an editor approves. */
export type JoinPolicy = (typeof joinPolicies)[number];

export const joinRequestStates = ["pending", "approved", "refused"] as const;
export type JoinRequestState = (typeof joinRequestStates)[number];

/**
 * A collective (on another server) asked to sign one of our open calls (its `Create` of a stamp,
 * FEDERATION.md "Join requests"): the stamp was fetched from its origin and checked before this row
 * was written. Private: a pending or refused request is never served. Approving lists it (a
 * call_signature row); refusing answers `Reject` and lists nothing.
 */
export const CallJoinRequestSchema = defineEntity({
  name: "CallJoinRequest",
  tableName: "call_join_request",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    call: () => p.manyToOne(CallSchema).deleteRule("cascade"),
    requesterApId: p.text(),
    requesterInbox: p.text(),
    requesterSharedInbox: p.text().nullable(),
    /** A display hint (the collective's own name when it asked). */
    requesterName: p.text().nullable(),
    /** The `Create`'s id: the Reject names it; a replay of it changes nothing. */
    activityId: p.text().unique(),
    stampId: p.text().unique(),
    version: p.integer(),
    digests: p.json<TextDigest[]>(),
    /** The stamp as the requester's origin served it, proof included. */
    stamp: p.json<Record<string, unknown>>(),
    state: p.enum(joinRequestStates as unknown as JoinRequestState[]),
    createdAt: createdAt(),
    decidedAt: timestamptz().nullable(),
    signature: () => p.manyToOne(CallSignatureSchema).deleteRule("set null").nullable(),
  },
  indexes: [{ properties: ["call", "state"] }, { properties: ["requesterApId"] }],
});
export type CallJoinRequestRow = InferEntity<typeof CallJoinRequestSchema>;
