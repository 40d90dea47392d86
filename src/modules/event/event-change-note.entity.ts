import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import { EventSchema } from "./event.entity.ts";

/**
 * The short note that tells followers what changed in an event (Mastodon shows no Update of an Event),
 * one per (event, version, occurrence): a series change may move several occurrences. Kept here, not
 * in the outbox, so that its URL keeps answering after the
 * outbox row is pruned, and so that deleting the event can delete the notes that were sent.
 */
export const EventChangeNoteSchema = defineEntity({
  name: "EventChangeNote",
  tableName: "event_change_note",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    event: () => p.manyToOne(EventSchema).deleteRule("cascade"),
    /** The event version whose Update this note accompanies. */
    version: p.integer(),
    /** The occurrence of a recurring event the note is about ("2030-03-12"); "" for a single event. */
    occurrenceDate: p.string().default(""),
    language: p.string(),
    /** Plain text; the federation layer adds the link and the HTML. */
    text: p.text(),
    createdAt: createdAt(),
    /** When it was handed over for delivery: only sent notes get a Delete when the event is deleted. */
    sentAt: timestamptz().nullable(),
  },
  uniques: [{ properties: ["event", "version", "occurrenceDate"] }],
});
export type EventChangeNote = InferEntity<typeof EventChangeNoteSchema>;
