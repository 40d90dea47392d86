import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import type { changeNoteWriter, EventChange } from "./event-change.ts";
import { insertChangeNote } from "./event-change-note.repository.ts";
import type { EventRow } from "./event.entity.ts";
import type { EventInput } from "./event.schema.ts";
import { queueSeriesChange } from "./series-federation.ts";

export interface EventFederationDeps {
  readonly urls: Urls;
  readonly changeNoteText: ReturnType<typeof changeNoteWriter>;
  /** A published event changed (co-organisers are told), in its transaction: whether rows were queued. */
  readonly onEventChanged: (em: EntityManager, eventId: string) => Promise<boolean>;
  readonly now: Date;
}

/** The Create of a single event, once published (a recurring one federates occurrence by occurrence). */
export async function queueEventCreate(em: EntityManager, urls: Urls, collective: Collective, row: EventRow): Promise<boolean> {
  return writeOutbox(em, `${urls.event(row.id).href}#create`, { kind: "create-event", collectiveId: collective.id, eventId: row.id });
}

/**
 * The Delete of a deleted event: of its Event, or of each occurrence that went out (occurrence-sender.ts).
 * `single`: the Event a single event went out as, now that it repeats (the event is not deleted).
 */
export async function queueEventDelete(em: EntityManager, urls: Urls, row: EventRow & { collective: Collective }, opts: { single?: boolean } = {}): Promise<boolean> {
  const apId = urls.event(row.id).href;
  return row.recurrence && !opts.single
    ? writeOutbox(em, `${apId}#delete-occurrences`, { kind: "delete-occurrences", collectiveId: row.collective.id, eventId: row.id })
    : writeOutbox(em, `${apId}#delete`, { kind: "delete-event", collectiveId: row.collective.id, eventId: row.id });
}

/**
 * What a change of an event (`before` → `after`, already written to `row`) sends, in the change's
 * transaction (FEDERATION.md "Events", "Recurring events"): the Create of an event just published; the
 * Update of a published one and its change note when its time, place or status changed; for a recurring
 * event (before or after), what series-federation.ts puts right. Returns whether rows were queued.
 */
export async function queueEventChange(
  em: EntityManager,
  deps: EventFederationDeps,
  row: EventRow & { collective: Collective },
  change: { before: EventInput; after: EventInput; wasPublished: boolean; described: EventChange },
): Promise<boolean> {
  const { before, after, wasPublished, described } = change;
  const collective = row.collective;
  if (after.recurrence || before.recurrence) {
    // Occurrences federate one by one; those sent are updated or deleted as the change says
    // (series-federation.ts). No longer repeating: it goes out as one event. A single event made
    // recurring: its Event, which followers have, is deleted (with its change notes); its occurrences
    // then go out as any series' do (EventSeriesService.publishDue).
    let queued = false;
    if (after.recurrence && !before.recurrence && wasPublished) queued = await queueEventDelete(em, deps.urls, row, { single: true });
    queued = (await queueSeriesChange(em, { urls: deps.urls, changeNoteText: deps.changeNoteText, now: deps.now }, row, before, after)) || queued;
    if (!after.recurrence && after.published) queued = (await queueEventCreate(em, deps.urls, collective, row)) || queued;
    return queued;
  }
  if (after.published && !wasPublished) return queueEventCreate(em, deps.urls, collective, row);
  if (!after.published) return false;
  const queued = await writeOutbox(em, `${deps.urls.event(row.id).href}#update-${row.version}`, {
    kind: "update-event",
    collectiveId: collective.id,
    eventId: row.id,
    version: row.version,
  });
  // The note goes out with the Update's row, after the Update: one row keeps that order on retries.
  const text = described.time || described.place || described.status ? deps.changeNoteText(described, after, collective.primaryLanguage) : undefined;
  if (text) await insertChangeNote(em, { eventId: row.id, version: row.version, language: collective.primaryLanguage, text });
  return (await deps.onEventChanged(em, row.id)) || queued;
}
