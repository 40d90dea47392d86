import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { EventSchema } from "../event/event.entity.ts";

/*
 * Events organised together across servers (FEDERATION.md "Co-organised events"): the same stamp
 * mechanism as co-signed calls. The host keeps the invitations it sent and the co-organisers it
 * verified; an invited collective keeps the event it co-organises (a copy, refreshed from the host's
 * origin) and the stamps it issued. Nothing here names a person.
 */

export const coorganizerInvitationStates = ["invited", "accepted", "declined", "expired", "superseded"] as const;
export type CoorganizerInvitationState = (typeof coorganizerInvitationStates)[number];

/** An invitation to co-organise a published event (the host's CoorganizeRequest). Private. */
export const EventCoorganizerInvitationSchema = defineEntity({
  name: "EventCoorganizerInvitation",
  tableName: "event_coorganizer_invitation",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    event: () => p.manyToOne(EventSchema).deleteRule("cascade"),
    partnerApId: p.text(),
    partnerInbox: p.text(),
    partnerSharedInbox: p.text().nullable(),
    partnerName: p.text().nullable(),
    /** The digest of the event's essentials when invited: what an answer must pin. */
    digest: p.text(),
    /** "reconfirm": asked again after the time or the place changed. */
    purpose: p.enum(["invite", "reconfirm"] as const),
    state: p.enum(coorganizerInvitationStates as unknown as CoorganizerInvitationState[]),
    expiresAt: timestamptz(),
    createdAt: createdAt(),
    answeredAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["event", "partnerApId"] }],
});
export type EventCoorganizerInvitationRow = InferEntity<typeof EventCoorganizerInvitationSchema>;

export const coorganizerStates = ["current", "pending", "superseded", "revoked"] as const;
export type CoorganizerState = (typeof coorganizerStates)[number];

/**
 * A co-organiser the host verified (its stamp fetched from its origin, its proof checked, its digest
 * one the host published). One row per stamp id: a revoked stamp id stays, so it is never listed
 * again. `current` and `pending` rows are listed in the event's `organizers`; `pending` ones pin an
 * older time or place and were asked to reconfirm.
 */
export const EventCoorganizerSchema = defineEntity({
  name: "EventCoorganizer",
  tableName: "event_coorganizer",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    event: () => p.manyToOne(EventSchema).deleteRule("cascade"),
    invitation: () => p.manyToOne(EventCoorganizerInvitationSchema).deleteRule("set null").nullable(),
    partnerApId: p.text(),
    partnerInbox: p.text(),
    partnerSharedInbox: p.text().nullable(),
    partnerName: p.text().nullable(),
    stampId: p.text().unique(),
    digest: p.text(),
    /** The stamp as the co-organiser's origin served it, proof included. */
    stamp: p.json<Record<string, unknown>>(),
    state: p.enum(coorganizerStates as unknown as CoorganizerState[]),
    createdAt: createdAt(),
    verifiedAt: timestamptz(),
    revokedAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["event", "state"] }, { properties: ["partnerApId"] }],
});
export type EventCoorganizerRow = InferEntity<typeof EventCoorganizerSchema>;

/**
 * An event of another server a local collective was invited to co-organise: a copy of what the host's
 * origin serves (refreshed on the host's Update), shown in the collective's lists and feeds with the
 * host's id (hence the same iCalendar UID) while a stamp of the collective is listed.
 */
export const CoorganisedEventSchema = defineEntity({
  name: "CoorganisedEvent",
  tableName: "coorganised_event",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    eventApId: p.text(),
    hostApId: p.text(),
    hostInbox: p.text(),
    hostSharedInbox: p.text().nullable(),
    hostName: p.text().nullable(),
    /** The host's collection of co-organisers (the stamps' target). */
    coorganizersUrl: p.text(),
    pageUrl: p.text().nullable(),
    /** The event as domain data (EventData, instants as ISO strings). */
    data: p.json<Record<string, unknown>>(),
    startsAt: timestamptz(),
    endsAt: timestamptz().nullable(),
    /** Grows with every change of what people see: iCal SEQUENCE. */
    sequence: p.integer().default(0),
    createdAt: createdAt(),
    updatedAt: createdAt(),
    deletedAt: timestamptz().nullable(),
  },
  uniques: [{ properties: ["collective", "eventApId"] }],
  indexes: [{ properties: ["eventApId"] }, { properties: ["startsAt"] }],
});
export type CoorganisedEventRow = InferEntity<typeof CoorganisedEventSchema>;

export const coorganizeStampStates = ["pending", "accepted", "declined", "superseded"] as const;
export type CoorganizeStampState = (typeof coorganizeStampStates)[number];

/**
 * A request received and, once accepted, the stamp issued for it (served at /stamps/{id} with the
 * collective's proof). Revoking (withdrawing) keeps the row: the URL then answers 410 and the id is
 * never used again.
 */
export const CoorganizeStampSchema = defineEntity({
  name: "CoorganizeStamp",
  tableName: "coorganize_stamp",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    coorganised: () => p.manyToOne(CoorganisedEventSchema).deleteRule("cascade"),
    requestId: p.text(),
    purpose: p.enum(["invite", "reconfirm"] as const),
    /** The digest of the essentials as fetched from the host's origin when the request came. */
    digest: p.text(),
    state: p.enum(coorganizeStampStates as unknown as CoorganizeStampState[]),
    expiresAt: timestamptz(),
    createdAt: createdAt(),
    answeredAt: timestamptz().nullable(),
    signedAt: timestamptz().nullable(),
    /** When the host listed it (its Add). */
    listedAt: timestamptz().nullable(),
    revokedAt: timestamptz().nullable(),
  },
  uniques: [{ properties: ["collective", "requestId"] }],
  indexes: [{ properties: ["coorganised"] }],
});
export type CoorganizeStampRow = InferEntity<typeof CoorganizeStampSchema>;
