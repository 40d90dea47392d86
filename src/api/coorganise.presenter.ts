import type { CoorganisedView, CoorganizerInvitationView, CoorganizerView } from "../modules/coorganise/coorganise.types.ts";

/** An invitation to co-organise that the host sent (its editors only). */
export function presentCoorganizerInvitation(i: CoorganizerInvitationView) {
  return {
    id: i.id,
    eventId: i.eventId,
    partner: i.partner.apId,
    partnerName: i.partner.name,
    purpose: i.purpose,
    state: i.state,
    digest: i.digest,
    expiresAt: i.expiresAt.toString(),
    createdAt: i.createdAt.toString(),
    answeredAt: i.answeredAt?.toString() ?? null,
  };
}

/** A verified co-organiser ("pending": asked to reconfirm a new time or place, still listed). */
export function presentCoorganizer(c: CoorganizerView) {
  return {
    id: c.id,
    eventId: c.eventId,
    partner: c.partner.apId,
    partnerName: c.partner.name,
    stampId: c.stampId,
    digest: c.digest,
    state: c.state,
    verifiedAt: c.verifiedAt.toString(),
    revokedAt: c.revokedAt?.toString() ?? null,
  };
}

/** An event a collective was invited to co-organise, as its host's origin serves it, with the requests and stamps. */
export function presentCoorganised(v: CoorganisedView) {
  const e = v.data;
  return {
    id: v.id,
    collective: v.collective,
    event: v.event.apId,
    host: v.event.host,
    hostName: v.event.hostName,
    url: v.event.pageUrl,
    name: e.name,
    startsAt: e.startsAt.toString(),
    endsAt: e.endsAt?.toString() ?? null,
    timezone: e.timezone,
    location: e.location ?? null,
    onlineUrl: e.onlineUrl ?? null,
    status: e.status,
    deleted: v.deleted,
    coorganising: v.coorganising,
    requests: v.requests.map((r) => ({
      id: r.id,
      purpose: r.purpose,
      state: r.state,
      digest: r.digest,
      expiresAt: r.expiresAt.toString(),
      createdAt: r.createdAt.toString(),
      signedAt: r.signedAt?.toString() ?? null,
      listedAt: r.listedAt?.toString() ?? null,
      revokedAt: r.revokedAt?.toString() ?? null,
      stamp: r.stampUrl,
    })),
  };
}
