// Recurrence rules of events: the subset of RFC 5545 RRULE people use (docs/adr: recurring events) —
// weekly on given days every N weeks, monthly on a day of the month or on the "2nd Tuesday", until a
// date or a number of times. A rule is read from a JSON object or an RRULE string, checked with messages
// that say what to fix, stored as this object (jsonb) and written back as an RRULE for feeds.
import type { FieldError } from "./event.schema.ts";

export const weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof weekdays)[number];

/** The nth weekday of a month: 1 to 4, or -1 for the last one. */
export interface WeekdayOfMonth {
  readonly ordinal: 1 | 2 | 3 | 4 | -1;
  readonly weekday: Weekday;
}

export interface RecurrenceRule {
  readonly frequency: "weekly" | "monthly";
  /** Every `interval` weeks or months (1 to 12). */
  readonly interval: number;
  /** Weekly: the days of the week (at least one; sorted from Monday). */
  readonly weekdays?: readonly Weekday[] | undefined;
  /** Monthly: the day of the month (1 to 31, or -1 for the last day); months without it are skipped. */
  readonly monthDay?: number | undefined;
  /** Monthly: the nth weekday of the month. */
  readonly weekdayOfMonth?: WeekdayOfMonth | undefined;
  /** The last date (local, inclusive) an occurrence may fall on: "2026-06-30". */
  readonly until?: string | undefined;
  /** How many occurrences (cancelled ones included, as RFC 5545 counts them). */
  readonly count?: number | undefined;
}

export const recurrenceLimits = { interval: 12, count: 500, years: 5 } as const;

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
const ruleKeys = ["frequency", "interval", "weekdays", "monthDay", "weekdayOfMonth", "until", "count"];

export type RuleParse = { ok: true; rule: RecurrenceRule } | { ok: false; errors: FieldError[] };

/**
 * A rule as the API takes it: an object `{"frequency": "weekly", "weekdays": ["TU"], "until": "2026-06-30"}`
 * or an RRULE string `"FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630"`. Fields are named `recurrence.<field>`.
 */
export function parseRecurrence(value: unknown): RuleParse {
  if (typeof value === "string") {
    const fromRrule = rruleToObject(value.trim().replace(/^RRULE:/i, ""));
    if (typeof fromRrule === "string") return { ok: false, errors: [{ field: "recurrence", message: fromRrule }] };
    value = fromRrule;
  }
  const errors: FieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field: field === "" ? "recurrence" : `recurrence.${field}`, message });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    err("", 'must be an object such as {"frequency": "weekly", "weekdays": ["TU"], "until": "2026-06-30"} or an RRULE such as "FREQ=WEEKLY;BYDAY=TU"');
    return { ok: false, errors };
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) if (!ruleKeys.includes(key)) err(key, `is not a field of a recurrence; remove it (accepted: ${ruleKeys.join(", ")})`);
  const frequency = v.frequency;
  if (frequency !== "weekly" && frequency !== "monthly") err("frequency", 'must be "weekly" or "monthly"');
  let interval = 1;
  if (v.interval !== undefined) {
    if (typeof v.interval !== "number" || !Number.isInteger(v.interval) || v.interval < 1 || v.interval > recurrenceLimits.interval) {
      err("interval", `must be a whole number from 1 to ${recurrenceLimits.interval} (every N weeks or months)`);
    } else interval = v.interval;
  }
  let days: Weekday[] | undefined;
  if (v.weekdays !== undefined) {
    if (frequency === "monthly") err("weekdays", 'is for weekly rules; for "the 2nd Tuesday" give weekdayOfMonth {"ordinal": 2, "weekday": "TU"}');
    else if (!Array.isArray(v.weekdays) || v.weekdays.length === 0) err("weekdays", 'must be a list of days such as ["TU", "TH"]');
    else {
      const bad = v.weekdays.filter((d) => !weekdays.includes(d as Weekday));
      if (bad.length > 0) err("weekdays", `${bad.map((d) => JSON.stringify(d)).join(", ")}: days are written ${weekdays.join(", ")}`);
      else days = weekdays.filter((d) => (v.weekdays as unknown[]).includes(d));
    }
  }
  let monthDay: number | undefined;
  let weekdayOfMonth: WeekdayOfMonth | undefined;
  if (v.monthDay !== undefined) {
    if (frequency !== "monthly") err("monthDay", "is for monthly rules");
    else if (typeof v.monthDay !== "number" || !Number.isInteger(v.monthDay) || v.monthDay === 0 || v.monthDay < -1 || v.monthDay > 31) {
      err("monthDay", "must be a day of the month from 1 to 31, or -1 for the last day");
    } else monthDay = v.monthDay;
  }
  if (v.weekdayOfMonth !== undefined) {
    const w = v.weekdayOfMonth as Record<string, unknown> | null;
    if (frequency !== "monthly") err("weekdayOfMonth", "is for monthly rules");
    else if (typeof w !== "object" || w === null || ![1, 2, 3, 4, -1].includes(w.ordinal as number) || !weekdays.includes(w.weekday as Weekday)) {
      err("weekdayOfMonth", 'must be like {"ordinal": 2, "weekday": "TU"} (ordinal 1 to 4, or -1 for the last)');
    } else weekdayOfMonth = { ordinal: w.ordinal as WeekdayOfMonth["ordinal"], weekday: w.weekday as Weekday };
  }
  if (frequency === "monthly" && monthDay !== undefined && weekdayOfMonth !== undefined) {
    err("weekdayOfMonth", "give either monthDay or weekdayOfMonth, not both");
  }
  let until: string | undefined;
  if (v.until !== undefined) {
    if (typeof v.until !== "string" || !dateOnly.test(v.until) || !validDate(v.until)) err("until", 'must be a date such as "2026-06-30" (the last day, included)');
    else until = v.until;
  }
  let count: number | undefined;
  if (v.count !== undefined) {
    if (typeof v.count !== "number" || !Number.isInteger(v.count) || v.count < 1 || v.count > recurrenceLimits.count) {
      err("count", `must be a whole number from 1 to ${recurrenceLimits.count}`);
    } else count = v.count;
  }
  if (until !== undefined && count !== undefined) err("count", "give either until or count, not both");
  if (errors.length > 0) return { ok: false, errors };
  const rule: RecurrenceRule = {
    frequency: frequency as RecurrenceRule["frequency"],
    interval,
    ...(days ? { weekdays: days } : {}),
    ...(monthDay !== undefined ? { monthDay } : {}),
    ...(weekdayOfMonth ? { weekdayOfMonth } : {}),
    ...(until ? { until } : {}),
    ...(count !== undefined ? { count } : {}),
  };
  return { ok: true, rule };
}

function validDate(text: string): boolean {
  try {
    Temporal.PlainDate.from(text, { overflow: "reject" });
    return true;
  } catch {
    return false;
  }
}

/** `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20260630` → the object form, or a message. */
function rruleToObject(text: string): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  for (const part of text.split(";").filter(Boolean)) {
    const [rawName, val] = part.split("=", 2) as [string, string | undefined];
    const name = rawName.toUpperCase();
    if (val === undefined || val === "") return `"${part}" is not NAME=VALUE; write e.g. FREQ=WEEKLY;BYDAY=TU`;
    const value = val.toUpperCase();
    switch (name) {
      case "FREQ":
        if (value !== "WEEKLY" && value !== "MONTHLY") return `FREQ=${value} is not supported: use FREQ=WEEKLY or FREQ=MONTHLY`;
        out.frequency = value.toLowerCase();
        break;
      case "INTERVAL":
        out.interval = /^\d+$/.test(value) ? Number(value) : value;
        break;
      case "BYMONTHDAY":
        if (value.includes(",")) return "BYMONTHDAY with several days is not supported: give one day";
        out.monthDay = /^-?\d+$/.test(value) ? Number(value) : value;
        break;
      case "BYDAY": {
        const days = value.split(",");
        const ordinal = /^([+-]?\d)([A-Z]{2})$/.exec(days[0] ?? "");
        if (ordinal) {
          if (days.length > 1) return "BYDAY with an ordinal (2TU) takes one day";
          out.weekdayOfMonth = { ordinal: Number(ordinal[1]), weekday: ordinal[2] };
        } else if (out.frequency === "monthly" || /FREQ=MONTHLY/i.test(text)) {
          return `monthly BYDAY needs an ordinal, such as BYDAY=2TU (second Tuesday) or BYDAY=-1FR (last Friday)`;
        } else out.weekdays = days;
        break;
      }
      case "UNTIL": {
        const m = /^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$/.exec(value);
        if (!m) return `UNTIL=${value} is not a date; write UNTIL=20260630`;
        out.until = `${m[1]}-${m[2]}-${m[3]}`;
        break;
      }
      case "COUNT":
        out.count = /^\d+$/.test(value) ? Number(value) : value;
        break;
      case "WKST":
        if (value !== "MO") return "WKST other than MO is not supported";
        break;
      default:
        return `${name} is not supported; a rule takes FREQ, INTERVAL, BYDAY, BYMONTHDAY, UNTIL and COUNT`;
    }
  }
  if (out.frequency === undefined) return "FREQ is missing; write e.g. FREQ=WEEKLY;BYDAY=TU";
  return out;
}

/** The weekday of a date as RRULE writes it. */
export function weekdayOf(date: Temporal.PlainDate): Weekday {
  return weekdays[date.dayOfWeek - 1]!;
}

/**
 * The RRULE value for a series starting at `start` (the local start): BYDAY/BYMONTHDAY spelled out even
 * when they equal DTSTART's (clients differ on defaults), UNTIL as the UTC instant of the end of the
 * last local day (RFC 5545: UTC when DTSTART has a TZID), or the date for all-day series.
 */
export function toRrule(rule: RecurrenceRule, start: Temporal.ZonedDateTime, allDay: boolean): string {
  const parts = [`FREQ=${rule.frequency.toUpperCase()}`];
  if (rule.interval > 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.frequency === "weekly") parts.push(`BYDAY=${(rule.weekdays ?? [weekdayOf(start.toPlainDate())]).join(",")}`);
  else if (rule.weekdayOfMonth) parts.push(`BYDAY=${rule.weekdayOfMonth.ordinal}${rule.weekdayOfMonth.weekday}`);
  else parts.push(`BYMONTHDAY=${rule.monthDay ?? start.day}`);
  if (rule.until !== undefined) {
    const day = Temporal.PlainDate.from(rule.until);
    if (allDay) parts.push(`UNTIL=${day.toString().replaceAll("-", "")}`);
    else {
      const end = day.add({ days: 1 }).toZonedDateTime({ timeZone: start.timeZoneId }).toInstant().subtract({ seconds: 1 });
      parts.push(`UNTIL=${end.toString().replace(/[-:]/g, "").replace(/\.\d+/, "")}`);
    }
  }
  if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`);
  return parts.join(";");
}
