import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { describeChanges, type changeNoteWriter } from "./event-change.ts";
import { insertChangeNote } from "./event-change-note.repository.ts";
import type { EventRow } from "./event.entity.ts";
import { findOccurrenceRows, isException, toException } from "./event-occurrence.repository.ts";
import { toPublishedEvent } from "./event.record.ts";
import type { EventInput } from "./event.schema.ts";
import { occurrenceAsEvent } from "./occurrence-event.ts";
import { expandOccurrences, type Occurrence, type OccurrenceException, occurrenceOn, type Series } from "./recurrence-expand.ts";

/** The occurrence on `date` with these exceptions, or undefined when the rule gives no occurrence that day. */
export function occurrenceOnDate(series: Series | undefined, exceptions: readonly OccurrenceException[], date: string): Occurrence | undefined {
  const base = series ? occurrenceOn(series, date) : undefined;
  if (!series || !base) return undefined;
  const near = { from: base.start.subtract({ hours: 24 * 400 }), to: base.start.add({ hours: 24 * 400 }), limit: 5000 };
  return expandOccurrences(series, exceptions, near).find((o) => o.date === date);
}

export function seriesOfInput(input: EventInput): Series | undefined {
  const { recurrence } = input;
  return recurrence ? { startsAt: input.startsAt, endsAt: input.endsAt, timezone: input.timezone, allDay: input.allDay, recurrence } : undefined;
}

/**
 * A whole series changed (its rule, times, place or status: PATCH, cancel, "from this date on", ended
 * early): what followers already have of it is put right, in the change's transaction. Each occurrence
 * that went out and is not over yet gets, when the rule no longer gives its date, a Delete (its row is
 * removed: it is deleted once, and the series' deletion will not delete it again); when its time, place
 * or status changed, an Update and a change note naming it (ids from the event's new `version`). Past
 * occurrences are left as followers saw them: a series changed today does not rewrite what was held.
 * Occurrences not sent yet need nothing: the worker publishes them as they then are. Returns whether rows
 * were queued.
 */
export async function queueSeriesChange(
  em: EntityManager,
  deps: { urls: Urls; changeNoteText: ReturnType<typeof changeNoteWriter> | undefined; now: Date },
  row: EventRow & { collective: Collective },
  before: EventInput,
  after: EventInput,
): Promise<boolean> {
  if (!row.published) return false;
  const all = await findOccurrenceRows(em, row.id);
  const rows = all.filter((r) => r.federatedAt !== null);
  if (rows.length === 0) return false;
  const exceptions = all.filter(isException).map(toException);
  const [oldSeries, newSeries] = [seriesOfInput(before), seriesOfInput(after)];
  const published = toPublishedEvent(row, row.collective, deps.urls);
  const previous = { ...published, ...before };
  const language = row.collective.primaryLanguage;
  const now = deps.now.getTime();
  let queued = false;
  for (const occ of rows) {
    const was = occurrenceOnDate(oldSeries, exceptions, occ.date);
    // Over (or unknown to the old rule): followers keep it as it was.
    if (!was || (was.endsAt ?? was.startsAt).epochMilliseconds <= now) continue;
    const apId = deps.urls.eventOccurrence(row.id, occ.date);
    const is = occurrenceOnDate(newSeries, exceptions, occ.date);
    if (!is) {
      em.remove(occ);
      queued = (await writeOutbox(em, `${apId.href}#delete`, { kind: "delete-occurrence", collectiveId: row.collective.id, eventId: row.id, date: occ.date })) || queued;
      continue;
    }
    const oldEvent = occurrenceAsEvent(previous, was, apId);
    const newEvent = occurrenceAsEvent(published, is, apId);
    const change = describeChanges(oldEvent, newEvent);
    if (!change.time && !change.place && !change.status && !change.text) continue;
    const text = change.time || change.place || change.status ? deps.changeNoteText?.({ ...change, text: false }, newEvent, language) : undefined;
    if (text) await insertChangeNote(em, { eventId: row.id, version: row.version, language, text, occurrenceDate: occ.date });
    queued = (await writeOutbox(em, `${apId.href}#update-${row.version}`, { kind: "update-occurrence", collectiveId: row.collective.id, eventId: row.id, date: occ.date, version: row.version })) || queued;
  }
  await em.flush();
  return queued;
}
