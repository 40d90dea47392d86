import type { InvitationView, ReceivedInvitationView, SignatureView, StampView } from "../modules/cosign/cosign.types.ts";

/** An invitation the initiator sent (its editors only). */
export function presentInvitation(i: InvitationView) {
  return {
    id: i.id,
    callId: i.callId,
    partner: i.partner.apId,
    partnerName: i.partner.name,
    version: i.version,
    purpose: i.purpose,
    state: i.state,
    expiresAt: i.expiresAt.toString(),
    createdAt: i.createdAt.toString(),
    answeredAt: i.answeredAt?.toString() ?? null,
  };
}

/** A verified signature (`stamp`: the signer's CosignAuthorization as its server served it, with its proof). */
export function presentSignature(s: SignatureView, opts: { withStamp?: boolean } = {}) {
  return {
    id: s.id,
    callId: s.callId,
    signer: s.signer.apId,
    signerName: s.signer.name,
    stampId: s.stampId,
    version: s.version,
    languages: s.languages,
    state: s.state,
    verifiedAt: s.verifiedAt.toString(),
    unreachableSince: s.unreachableSince?.toString() ?? null,
    revokedAt: s.revokedAt?.toString() ?? null,
    ...(opts.withStamp ? { stamp: s.stamp } : {}),
  };
}

/** An invitation a collective received, with the exact text it would sign in each language. */
export function presentReceivedInvitation(r: ReceivedInvitationView) {
  return {
    id: r.id,
    collective: r.collective,
    call: r.call.apId,
    initiator: r.call.initiator,
    initiatorName: r.call.initiatorName,
    version: r.version,
    state: r.state,
    expiresAt: r.expiresAt.toString(),
    createdAt: r.createdAt.toString(),
    answeredAt: r.answeredAt?.toString() ?? null,
    languages: r.digests.map((d) => d.language),
    authoritativeLanguages: r.authoritativeLanguages,
    digests: Object.fromEntries(r.digests.map((d) => [d.language, d.digest])),
    texts: r.texts,
    deadline: r.deadline,
    relatedEvents: r.relatedEvents,
    stamp: r.stamp,
    ...(r.reconfirmation !== undefined ? { reconfirmation: r.reconfirmation } : {}),
    // Read alone: the older version the collective signed, and which of its languages changed since.
    ...(r.previous !== undefined ? { previous: r.previous && { version: r.previous.version, languages: r.previous.languages, changed: r.previous.changed, texts: r.previous.texts } } : {}),
  };
}

/** A stamp this collective issued: its signature of another collective's call. */
export function presentStamp(s: StampView, url: URL) {
  return {
    id: s.id,
    url: url.href,
    call: s.callApId,
    initiator: s.initiatorApId,
    version: s.version,
    languages: s.digests.map((d) => d.language),
    signedAt: s.signedAt.toString(),
    listedAt: s.listedAt?.toString() ?? null,
    publicAt: s.publicAt?.toString() ?? null,
    announcedAt: s.announcedAt?.toString() ?? null,
    revokedAt: s.revokedAt?.toString() ?? null,
  };
}
