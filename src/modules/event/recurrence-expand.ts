// The occurrences of a recurring event: pure, in the event's zone (14:00 in Paris stays 14:00 across a
// change of daylight saving time), with the single occurrences' exceptions applied. An occurrence is
// named by the local date it falls on in the rule ("2026-12-24"): a rule makes at most one a day.
import type { LanguageMap } from "../../shared/language.ts";
import type { FieldError } from "./event.schema.ts";
import type { Place } from "./event.types.ts";
import { type RecurrenceRule, recurrenceLimits, weekdayOf, weekdays } from "./recurrence.ts";

export interface Series {
  /** The first occurrence (DTSTART). */
  readonly startsAt: Temporal.Instant;
  readonly endsAt?: Temporal.Instant | undefined;
  readonly timezone: string;
  readonly allDay: boolean;
  readonly recurrence: RecurrenceRule;
}

/** What changes one occurrence: cancelled, moved (another time), or held elsewhere. */
export interface OccurrenceException {
  /** The local date the rule gives it (its RECURRENCE-ID). */
  readonly date: string;
  readonly cancelled: boolean;
  readonly startsAt?: Temporal.Instant | undefined;
  readonly endsAt?: Temporal.Instant | undefined;
  readonly location?: Place | undefined;
  readonly onlineUrl?: string | undefined;
  /** Why it is cancelled or changed, per language. */
  readonly reason?: LanguageMap | undefined;
  /** Grows with each change of this exception (iCal SEQUENCE of the override, Update ids). */
  readonly version: number;
}

export interface Occurrence {
  readonly date: string;
  /** Where the rule puts it (RECURRENCE-ID). */
  readonly originalStart: Temporal.Instant;
  readonly startsAt: Temporal.Instant;
  readonly endsAt: Temporal.Instant | undefined;
  readonly cancelled: boolean;
  readonly moved: boolean;
  /** Set when this occurrence is held elsewhere than the series. */
  readonly exception: OccurrenceException | undefined;
}

/** Every date the rule gives, in order, from the start's date; stops after `count`, `until`, or `maxYears`. */
export function* ruleDates(series: Series, maxYears = 50): Generator<Temporal.PlainDate> {
  const rule = series.recurrence;
  const first = series.startsAt.toZonedDateTimeISO(series.timezone).toPlainDate();
  const until = rule.until === undefined ? first.add({ years: maxYears }) : Temporal.PlainDate.from(rule.until);
  let left = rule.count ?? Number.POSITIVE_INFINITY;
  const emit = function* (d: Temporal.PlainDate): Generator<Temporal.PlainDate, boolean> {
    if (Temporal.PlainDate.compare(d, first) < 0) return true;
    if (Temporal.PlainDate.compare(d, until) > 0 || left <= 0) return false;
    left--;
    yield d;
    return true;
  };
  if (rule.frequency === "weekly") {
    const days = (rule.weekdays ?? [weekdayOf(first)]).map((d) => weekdays.indexOf(d));
    let monday = first.subtract({ days: first.dayOfWeek - 1 });
    for (;;) {
      for (const offset of days) if (!(yield* emit(monday.add({ days: offset })))) return;
      monday = monday.add({ weeks: rule.interval });
    }
  }
  let month = first.toPlainYearMonth();
  for (;;) {
    const d = dayInMonth(rule, month, first);
    if (d !== undefined && !(yield* emit(d))) return;
    if (Temporal.PlainDate.compare(month.toPlainDate({ day: 1 }), until) > 0) return;
    month = month.add({ months: rule.interval });
  }
}

function dayInMonth(rule: RecurrenceRule, month: Temporal.PlainYearMonth, first: Temporal.PlainDate): Temporal.PlainDate | undefined {
  if (rule.weekdayOfMonth) {
    const target = weekdays.indexOf(rule.weekdayOfMonth.weekday) + 1;
    if (rule.weekdayOfMonth.ordinal === -1) {
      const last = month.toPlainDate({ day: month.daysInMonth });
      return last.subtract({ days: (last.dayOfWeek - target + 7) % 7 });
    }
    const day1 = month.toPlainDate({ day: 1 });
    const d = day1.add({ days: (target - day1.dayOfWeek + 7) % 7 + 7 * (rule.weekdayOfMonth.ordinal - 1) });
    return d.month === month.month ? d : undefined;
  }
  const day = rule.monthDay ?? first.day;
  if (day === -1) return month.toPlainDate({ day: month.daysInMonth });
  // RFC 5545: a day the month does not have (the 31st of April) gives no occurrence that month.
  return day <= month.daysInMonth ? month.toPlainDate({ day }) : undefined;
}

/** The base times of the occurrence on `date`: same wall-clock start and length as the first one. */
export function occurrenceTimes(series: Series, date: Temporal.PlainDate): { start: Temporal.Instant; end: Temporal.Instant | undefined } {
  const first = series.startsAt.toZonedDateTimeISO(series.timezone);
  const startLocal = date.toPlainDateTime(first.toPlainTime());
  const toInstant = (pdt: Temporal.PlainDateTime) => pdt.toZonedDateTime(series.timezone, { disambiguation: "compatible" }).toInstant();
  const start = toInstant(startLocal);
  if (series.endsAt === undefined) return { start, end: undefined };
  const length = first.toPlainDateTime().until(series.endsAt.toZonedDateTimeISO(series.timezone).toPlainDateTime());
  return { start, end: toInstant(startLocal.add(length)) };
}

export interface ExpandOptions {
  /** Occurrences not over before this instant. */
  readonly from?: Temporal.Instant | undefined;
  /** Occurrences starting before this instant. */
  readonly to?: Temporal.Instant | undefined;
  /** At most this many (1000 by default). */
  readonly limit?: number | undefined;
  /** Leave cancelled occurrences out. */
  readonly withoutCancelled?: boolean | undefined;
}

/**
 * The occurrences in the window, soonest first, exceptions applied (moved ones at their new time).
 * An occurrence without an end is over when it starts.
 */
export function expandOccurrences(series: Series, exceptions: readonly OccurrenceException[], opts: ExpandOptions = {}): Occurrence[] {
  const limit = opts.limit ?? 1000;
  const byDate = new Map(exceptions.map((e) => [e.date, e]));
  const from = opts.from?.epochMilliseconds ?? Number.NEGATIVE_INFINITY;
  const to = opts.to?.epochMilliseconds ?? Number.POSITIVE_INFINITY;
  // A moved occurrence may leave its place in the order: read a month past the window's end.
  const stop = to + 31 * 86_400_000;
  const out: Occurrence[] = [];
  for (const date of ruleDates(series)) {
    const base = occurrenceTimes(series, date);
    if (base.start.epochMilliseconds >= stop || out.length >= limit + 8) break;
    const key = date.toString();
    const exception = byDate.get(key);
    const startsAt = exception?.startsAt ?? base.start;
    const endsAt = exception?.startsAt ? exception.endsAt : base.end;
    const cancelled = exception?.cancelled ?? false;
    if (cancelled && opts.withoutCancelled) continue;
    const last = (endsAt ?? startsAt).epochMilliseconds;
    if (last < from || startsAt.epochMilliseconds >= to) continue;
    out.push({ date: key, originalStart: base.start, startsAt, endsAt, cancelled, moved: exception?.startsAt !== undefined, exception });
  }
  out.sort((a, b) => Temporal.Instant.compare(a.startsAt, b.startsAt));
  return out.slice(0, limit);
}

/** The occurrence the rule gives on `date`, or undefined when the rule gives none that day. */
export function occurrenceOn(series: Series, date: string): { start: Temporal.Instant; end: Temporal.Instant | undefined } | undefined {
  const day = Temporal.PlainDate.from(date);
  for (const d of ruleDates(series)) {
    const c = Temporal.PlainDate.compare(d, day);
    if (c === 0) return occurrenceTimes(series, d);
    if (c > 0) return undefined;
  }
  return undefined;
}

/**
 * When the series is over: the end (or start) of its last occurrence, exceptions included; undefined
 * for a series without `until` or `count`.
 */
export function seriesEnd(series: Series, exceptions: readonly OccurrenceException[]): Temporal.Instant | undefined {
  if (series.recurrence.until === undefined && series.recurrence.count === undefined) return undefined;
  let last: Temporal.Instant | undefined;
  for (const o of expandOccurrences(series, exceptions, { limit: recurrenceLimits.count * 10 })) {
    const end = o.endsAt ?? o.startsAt;
    if (last === undefined || Temporal.Instant.compare(end, last) > 0) last = end;
  }
  return last ?? series.endsAt ?? series.startsAt;
}

/** Problems of a rule against its event's first occurrence: the start must be one of the rule's dates. */
export function seriesErrors(series: Series): FieldError[] {
  const rule = series.recurrence;
  const first = series.startsAt.toZonedDateTimeISO(series.timezone).toPlainDate();
  const errors: FieldError[] = [];
  const dayName = first.toLocaleString("en", { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  if (rule.frequency === "weekly" && rule.weekdays && !rule.weekdays.includes(weekdayOf(first))) {
    errors.push({
      field: "startsAt",
      message: `the first occurrence (${dayName}) is not on one of the rule's days (${rule.weekdays.join(", ")}); start on one of them or add ${weekdayOf(first)}`,
    });
  }
  if (rule.frequency === "monthly") {
    const d = dayInMonth(rule, first.toPlainYearMonth(), first);
    if (d === undefined || !d.equals(first)) {
      const what = rule.weekdayOfMonth
        ? `the ${rule.weekdayOfMonth.ordinal === -1 ? "last" : `#${rule.weekdayOfMonth.ordinal}`} ${rule.weekdayOfMonth.weekday} of its month`
        : `day ${rule.monthDay} of its month`;
      errors.push({ field: "startsAt", message: `the first occurrence (${dayName}) is not ${what}; start on ${d?.toString() ?? "a month that has it"}` });
    }
  }
  if (rule.until !== undefined) {
    const until = Temporal.PlainDate.from(rule.until);
    if (Temporal.PlainDate.compare(until, first) < 0) errors.push({ field: "recurrence.until", message: `is before the first occurrence (${first}); give a later date` });
    else if (Temporal.PlainDate.compare(until, first.add({ years: recurrenceLimits.years })) > 0) {
      errors.push({ field: "recurrence.until", message: `at most ${recurrenceLimits.years} years after the first occurrence; leave it out for a series without an end` });
    }
  }
  if (series.endsAt !== undefined && !series.allDay) {
    const length = series.endsAt.epochMilliseconds - series.startsAt.epochMilliseconds;
    const weekly = rule.frequency === "weekly" ? 7 * rule.interval : 28 * rule.interval;
    const closest = rule.frequency === "weekly" && (rule.weekdays?.length ?? 1) > 1 ? 1 : weekly;
    if (length > closest * 86_400_000) errors.push({ field: "endsAt", message: "an occurrence would end after the next one starts; shorten it" });
  }
  return errors;
}
