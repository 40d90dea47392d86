import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import type { LanguageMap } from "../../shared/language.ts";
import { timestamptz } from "../../shared/entity-properties.ts";
import { EventSchema } from "./event.entity.ts";
import type { Place } from "./event.types.ts";

/**
 * One occurrence of a recurring event that is not just what the rule says, or that was federated: its
 * exception (cancelled, moved, another place), and when it went out to followers (each occurrence
 * federates once, as its own Event: FEDERATION.md "Recurring events"). Named by the local date the rule
 * gives it (`date`, its RECURRENCE-ID).
 */
export const EventOccurrenceSchema = defineEntity({
  name: "EventOccurrence",
  tableName: "event_occurrence",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    event: () => p.manyToOne(EventSchema).deleteRule("cascade"),
    /** "2026-12-24": the local date the rule gives this occurrence. */
    date: p.string(),
    cancelled: p.boolean().default(false),
    /** Moved: its own start and end. */
    startsAt: timestamptz().nullable(),
    endsAt: timestamptz().nullable(),
    /** Held elsewhere. */
    location: p.json<Place>().nullable(),
    onlineUrl: p.text().nullable(),
    reason: p.json<LanguageMap>().nullable(),
    /** Grows with each change of the exception: the override's SEQUENCE, the occurrence's Update ids. */
    version: p.integer().default(0),
    updatedAt: timestamptz(),
    /** When it was handed to the outbox as its own Event; null while it is not federated. */
    federatedAt: timestamptz().nullable(),
    /**
     * Its issue at followers: 1, then one more each time it went out, was deleted there (its date no
     * longer given) and may go out again under a new id (series-dates.ts occurrenceKey).
     */
    issue: p.integer().default(1),
  },
  uniques: [{ properties: ["event", "date"] }],
});
export type EventOccurrenceRow = InferEntity<typeof EventOccurrenceSchema>;
