import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import type { LanguageMap } from "../../shared/language.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import type { EventImage, EventLink, EventStatus, Place } from "./event.types.ts";
import type { RecurrenceRule } from "./recurrence.ts";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";

/**
 * A collective's event. Times are `timestamptz` plus the IANA zone they were planned in. A deleted
 * event keeps its row as a tombstone (`deletedAt`), so its URL answers 410 and feeds can drop it.
 */
export const EventSchema = defineEntity({
  name: "Event",
  tableName: "event",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    name: p.json<LanguageMap>(),
    summary: p.json<LanguageMap>().nullable(),
    description: p.json<LanguageMap>().nullable(),
    descriptionSource: p.json<LanguageMap>().nullable(),
    /** When each language's text (name, summary, description) last changed: language → ISO instant. */
    textUpdatedAt: p.json<Record<string, string>>().nullable(),
    startsAt: timestamptz(),
    endsAt: timestamptz().nullable(),
    timezone: p.string(),
    allDay: p.boolean().default(false),
    location: p.json<Place>().nullable(),
    onlineUrl: p.text().nullable(),
    category: p.string().nullable(),
    tags: p.json<string[]>(),
    status: p.enum(["scheduled", "cancelled", "postponed"] as EventStatus[]),
    statusReason: p.json<LanguageMap>().nullable(),
    image: p.json<EventImage>().nullable(),
    links: p.json<EventLink[]>(),
    contact: p.text().nullable(),
    visibility: p.enum(["public", "unlisted"] as ("public" | "unlisted")[]),
    published: p.boolean().default(false),
    /** Grows with changes people care about (time, place, status, text): iCal SEQUENCE. */
    sequence: p.integer().default(0),
    /** Grows with every saved change: ids of Update activities. */
    version: p.integer().default(0),
    publishedAt: timestamptz().nullable(),
    createdAt: createdAt(),
    /** Set by the service on changes people see (not on every flush): Last-Modified, AS2 `updated`. */
    updatedAt: createdAt(),
    deletedAt: timestamptz().nullable(),
    /** A recurring event's rule (recurrence.ts; docs/adr: recurring events): startsAt/endsAt are then its first occurrence. */
    recurrence: p.json<RecurrenceRule>().nullable(),
    /**
     * A recurring event's end: the end of its last occurrence, or `seriesOpenEnd` for a series without
     * one, so that time windows find a series by one indexed condition. Null for single events.
     */
    seriesEndsAt: timestamptz().nullable(),
    /** The series this one continues ("change from this date on" splits a series in two). */
    previousSeries: p.uuid().nullable(),
    /** The series that continues this one (set by the split; the latest split's, cleared if that one is deleted). */
    nextSeries: p.uuid().nullable(),
  },
  // Lists read a collective's events in (startsAt, id) order from a position, and find running events by
  // their end (event.repository.ts); the instance calendar reads every collective's by start.
  indexes: [{ properties: ["collective", "startsAt", "id"] }, { properties: ["collective", "endsAt"] }, { properties: ["startsAt"] }, { properties: ["seriesEndsAt"] }],
});
export type EventRow = InferEntity<typeof EventSchema>;

/** `seriesEndsAt` of a series without `until` or `count`: later than any window asks. */
export const seriesOpenEnd = new Date("9999-12-31T00:00:00Z");
