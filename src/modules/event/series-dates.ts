import { AppError, invalid } from "../../shared/errors.ts";
import type { EventInput } from "./event.schema.ts";
import type { PublishedEvent } from "./event.types.ts";
import { expandOccurrences, type Occurrence, type OccurrenceException, occurrenceOn, ruleDates, type Series } from "./recurrence-expand.ts";

// The dates of a recurring event as services read them: its series, the occurrence on a date with its
// exceptions, and the checks of a date given in a URL or a body.

/** The series of a recurring event (undefined for a single event). */
export function seriesOf(input: EventInput | PublishedEvent): Series | undefined {
  const { recurrence } = input;
  return recurrence ? { startsAt: input.startsAt, endsAt: input.endsAt, timezone: input.timezone, allDay: input.allDay, recurrence } : undefined;
}

/** The occurrence on `date` with these exceptions, or undefined when the rule gives no occurrence that day. */
export function occurrenceOnDate(series: Series | undefined, exceptions: readonly OccurrenceException[], date: string): Occurrence | undefined {
  const base = series ? occurrenceOn(series, date) : undefined;
  if (!series || !base) return undefined;
  const near = { from: base.start.subtract({ hours: 24 * 400 }), to: base.start.add({ hours: 24 * 400 }), limit: 5000 };
  return expandOccurrences(series, exceptions, near).find((o) => o.date === date);
}

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;

/** A local date written "2026-12-24" that exists ("2030-02-30" does not: a 4xx, not an exception). */
export function isDate(s: string): boolean {
  if (!dateOnly.test(s)) return false;
  try {
    Temporal.PlainDate.from(s);
    return true;
  } catch {
    return false;
  }
}

export function notRecurring(id: string) {
  return invalid(`the event ${id} does not repeat; give it a "recurrence" first (PATCH the event)`, [{ field: "recurrence", message: "the event has none" }]);
}

/** The date of an occurrence as the URL gives it, or a 404 naming the next dates of the series. */
export function checkDate(series: Series, date: string, id: string): { start: Temporal.Instant; end: Temporal.Instant | undefined } {
  const found = isDate(date) ? occurrenceOn(series, date) : undefined;
  if (found) return found;
  const next: string[] = [];
  for (const d of ruleDates(series)) {
    if (next.length >= 3) break;
    if (!isDate(date) || d.toString() > date) next.push(d.toString());
  }
  throw new AppError("not_found", 404, `the event ${id} has no occurrence on ${date}${next.length ? `; its next dates are ${next.join(", ")}` : ""}`);
}

/**
 * The key an occurrence federates under (its URL's last segment): its date for its first issue,
 * `<date>.<issue>` once it went out again after a Delete, since servers keep a tombstone of a deleted
 * id and refuse to create it anew (FEDERATION.md "Recurring events").
 */
export function occurrenceKey(date: string, issue: number): string {
  return issue > 1 ? `${date}.${issue}` : date;
}

/** A key back into its date and issue; undefined when it is no key. */
export function parseOccurrenceKey(key: string): { date: string; issue: number } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:\.([2-9]|[1-9]\d{1,5}))?$/.exec(key);
  if (!m || !isDate(m[1]!)) return undefined;
  return { date: m[1]!, issue: m[2] ? Number(m[2]) : 1 };
}
