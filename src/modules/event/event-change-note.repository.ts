import type { EntityManager } from "@mikro-orm/postgresql";
import { type EventChangeNote, EventChangeNoteSchema } from "./event-change-note.entity.ts";

/**
 * Stores the change note of one event version (of one occurrence of a recurring event: `occurrenceDate`);
 * a replay of the same version writes nothing.
 */
export async function insertChangeNote(
  em: EntityManager,
  note: { eventId: string; version: number; language: string; text: string; occurrenceDate?: string },
): Promise<void> {
  await em
    .createQueryBuilder(EventChangeNoteSchema)
    .insert({ event: note.eventId, version: note.version, occurrenceDate: note.occurrenceDate ?? "", language: note.language, text: note.text, createdAt: new Date() })
    .onConflict(["event", "version", "occurrenceDate"])
    .ignore()
    .execute();
}

export async function findChangeNote(em: EntityManager, eventId: string, version: number, occurrenceDate = ""): Promise<EventChangeNote | null> {
  return em.findOne(EventChangeNoteSchema, { event: eventId, version, occurrenceDate });
}

/** Records that a note was handed over for delivery (the first time only). */
export async function markChangeNoteSent(em: EntityManager, eventId: string, version: number, occurrenceDate = ""): Promise<void> {
  await em.nativeUpdate(EventChangeNoteSchema, { event: eventId, version, occurrenceDate, sentAt: null }, { sentAt: new Date() });
}

/**
 * The notes of an event that followers may have received, oldest first: a single event's, or with
 * `occurrenceDate` those of one occurrence of a recurring event, or with `null` those of every occurrence.
 */
export async function sentChangeNotes(em: EntityManager, eventId: string, occurrenceDate: string | null = ""): Promise<EventChangeNote[]> {
  const where = occurrenceDate === null ? { event: eventId, sentAt: { $ne: null } } : { event: eventId, occurrenceDate, sentAt: { $ne: null } };
  return em.find(EventChangeNoteSchema, where, { orderBy: { version: "asc" } });
}
