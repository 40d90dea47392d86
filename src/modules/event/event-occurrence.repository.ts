import type { EntityManager } from "@mikro-orm/postgresql";
import { type EventOccurrenceRow, EventOccurrenceSchema } from "./event-occurrence.entity.ts";
import type { OccurrenceException } from "./recurrence-expand.ts";

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

/** Whether the row says anything about the occurrence (else it only records that it was federated). */
export function isException(row: EventOccurrenceRow): boolean {
  return row.cancelled || row.startsAt !== null || row.location !== null || row.onlineUrl !== null;
}

export function toException(row: EventOccurrenceRow): OccurrenceException {
  return {
    date: row.date,
    cancelled: row.cancelled,
    ...(row.startsAt ? { startsAt: instant(row.startsAt), endsAt: row.endsAt ? instant(row.endsAt) : undefined } : {}),
    ...(row.location ? { location: row.location } : {}),
    ...(row.onlineUrl ? { onlineUrl: row.onlineUrl } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    version: row.version,
  };
}

/** The occurrence rows of an event, by date. */
export async function findOccurrenceRows(em: EntityManager, eventId: string): Promise<EventOccurrenceRow[]> {
  return em.find(EventOccurrenceSchema, { event: eventId }, { orderBy: { date: "asc" } });
}

/** The exceptions of several events in one query: event id → its exceptions. */
export async function findExceptions(em: EntityManager, eventIds: readonly string[]): Promise<Map<string, OccurrenceException[]>> {
  const out = new Map<string, OccurrenceException[]>();
  if (eventIds.length === 0) return out;
  const rows = await em.find(EventOccurrenceSchema, { event: { $in: [...eventIds] } }, { orderBy: { date: "asc" } });
  for (const row of rows) {
    if (!isException(row)) continue;
    const id = typeof row.event === "string" ? row.event : row.event.id;
    const list = out.get(id) ?? [];
    list.push(toException(row));
    out.set(id, list);
  }
  return out;
}

/** The row of one occurrence, created empty when there is none (inside the caller's transaction). */
export async function occurrenceRow(em: EntityManager, eventId: string, date: string): Promise<EventOccurrenceRow> {
  const found = await em.findOne(EventOccurrenceSchema, { event: eventId, date });
  if (found) return found;
  const row = em.create(EventOccurrenceSchema, { event: eventId, date, updatedAt: new Date(), federatedAt: null, startsAt: null, endsAt: null, location: null, onlineUrl: null, reason: null });
  await em.flush();
  return row;
}

const noException = { cancelled: false, startsAt: null, endsAt: null, location: null, onlineUrl: null, reason: null } as const;

/**
 * An occurrence deleted at followers (its date no longer given): its exception goes, and its next
 * issue, should the date come back, goes out under a new id (series-dates.ts occurrenceKey).
 */
export function retireIssue(row: EventOccurrenceRow): void {
  Object.assign(row, noException, { federatedAt: null, issue: row.issue + 1, updatedAt: new Date() });
}

/** Forgets an occurrence not federated: its row goes, unless it must remember an earlier issue deleted at followers. */
export function dropOccurrence(em: EntityManager, row: EventOccurrenceRow): void {
  if (row.issue > 1) Object.assign(row, noException, { updatedAt: new Date() });
  else em.remove(row);
}
