import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import type { LanguageMap } from "../../shared/language.ts";
import { createdAt, timestamptz, updatedAt } from "../../shared/entity-properties.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import type { EventLink, EventStatus, Place } from "../event/event.types.ts";
import { RemoteActorSchema } from "../remote-actor/remote-actor.entity.ts";

export const partnerStates = ["pending", "accepted", "rejected"] as const;
export type PartnerState = (typeof partnerStates)[number];

/**
 * A remote actor a collective follows (a Relais or Mobilizon group, Gancio's relay actor, any
 * account): "pending" until its server answers Accept (or Reject). One row per (collective, actor).
 * `followActivityId` is the id of our Follow: stable for this row, new for a follow made again later.
 */
export const PartnerSchema = defineEntity({
  name: "Partner",
  tableName: "partner",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    actor: () => p.manyToOne(RemoteActorSchema).deleteRule("cascade"),
    state: p.enum(partnerStates as unknown as PartnerState[]),
    followActivityId: p.text().unique(),
    /** "Pass their new events on to our followers": Announce each new event the partner publishes. */
    relay: p.boolean().default(false),
    /** When the partner last sent something we kept (an event, an answer to our Follow). */
    lastActivityAt: timestamptz().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [{ properties: ["collective", "actor"] }],
});
export type Partner = InferEntity<typeof PartnerSchema>;

/** A partner event's image: fetched once, re-encoded and served from here (`name` under the media folder). */
export interface PartnerEventImage {
  /** Stored name under the media folder; absent when the image could not be fetched or read (not shown). */
  readonly name?: string | undefined;
  readonly mediaType?: string | undefined;
  /** Where it came from: the same source is not fetched again on an Update. */
  readonly sourceUrl: string;
  readonly alt?: LanguageMap | undefined;
}

/**
 * An event published on another server that reached a collective through its partners. Stored once
 * per ActivityPub id however many partners and paths bring it; which collectives see it is in
 * `partner_event_source`. A deleted event keeps its row (`deletedAt`, its content emptied) so that a
 * late or replayed Create cannot bring it back; `domain` and `organizerApId` serve blocks and purges.
 */
export const PartnerEventSchema = defineEntity({
  name: "PartnerEvent",
  tableName: "partner_event",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    apId: p.text().unique(),
    /** Lower-case host of apId (the origin that alone may change it). */
    domain: p.text().index(),
    /** The actor that organises it (`attributedTo`), on the event's origin. */
    organizerApId: p.text().index(),
    organizerName: p.text().nullable(),
    /** The original's HTML page. */
    url: p.text().nullable(),
    name: p.json<LanguageMap>(),
    summary: p.json<LanguageMap>().nullable(),
    /** Sanitized HTML per language. */
    description: p.json<LanguageMap>().nullable(),
    startsAt: timestamptz(),
    endsAt: timestamptz().nullable(),
    timezone: p.string(),
    allDay: p.boolean().default(false),
    location: p.json<Place>().nullable(),
    onlineUrl: p.text().nullable(),
    category: p.string().nullable(),
    tags: p.json<string[]>(),
    status: p.enum(["scheduled", "cancelled", "postponed"] as EventStatus[]),
    image: p.json<PartnerEventImage>().nullable(),
    links: p.json<EventLink[]>(),
    visibility: p.enum(["public", "unlisted"] as ("public" | "unlisted")[]),
    /** Grows with every change of what people see: iCal SEQUENCE. */
    sequence: p.integer().default(0),
    /** Hash of what people see, to tell a real change from a repeated Update. */
    contentHash: p.text(),
    /** The origin's `updated`, when it gives one: an older Update than the one applied changes nothing. */
    remoteUpdatedAt: timestamptz().nullable(),
    createdAt: createdAt(),
    updatedAt: createdAt(),
    deletedAt: timestamptz().nullable(),
  },
  indexes: [{ properties: ["startsAt"] }],
});
export type PartnerEventRow = InferEntity<typeof PartnerEventSchema>;

export const partnerEventPaths = ["create", "announce"] as const;
export type PartnerEventPath = (typeof partnerEventPaths)[number];

/**
 * Which partner brought an event to which collective (the collective is the partner's): an event a
 * collective's partners send by two paths has two rows, shown once. `announcedAt` is set when the
 * collective relayed it to its own followers (once; undone when the event is deleted).
 */
export const PartnerEventSourceSchema = defineEntity({
  name: "PartnerEventSource",
  tableName: "partner_event_source",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    event: () => p.manyToOne(PartnerEventSchema).deleteRule("cascade"),
    partner: () => p.manyToOne(PartnerSchema).deleteRule("cascade"),
    path: p.enum(partnerEventPaths as unknown as PartnerEventPath[]),
    announcedAt: timestamptz().nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ["event", "partner"] }],
  indexes: [{ properties: ["partner"] }],
});
export type PartnerEventSource = InferEntity<typeof PartnerEventSourceSchema>;
