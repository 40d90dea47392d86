import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import { CallSchema } from "../call/call.entity.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import type { TextDigest } from "./call-digest.ts";

/*
 * Co-signed calls (FEDERATION.md "Co-signed calls", docs/adr). Two sides, each on its own server:
 * the initiator keeps the invitations it sent and the signatures it verified; the signer keeps the
 * invitations it received (with the exact version it was shown) and the stamps it issued. Nothing
 * here names a person: signers and initiators are collectives.
 */

export const invitationStates = ["invited", "signed", "declined", "expired", "withdrawn", "superseded"] as const;
export type InvitationState = (typeof invitationStates)[number];

/** An invitation to sign one version of a call, sent by the initiator (its CosignRequest). Private. */
export const CallInvitationSchema = defineEntity({
  name: "CallInvitation",
  tableName: "call_invitation",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    call: () => p.manyToOne(CallSchema).deleteRule("cascade"),
    partnerApId: p.text(),
    partnerInbox: p.text(),
    partnerSharedInbox: p.text().nullable(),
    /** A display hint captured when invited (the partner's own name). */
    partnerName: p.text().nullable(),
    version: p.integer(),
    /** "reconfirm": asked again after a new version changed a language the partner had signed. */
    purpose: p.enum(["sign", "reconfirm"] as const),
    state: p.enum(invitationStates as unknown as InvitationState[]),
    expiresAt: timestamptz(),
    createdAt: createdAt(),
    answeredAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["call", "partnerApId"] }],
});
export type CallInvitationRow = InferEntity<typeof CallInvitationSchema>;

export const signatureStates = ["current", "pending", "revoked", "removed"] as const;
export type SignatureState = (typeof signatureStates)[number];

/**
 * A signature the initiator verified (its stamp fetched from the signer's origin, its proof checked,
 * its digests equal to the version's). One row per stamp id: a revoked stamp id stays, so it is never
 * listed again. Only `current` rows are shown and counted.
 */
export const CallSignatureSchema = defineEntity({
  name: "CallSignature",
  tableName: "call_signature",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    call: () => p.manyToOne(CallSchema).deleteRule("cascade"),
    invitation: () => p.manyToOne(CallInvitationSchema).deleteRule("set null").nullable(),
    signerApId: p.text(),
    signerInbox: p.text(),
    signerSharedInbox: p.text().nullable(),
    signerName: p.text().nullable(),
    stampId: p.text().unique(),
    version: p.integer(),
    digests: p.json<TextDigest[]>(),
    /** The stamp as the signer's origin served it, proof included. */
    stamp: p.json<Record<string, unknown>>(),
    state: p.enum(signatureStates as unknown as SignatureState[]),
    createdAt: createdAt(),
    /** Last confirmed at the signer's origin (when listed, then at each re-check). */
    verifiedAt: timestamptz(),
    /** Since when its signer's origin could not be reached at the re-checks (null: it answered at the last one). */
    unreachableSince: timestamptz().nullable(),
    revokedAt: timestamptz().nullable(),
    /** When a change note named it among the call's new signatories (null: not yet, or listed before the launch). */
    notedAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["call", "state"] }, { properties: ["signerApId"] }],
});
export type CallSignatureRow = InferEntity<typeof CallSignatureSchema>;

export const receivedStates = ["pending", "signed", "declined", "expired", "withdrawn", "superseded"] as const;
export type ReceivedState = (typeof receivedStates)[number];

/**
 * An invitation a local collective received: the version it is asked to sign exactly as the
 * initiator's origin served it (with the initiator's proof), and the digests computed here.
 */
export const ReceivedInvitationSchema = defineEntity({
  name: "ReceivedInvitation",
  tableName: "received_invitation",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    requestId: p.text(),
    callApId: p.text(),
    initiatorApId: p.text(),
    initiatorInbox: p.text(),
    initiatorSharedInbox: p.text().nullable(),
    initiatorName: p.text().nullable(),
    /** The initiator's collection of signatories (the stamp's target). */
    signatoriesUrl: p.text(),
    version: p.integer(),
    /** The CallVersion document as fetched, the initiator's proof intact. */
    versionDocument: p.json<Record<string, unknown>>(),
    /** The same version as domain data (SignableVersion): what the editors are shown and sign. */
    signable: p.json<Record<string, unknown>>(),
    digests: p.json<TextDigest[]>(),
    authoritativeLanguages: p.json<string[]>(),
    state: p.enum(receivedStates as unknown as ReceivedState[]),
    expiresAt: timestamptz(),
    createdAt: createdAt(),
    answeredAt: timestamptz().nullable(),
  },
  uniques: [{ properties: ["collective", "requestId"] }],
  indexes: [{ properties: ["collective", "createdAt"] }, { properties: ["callApId"] }],
});
export type ReceivedInvitationRow = InferEntity<typeof ReceivedInvitationSchema>;

/**
 * A stamp a local collective issued: its signature of one version of another collective's call,
 * served at /stamps/{id} with its Ed25519 proof. Revoking keeps the row (`revokedAt`): the URL then
 * answers 410 and the id is never used again.
 */
export const CosignStampSchema = defineEntity({
  name: "CosignStamp",
  tableName: "cosign_stamp",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    invitation: () => p.manyToOne(ReceivedInvitationSchema).deleteRule("set null").nullable(),
    callApId: p.text(),
    initiatorApId: p.text(),
    initiatorInbox: p.text(),
    initiatorSharedInbox: p.text().nullable(),
    signatoriesUrl: p.text(),
    version: p.integer(),
    digests: p.json<TextDigest[]>(),
    /** The version signed, as received (the stamp's `signedText`). */
    versionDocument: p.json<Record<string, unknown>>(),
    signedAt: timestamptz(),
    /** Once the call is known to be public (launched): the stamp is served to anyone. */
    publicAt: timestamptz().nullable(),
    /** When the initiator listed it (its Add). */
    listedAt: timestamptz().nullable(),
    announcedAt: timestamptz().nullable(),
    revokedAt: timestamptz().nullable(),
    /** A stamp that asked to join an open call (no invitation) and that the initiator refused: gone (410) since. */
    refusedAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["collective", "callApId"] }, { properties: ["callApId"] }],
});
export type CosignStampRow = InferEntity<typeof CosignStampSchema>;

/**
 * A revocation this server heard of and confirmed (the stamp's own origin answers 410 or 404): kept so
 * that a revoked stamp is never believed again here, whoever keeps listing it (a hostile initiator).
 */
export const StampRevocationSchema = defineEntity({
  name: "StampRevocation",
  tableName: "stamp_revocation",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    stampId: p.text().unique(),
    signerApId: p.text(),
    callApId: p.text().nullable(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ["callApId"] }],
});
export type StampRevocationRow = InferEntity<typeof StampRevocationSchema>;
