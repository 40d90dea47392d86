import type { EntityManager } from "@mikro-orm/postgresql";
import { type EventChangeNote, EventChangeNoteSchema } from "./event-change-note.entity.ts";

/** Stores the change note of one event version; a replay of the same version writes nothing. */
export async function insertChangeNote(
  em: EntityManager,
  note: { eventId: string; version: number; language: string; text: string },
): Promise<void> {
  await em
    .createQueryBuilder(EventChangeNoteSchema)
    .insert({ event: note.eventId, version: note.version, language: note.language, text: note.text, createdAt: new Date() })
    .onConflict(["event", "version"])
    .ignore()
    .execute();
}

export async function findChangeNote(em: EntityManager, eventId: string, version: number): Promise<EventChangeNote | null> {
  return em.findOne(EventChangeNoteSchema, { event: eventId, version });
}

/** Records that a note was handed over for delivery (the first time only). */
export async function markChangeNoteSent(em: EntityManager, eventId: string, version: number): Promise<void> {
  await em.nativeUpdate(EventChangeNoteSchema, { event: eventId, version, sentAt: null }, { sentAt: new Date() });
}

/** The notes of an event that followers may have received, oldest first. */
export async function sentChangeNotes(em: EntityManager, eventId: string): Promise<EventChangeNote[]> {
  return em.find(EventChangeNoteSchema, { event: eventId, sentAt: { $ne: null } }, { orderBy: { version: "asc" } });
}
