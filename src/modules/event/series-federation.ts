import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { describeChanges, type changeNoteWriter } from "./event-change.ts";
import { insertChangeNote } from "./event-change-note.repository.ts";
import type { EventRow } from "./event.entity.ts";
import { findOccurrenceRows, isException, retireIssue, toException } from "./event-occurrence.repository.ts";
import { toPublishedEvent } from "./event.record.ts";
import type { EventInput } from "./event.schema.ts";
import { occurrenceAsEvent } from "./occurrence-event.ts";
import type { Occurrence } from "./recurrence-expand.ts";
import { occurrenceKey, occurrenceOnDate, seriesOf } from "./series-dates.ts";

/**
 * A whole series changed (its rule, times, place or status: PATCH, cancel, "from this date on", ended
 * early): what followers already have of it is put right, in the change's transaction. Each occurrence
 * that went out and is not over yet gets, when the rule no longer gives its date, a Delete (its row
 * forgets it was sent, so the series' deletion will not delete it again, and counts one more issue: the
 * date, should it come back, goes out under a new id); when its time, place
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
  const [oldSeries, newSeries] = [seriesOf(before), seriesOf(after)];
  const published = toPublishedEvent(row, row.collective, deps.urls);
  const previous = { ...published, ...before };
  const language = row.collective.primaryLanguage;
  const now = deps.now.getTime();
  let queued = false;
  for (const occ of rows) {
    const was = occurrenceOnDate(oldSeries, exceptions, occ.date);
    // Over (or unknown to the old rule): followers keep it as it was.
    if (!was || (was.endsAt ?? was.startsAt).epochMilliseconds <= now) continue;
    const key = occurrenceKey(occ.date, occ.issue);
    const apId = deps.urls.eventOccurrence(row.id, key);
    const is = occurrenceOnDate(newSeries, exceptions, occ.date);
    if (!is) {
      retireIssue(occ);
      queued = (await writeOutbox(em, `${apId.href}#delete`, { kind: "delete-occurrence", collectiveId: row.collective.id, eventId: row.id, date: key })) || queued;
      continue;
    }
    const oldEvent = occurrenceAsEvent(previous, was, apId);
    const newEvent = occurrenceAsEvent(published, is, apId);
    const change = describeChanges(oldEvent, newEvent);
    if (!change.time && !change.place && !change.status && !change.text) continue;
    const text = change.time || change.place || change.status ? deps.changeNoteText?.({ ...change, text: false }, newEvent, language) : undefined;
    if (text) await insertChangeNote(em, { eventId: row.id, version: row.version, language, text, occurrenceDate: key });
    queued = (await writeOutbox(em, `${apId.href}#update-${row.version}`, { kind: "update-occurrence", collectiveId: row.collective.id, eventId: row.id, date: key, version: row.version })) || queued;
  }
  await em.flush();
  return queued;
}

export interface ChangedOccurrence {
  readonly date: string;
  /** The key it federates under (series-dates.ts occurrenceKey). */
  readonly key: string;
  readonly before: Occurrence;
  readonly after: Occurrence;
  /** Whether it was federated (then its Update and change note go out). */
  readonly federated: boolean;
}

/**
 * A federated occurrence changed: its Update goes out (id from the event's new version) with a change
 * note when its time, place or status changed, in the change's transaction.
 */
export async function queueOccurrenceChange(
  em: EntityManager,
  deps: { urls: Urls; changeNoteText: ReturnType<typeof changeNoteWriter> | undefined },
  row: EventRow & { collective: Collective },
  changed: ChangedOccurrence,
): Promise<boolean> {
  const language = row.collective.primaryLanguage;
  const published = toPublishedEvent(row, row.collective, deps.urls);
  const apId = deps.urls.eventOccurrence(row.id, changed.key);
  const change = {
    time: !changed.before.startsAt.equals(changed.after.startsAt) || String(changed.before.endsAt) !== String(changed.after.endsAt),
    place: JSON.stringify(changed.before.exception?.location ?? null) !== JSON.stringify(changed.after.exception?.location ?? null) || changed.before.exception?.onlineUrl !== changed.after.exception?.onlineUrl,
    status: changed.before.cancelled !== changed.after.cancelled,
    text: false,
  };
  const text = deps.changeNoteText?.(change, occurrenceAsEvent(published, changed.after, apId), language);
  if (text) await insertChangeNote(em, { eventId: row.id, version: row.version, language, text, occurrenceDate: changed.key });
  return writeOutbox(em, `${apId.href}#update-${row.version}`, { kind: "update-occurrence", collectiveId: row.collective.id, eventId: row.id, date: changed.key, version: row.version });
}
