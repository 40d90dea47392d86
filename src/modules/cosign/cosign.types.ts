import type { LanguageMap } from "../../shared/language.ts";
import type { SignableVersion, TextDigest } from "./call-digest.ts";
import type { InvitationState, ReceivedState, SignatureState } from "./cosign.entity.ts";

/** A partner collective on another server, as the federation layer found it (a Relais Group). */
export interface CosignPartner {
  readonly apId: URL;
  readonly inboxUrl: URL;
  readonly sharedInboxUrl?: URL | undefined;
  readonly name?: string | undefined;
}

/** An invitation the initiator sent, for its editors (never public). */
export interface InvitationView {
  readonly id: string;
  readonly callId: string;
  readonly partner: { readonly apId: string; readonly name: string | null };
  readonly version: number;
  readonly purpose: "sign" | "reconfirm";
  readonly state: InvitationState;
  readonly expiresAt: Temporal.Instant;
  readonly createdAt: Temporal.Instant;
  readonly answeredAt: Temporal.Instant | null;
}

/** A verified signature of a call, as the initiator lists it. */
export interface SignatureView {
  readonly id: string;
  readonly callId: string;
  readonly signer: { readonly apId: string; readonly name: string | null };
  readonly stampId: string;
  readonly version: number;
  readonly languages: readonly string[];
  readonly state: SignatureState;
  readonly stamp: Record<string, unknown>;
  readonly verifiedAt: Temporal.Instant;
  /** Since when the signer's origin has been unreachable at the initiator's re-checks (design §8); null when it answers. */
  readonly unreachableSince: Temporal.Instant | null;
  readonly revokedAt: Temporal.Instant | null;
}

/** An invitation a local collective received: the exact text it would sign, per language. */
export interface ReceivedInvitationView {
  readonly id: string;
  readonly collective: string;
  readonly call: { readonly apId: string; readonly initiator: string; readonly initiatorName: string | null };
  readonly version: number;
  readonly state: ReceivedState;
  readonly expiresAt: Temporal.Instant;
  readonly createdAt: Temporal.Instant;
  readonly answeredAt: Temporal.Instant | null;
  /** The languages it may sign, each with its digest. */
  readonly digests: readonly TextDigest[];
  readonly authoritativeLanguages: readonly string[];
  /** The text in every signable language, exactly as it would be signed. */
  readonly texts: Readonly<Record<string, { readonly title: string; readonly pitch: string; readonly bodyHtml: string; readonly demands: readonly string[] }>>;
  readonly deadline: string | null;
  readonly relatedEvents: readonly string[];
  /** The stamp issued for it, once signed (its id and its URL on this server). */
  readonly stamp: { readonly id: string; readonly url: string } | null;
  /**
   * For one invitation read alone: the older version of this call the collective signed before, if
   * any (a reconfirmation), with the text it signed, the languages it covered and those whose text
   * changed since (what the editors must read again).
   */
  readonly previous?: PreviousSignature | null | undefined;
  /** In lists: a pending invitation for a newer version of a call the collective signed (asks it to reconfirm). */
  readonly reconfirmation?: boolean | undefined;
}

export interface PreviousSignature {
  readonly version: number;
  readonly languages: readonly string[];
  readonly changed: readonly string[];
  readonly texts: ReceivedInvitationView["texts"];
}

/** A stamp as its server serves it (the federation layer adds the proof). */
export interface StampView {
  readonly id: string;
  readonly collective: { readonly id: string; readonly slug: string };
  readonly callApId: string;
  readonly initiatorApId: string;
  readonly initiatorInbox: string;
  /** The CosignRequest it answers (none for a join request). */
  readonly requestId: string | null;
  readonly signatoriesUrl: string;
  readonly version: number;
  readonly digests: readonly TextDigest[];
  readonly versionDocument: Record<string, unknown>;
  readonly signedAt: Temporal.Instant;
  readonly publicAt: Temporal.Instant | null;
  /** When the initiator told it listed the stamp (its Add). */
  readonly listedAt: Temporal.Instant | null;
  /** When the collective boosted the call (at its launch). */
  readonly announcedAt: Temporal.Instant | null;
  readonly revokedAt: Temporal.Instant | null;
}

/** What the federation layer read and checked of a received CosignRequest. */
export interface IncomingInvitation {
  /** The local collective invited (the request's `object`). */
  readonly collectiveSlug: string;
  readonly requestId: string;
  readonly initiator: CosignPartner;
  readonly signatoriesUrl: string;
  /** The version, parsed from the document whose proof was checked. */
  readonly signable: SignableVersion;
  readonly authoritativeLanguages: readonly string[];
  readonly versionDocument: Record<string, unknown>;
  readonly expiresAt?: Temporal.Instant | undefined;
}

/** What the federation layer read and checked of a stamp fetched from its signer's origin. */
export interface IncomingStamp {
  readonly stampId: string;
  readonly signerApId: string;
  readonly version: number;
  readonly digests: readonly TextDigest[];
  readonly document: Record<string, unknown>;
}

export type CosignOutcome<T = undefined> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export type { LanguageMap };
