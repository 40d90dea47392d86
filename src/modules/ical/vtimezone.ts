// VTIMEZONE components built from the runtime's time zone data (Intl): the UTC offsets of an IANA zone over
// a range of years, the transitions found by scanning week by week and bisecting to the second, then
// written as STANDARD/DAYLIGHT components. The same rules convert event instants to local wall times, so
// a DTSTART and the VTIMEZONE that explains it can never disagree.
import { civil, daysInMonth, dayMs, epochFromCivil, formatDateTime, formatOffset, utcYear } from "./ical-time.ts";
import { escapeText } from "./ical-text.ts";

/** A change of UTC offset: at `at` (epoch ms) the offset goes from `from` to `to` (both in ms). */
export interface ZoneTransition {
  readonly at: number;
  readonly from: number;
  readonly to: number;
}

// Two transitions less than a week apart that cancel each other out would be missed; tzdata has none
// since the 1940s (Morocco's Ramadan breaks, the closest modern ones, last about a month).
const scanStepMs = 7 * dayMs;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const nameFormatters = new Map<string, Intl.DateTimeFormat>();
const wallTime = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

function offsetFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = offsetFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    offsetFormatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's UTC offset (ms) at an instant, as the runtime's tz data says. Throws RangeError for an unknown zone. */
export function intlOffset(zone: string, epochMs: number): number {
  const text = offsetFormatter(zone).format(epochMs);
  const m = wallTime.exec(text);
  if (m === null) throw new Error(`unexpected Intl output for ${zone}: ${text}`);
  const local = epochFromCivil(Number(m[3]), Number(m[1]), Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
  return local - Math.floor(epochMs / 1000) * 1000;
}

/** A short name for the offset in force at an instant (`EST`, `GMT+1`, `UTC`), for TZNAME. */
function zoneAbbreviation(zone: string, epochMs: number): string {
  let formatter = nameFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" });
    nameFormatters.set(zone, formatter);
  }
  return formatter.formatToParts(epochMs).find((part) => part.type === "timeZoneName")?.value ?? zone;
}

function findTransitions(zone: string, start: number, end: number): { initial: number; transitions: ZoneTransition[] } {
  const transitions: ZoneTransition[] = [];
  const initial = intlOffset(zone, start);
  let t = start;
  let offset = initial;
  while (t < end) {
    const next = Math.min(t + scanStepMs, end);
    if (intlOffset(zone, next) === offset) {
      t = next;
      continue;
    }
    // Bisect on whole seconds: `lo` still has `offset`, `hi` has another one.
    let lo = t;
    let hi = next;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (intlOffset(zone, mid) === offset) lo = mid;
      else hi = mid;
    }
    const to = intlOffset(zone, hi);
    transitions.push({ at: hi, from: offset, to });
    offset = to;
    t = hi;
  }
  return { initial, transitions };
}

/**
 * The offsets of one zone between 1 January of `fromYear` and 31 December of `toYear` (with a day of
 * margin on both sides), and the VTIMEZONE that describes them.
 */
export class ZoneRules {
  readonly zone: string;
  readonly fromYear: number;
  readonly toYear: number;
  /** Epoch ms covered: [start, end). */
  readonly start: number;
  readonly end: number;
  readonly initialOffset: number;
  readonly transitions: readonly ZoneTransition[];
  #vtimezone: string | undefined;

  constructor(zone: string, fromYear: number, toYear: number) {
    this.zone = zone;
    this.fromYear = fromYear;
    this.toYear = toYear;
    this.start = epochFromCivil(fromYear, 1, 1) - dayMs;
    this.end = epochFromCivil(toYear + 1, 1, 1) + dayMs;
    const { initial, transitions } = findTransitions(zone, this.start, this.end);
    this.initialOffset = initial;
    this.transitions = transitions;
  }

  /** Index of the last transition at or before `epochMs`, or -1. */
  #lastTransition(epochMs: number): number {
    let lo = 0;
    let hi = this.transitions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.transitions[mid]!.at <= epochMs) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** UTC offset (ms) at an instant; outside the covered range it asks Intl directly. */
  offsetAt(epochMs: number): number {
    if (epochMs < this.start || epochMs >= this.end) return intlOffset(this.zone, epochMs);
    const i = this.#lastTransition(epochMs);
    return i < 0 ? this.initialOffset : this.transitions[i]!.to;
  }

  /**
   * True when the instant's local wall time happens twice (the hour repeated when clocks go back), on
   * either pass. RFC 5545 §3.3.5 reads such a time as the first pass, but ical.js and python-icalendar
   * read it as the second: these instants are written in UTC, which no client can misread.
   */
  isAmbiguousWallTime(epochMs: number): boolean {
    if (epochMs < this.start || epochMs >= this.end) return false;
    const i = this.#lastTransition(epochMs);
    const previous = this.transitions[i];
    if (previous !== undefined && previous.from > previous.to && epochMs < previous.at + (previous.from - previous.to)) {
      return true;
    }
    const next = this.transitions[i + 1];
    return next !== undefined && next.from > next.to && epochMs >= next.at - (next.from - next.to);
  }

  /** The VTIMEZONE component (lines ending in CRLF, all shorter than 75 octets). */
  get vtimezone(): string {
    this.#vtimezone ??= renderVtimezone(this);
    return this.#vtimezone;
  }
}

interface Onset {
  readonly at: number;
  readonly from: number;
  readonly to: number;
  readonly daylight: boolean;
  readonly name: string;
}

interface Component {
  readonly first: Onset;
  count: number;
  /** BYDAY values (e.g. `-1SU`, `2SU`) that every onset of the run satisfies. */
  byDay: string[];
}

const weekdays = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const;

/** The BYDAY rules of an RRULE:FREQ=YEARLY;BYMONTH=… that hit this date: nth weekday and/or last weekday. */
function byDayCandidates(year: number, month: number, day: number, weekday: number): string[] {
  const candidates: string[] = [];
  const nth = Math.ceil(day / 7);
  if (nth <= 4) candidates.push(nth + weekdays[weekday]!);
  if (day + 7 > daysInMonth(year, month)) candidates.push("-1" + weekdays[weekday]!);
  return candidates;
}

/**
 * Standard time is the lowest offset in force during the calendar year; anything above it is daylight
 * time (this also puts Lord Howe's 30-minute shift and Dublin's "negative DST" on the expected side).
 */
function standardOffsets(rules: ZoneRules): (at: number) => number {
  const lowest = new Map<number, number>();
  for (let year = rules.fromYear; year <= rules.toYear; year++) {
    lowest.set(year, rules.offsetAt(epochFromCivil(year, 1, 1)));
  }
  const yearOf = (at: number): number => Math.min(rules.toYear, Math.max(rules.fromYear, utcYear(at)));
  for (const t of rules.transitions) {
    const year = yearOf(t.at);
    lowest.set(year, Math.min(lowest.get(year) ?? t.to, t.to));
  }
  return (at) => lowest.get(yearOf(at)) ?? Number.NEGATIVE_INFINITY;
}

function renderVtimezone(rules: ZoneRules): string {
  const standardOffset = standardOffsets(rules);
  const onset = (at: number, from: number, to: number): Onset => ({
    at,
    from,
    to,
    daylight: to > standardOffset(at),
    name: zoneAbbreviation(rules.zone, at),
  });
  // The first component only states the offset in force when the range starts: without it, clients
  // (ical.js among them) have nothing to apply to times before the first transition.
  const components: Component[] = [
    { first: onset(rules.start, rules.initialOffset, rules.initialOffset), count: 1, byDay: [] },
  ];
  // Transitions that repeat every year on the same rule (same offsets, month, wall time and weekday
  // rule) become one component with an RRULE and a COUNT; the others are dated components.
  const runs = new Map<string, { component: Component; lastYear: number }>();
  for (const t of rules.transitions) {
    const o = onset(t.at, t.from, t.to);
    const wall = civil(t.at + t.from);
    const key = `${o.daylight}|${o.from}|${o.to}|${o.name}|${wall.month}|${wall.hour}:${wall.minute}:${wall.second}`;
    const candidates = byDayCandidates(wall.year, wall.month, wall.day, wall.weekday);
    const run = runs.get(key);
    if (run !== undefined && run.lastYear === wall.year - 1) {
      const common = run.component.byDay.filter((rule) => candidates.includes(rule));
      if (common.length > 0) {
        run.component.byDay = common;
        run.component.count++;
        run.lastYear = wall.year;
        continue;
      }
    }
    const component: Component = { first: o, count: 1, byDay: candidates };
    components.push(component);
    runs.set(key, { component, lastYear: wall.year });
  }

  let text = "BEGIN:VTIMEZONE\r\nTZID:" + escapeText(rules.zone) + "\r\n";
  for (const { first, count, byDay } of components) {
    const kind = first.daylight ? "DAYLIGHT" : "STANDARD";
    text += "BEGIN:" + kind + "\r\nDTSTART:" + formatDateTime(first.at + first.from) + "\r\n";
    if (count > 1) {
      const month = civil(first.at + first.from).month;
      text += `RRULE:FREQ=YEARLY;BYMONTH=${month};BYDAY=${byDay[0]};COUNT=${count}\r\n`;
    }
    text += "TZOFFSETFROM:" + formatOffset(first.from) + "\r\nTZOFFSETTO:" + formatOffset(first.to) + "\r\n";
    text += "TZNAME:" + escapeText(first.name) + "\r\nEND:" + kind + "\r\n";
  }
  return text + "END:VTIMEZONE\r\n";
}

const cacheLimit = 256;
const cache = new Map<string, ZoneRules>();

/**
 * The rules of `zone` for the years `fromYear`…`toYear`, cached per (zone, years). Throws RangeError when
 * the runtime does not know the zone.
 */
export function zoneRules(zone: string, fromYear: number, toYear: number): ZoneRules {
  const key = zone + "|" + fromYear + "|" + toYear;
  let rules = cache.get(key);
  if (rules === undefined) {
    rules = new ZoneRules(zone, fromYear, toYear);
    if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value as string);
    cache.set(key, rules);
  }
  return rules;
}

/** The VTIMEZONE of `zone` for the years `fromYear`…`toYear` (CRLF line ends). */
export function vtimezone(zone: string, fromYear: number, toYear: number): string {
  return zoneRules(zone, fromYear, toYear).vtimezone;
}

/** Empties the rules cache (benchmarks measure cold renders with it). */
export function clearZoneCache(): void {
  cache.clear();
}
