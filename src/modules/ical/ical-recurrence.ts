// What a recurring event adds to the feed (docs/adr/0027): RRULE and EXDATE on its VEVENT, and an
// overriding VEVENT (same UID, RECURRENCE-ID) for each occurrence that is cancelled, moved or elsewhere.
// Times are written as the master's DTSTART is: in its zone with TZID, in UTC, or as dates (all-day).
import type { PublishedEvent } from "../event/event.types.ts";
export { occurrenceAsEvent } from "../event/occurrence-event.ts";
import { expandOccurrences, type Occurrence, occurrenceOn, type Series } from "../event/recurrence-expand.ts";
import { toRrule } from "../event/recurrence.ts";
import { dayMs, formatDateTime } from "./ical-time.ts";
import type { ZoneRules } from "./vtimezone.ts";

export function seriesOfEvent(event: PublishedEvent): Series | undefined {
  const { recurrence } = event;
  return recurrence ? { startsAt: event.startsAt, endsAt: event.endsAt, timezone: event.timezone, allDay: event.allDay, recurrence } : undefined;
}

/** A DATE-TIME (or DATE) property in the form of the master's DTSTART. */
export function timeProperty(name: string, ms: number, zone: string | null, rules: ZoneRules | undefined, allDay: boolean): string {
  const offset = rules?.offsetAt(ms) ?? 0;
  if (allDay) return `${name};VALUE=DATE:${formatDateTime(Math.floor((ms + offset) / dayMs) * dayMs).slice(0, 8)}`;
  if (zone !== null && rules !== undefined) return `${name};TZID=${zone}:${formatDateTime(ms + offset)}`;
  return `${name}:${formatDateTime(ms)}Z`;
}

/** The occurrences that differ from the rule (cancelled, moved, elsewhere), by their date. */
export function exceptionalOccurrences(event: PublishedEvent): Occurrence[] {
  const series = seriesOfEvent(event);
  if (series === undefined || (event.exceptions ?? []).length === 0) return [];
  const dates = new Set((event.exceptions ?? []).map((e) => e.date));
  const last = (event.exceptions ?? []).map((e) => e.date).sort().at(-1)!;
  const to = Temporal.PlainDate.from(last).add({ days: 2 }).toZonedDateTime({ timeZone: event.timezone }).toInstant();
  return expandOccurrences(series, event.exceptions ?? [], { to, limit: 5000 }).filter((o) => dates.has(o.date));
}

/** RRULE and EXDATE (cancelled dates) of the master VEVENT. */
export function masterLines(event: PublishedEvent, zone: string | null, rules: ZoneRules | undefined): string[] {
  const series = seriesOfEvent(event);
  if (series === undefined) return [];
  const start = event.startsAt.toZonedDateTimeISO(event.timezone);
  const lines = [`RRULE:${toRrule(series.recurrence, start, event.allDay)}`];
  const excluded: number[] = [];
  for (const o of exceptionalOccurrences(event)) {
    if (o.cancelled && !event.feedView?.cancelledShown) excluded.push(o.originalStart.epochMilliseconds);
  }
  // Dates a filtered feed leaves out (feed-occurrences.ts).
  for (const date of event.feedView?.hiddenDates ?? []) {
    const at = occurrenceOn(series, date);
    if (at) excluded.push(at.start.epochMilliseconds);
  }
  for (const ms of excluded.sort((a, b) => a - b)) lines.push(timeProperty("EXDATE", ms, zone, rules, event.allDay));
  return lines;
}

/** The last year a series' VTIMEZONE must cover: its end, or a few years from now for a series without one. */
export function seriesLastYear(event: PublishedEvent, nowYear: number): number {
  const until = event.recurrence?.until;
  if (until !== undefined) return Number(until.slice(0, 4)) + 1;
  if (event.recurrence?.count !== undefined) {
    const months = event.recurrence.frequency === "monthly" ? event.recurrence.count * event.recurrence.interval : Math.ceil((event.recurrence.count * 7 * event.recurrence.interval) / 28);
    return event.startsAt.toZonedDateTimeISO("UTC").year + Math.ceil(months / 12) + 1;
  }
  return Math.max(nowYear, event.startsAt.toZonedDateTimeISO("UTC").year) + 3;
}
