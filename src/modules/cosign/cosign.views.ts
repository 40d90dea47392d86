import type { Urls } from "../../shared/urls.ts";
import { type SignableVersion, signableTexts, type TextDigest } from "./call-digest.ts";
import { instant, optInstant } from "./cosign-context.ts";
import type { CallInvitationRow, CallSignatureRow, CosignStampRow, ReceivedInvitationRow } from "./cosign.entity.ts";
import type { InvitationView, ReceivedInvitationView, SignatureView, StampView } from "./cosign.types.ts";

/* Rows of the co-signing tables as the rest of Relais sees them (pure mappers). */

export function invitationView(row: CallInvitationRow, now: Date): InvitationView {
  const expired = row.state === "invited" && row.expiresAt <= now;
  return {
    id: row.id,
    callId: typeof row.call === "string" ? row.call : row.call.id,
    partner: { apId: row.partnerApId, name: row.partnerName ?? null },
    version: row.version,
    purpose: row.purpose,
    state: expired ? "expired" : row.state,
    expiresAt: instant(row.expiresAt),
    createdAt: instant(row.createdAt),
    answeredAt: optInstant(row.answeredAt),
  };
}

export function signatureView(row: CallSignatureRow): SignatureView {
  return {
    id: row.id,
    callId: typeof row.call === "string" ? row.call : row.call.id,
    signer: { apId: row.signerApId, name: row.signerName ?? null },
    stampId: row.stampId,
    version: row.version,
    languages: row.digests.map((d) => d.language),
    state: row.state,
    stamp: row.stamp,
    verifiedAt: instant(row.verifiedAt),
    unreachableSince: optInstant(row.unreachableSince),
    revokedAt: optInstant(row.revokedAt),
  };
}

export function receivedView(urls: Urls, now: Date, row: ReceivedInvitationRow, slug: string, stampId: string | null): ReceivedInvitationView {
  const s = row.signable as unknown as SignableVersion;
  const expired = row.state === "pending" && row.expiresAt <= now;
  const texts = signableTexts(s, row.digests.map((d: TextDigest) => d.language));
  return {
    id: row.id,
    collective: slug,
    call: { apId: row.callApId, initiator: row.initiatorApId, initiatorName: row.initiatorName ?? null },
    version: row.version,
    state: expired ? "expired" : row.state,
    expiresAt: instant(row.expiresAt),
    createdAt: instant(row.createdAt),
    answeredAt: optInstant(row.answeredAt),
    digests: row.digests,
    authoritativeLanguages: row.authoritativeLanguages,
    texts,
    deadline: s.deadline,
    relatedEvents: s.relatedEvents,
    stamp: stampId ? { id: stampId, url: urls.stamp(stampId).href } : null,
  };
}

export function stampView(row: CosignStampRow): StampView {
  return {
    id: row.id,
    collective: { id: row.collective.id, slug: row.collective.slug },
    callApId: row.callApId,
    initiatorApId: row.initiatorApId,
    initiatorInbox: row.initiatorInbox,
    requestId: row.invitation ? row.invitation.requestId : null,
    signatoriesUrl: row.signatoriesUrl,
    version: row.version,
    digests: row.digests,
    versionDocument: row.versionDocument,
    signedAt: instant(row.signedAt),
    publicAt: optInstant(row.publicAt),
    listedAt: optInstant(row.listedAt),
    announcedAt: optInstant(row.announcedAt),
    revokedAt: optInstant(row.revokedAt),
  };
}
