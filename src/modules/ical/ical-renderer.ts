// iCalendar (RFC 5545, RFC 7986) feeds of published events. ical-generator writes the calendar's properties
// and every VEVENT; this adds what it cannot do: times already converted to the event's zone
// (calendar-time.ts), the properties of feed-event.ts, the calendar name (escaped, with its language) and
// the VTIMEZONEs of our own builder (vtimezone.ts), and folds the lines. Measurements: docs/adr/0007.
import ical, { type ICalCalendar, ICalCalendarMethod, ICalEventStatus, type ICalLocation } from "ical-generator";
import { isLanguageTag, type LanguageMap, pickLanguage } from "../../shared/language.ts";
import type { EventStatus, Place, PublishedEvent } from "../event/event.types.ts";
import { CalendarTime } from "./calendar-time.ts";
import { eventUid } from "./event-uid.ts";
import { FeedEvent } from "./feed-event.ts";
import { dayMs, utcYear } from "./ical-time.ts";
import { escapeText, foldLine, icalSafeText } from "./ical-text.ts";
import { htmlToPlainText } from "./plain-text.ts";
import { type ZoneRules, zoneRules } from "./vtimezone.ts";
import { exceptionalOccurrences, masterLines, occurrenceAsEvent, seriesLastYear, timeProperty } from "./ical-recurrence.ts";

export interface CalendarOptions {
  /** The feed's name, per language or as one text (NAME, X-WR-CALNAME). */
  readonly name: LanguageMap | string;
  /** Languages asked for, most wanted first; each event falls back to its collective's primary language, then any. */
  readonly languages: readonly string[];
  /** The web page this feed stands for (URL). */
  readonly url?: URL | undefined;
  /** How often clients should fetch the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL); 60 by default. */
  readonly refreshMinutes?: number | undefined;
  /** The present: cancelled events that are over are left out. Defaults to the clock. */
  readonly now?: Temporal.Instant | undefined;
}

const prodId = "//Relais//Relais event feed//EN";

const statusValues: Readonly<Record<EventStatus, ICalEventStatus>> = {
  scheduled: ICalEventStatus.CONFIRMED,
  cancelled: ICalEventStatus.CANCELLED,
  // The new date is not known yet: the event is kept, marked as not settled.
  postponed: ICalEventStatus.TENTATIVE,
};

/** What a TZID may hold unquoted (every IANA name does); ical-generator writes it as is. */
const plainZoneName = /^[A-Za-z0-9/_+-]+$/;

const countryNames = new Map<string, string>();
/** The country's name in `language` (Intl's data), or its code; cached per language and code. */
function countryName(code: string, language: string): string {
  const key = language + "|" + code;
  let name = countryNames.get(key);
  if (name === undefined) {
    try {
      name = new Intl.DisplayNames([language], { type: "region", fallback: "code" }).of(code) ?? code;
    } catch {
      name = code;
    }
    if (countryNames.size < 10_000) countryNames.set(key, name);
  }
  return name;
}

/** "Name, street, postal code locality, region, country": what a calendar shows and a map app can search. */
export function locationText(place: Place, language: string): string {
  const parts: string[] = [];
  const add = (part: string | undefined): void => {
    const text = part?.trim();
    if (text && !parts.includes(text)) parts.push(text);
  };
  add(place.name);
  add(place.streetAddress);
  add([place.postalCode?.trim(), place.locality?.trim()].filter(Boolean).join(" "));
  add(place.region);
  if (place.country) add(countryName(place.country, language));
  return parts.join(", ");
}

function coordinate(value: number): number {
  // ~0.1 m; more digits only make the line longer.
  return Number(value.toFixed(6));
}

interface EventTimes {
  readonly start: number;
  readonly end: number | undefined;
}

/** Whether the event is over at `now`: all-day events at the end of their last local day. */
function isOver(event: PublishedEvent, times: EventTimes, rules: ZoneRules | undefined, now: number): boolean {
  const last = times.end ?? times.start;
  if (!event.allDay) return last <= now;
  const offset = rules?.offsetAt(last) ?? 0;
  return (Math.floor((last + offset) / dayMs) + 1) * dayMs - offset <= now;
}

function descriptionText(event: PublishedEvent, languages: readonly string[], primary: string): string {
  const paragraphs: string[] = [];
  if (event.status !== "scheduled" && event.statusReason !== undefined) {
    const reason = pickLanguage(event.statusReason, languages, primary)?.text.trim();
    if (reason) paragraphs.push(reason);
  }
  const html = event.description === undefined ? undefined : pickLanguage(event.description, languages, primary);
  const body = html === undefined ? undefined : htmlToPlainText(html.text);
  if (body) paragraphs.push(body);
  else if (event.summary !== undefined) {
    const summary = pickLanguage(event.summary, languages, primary)?.text.trim();
    if (summary) paragraphs.push(summary);
  }
  if (event.onlineUrl) paragraphs.push(event.onlineUrl);
  paragraphs.push((event.remote?.pageUrl ?? event.apId).href);
  return icalSafeText(paragraphs.join("\n\n"));
}

/**
 * DTSTART and DTEND: all-day events as DATE values (DTEND the day after the last one), other events as
 * wall times of their zone with TZID, or in UTC when the runtime does not know the zone or a time falls in
 * the hour repeated when clocks go back (common parsers read it as its second pass, against the RFC).
 */
function eventTimes(event: PublishedEvent, times: EventTimes, rules: ZoneRules | undefined) {
  const { start, end } = times;
  if (event.allDay) {
    const startDay = Math.floor((start + (rules?.offsetAt(start) ?? 0)) / dayMs);
    const lastDay = end === undefined ? startDay : Math.floor((end + (rules?.offsetAt(end) ?? 0)) / dayMs);
    const endDay = Math.max(lastDay, startDay) + 1;
    return {
      allDay: true,
      timezone: null,
      start: new CalendarTime(start, startDay * dayMs),
      end: new CalendarTime(end ?? start, endDay * dayMs),
    };
  }
  const until = end !== undefined && end > start ? end : undefined;
  const zoned =
    rules !== undefined &&
    plainZoneName.test(event.timezone) &&
    !rules.isAmbiguousWallTime(start) &&
    (until === undefined || !rules.isAmbiguousWallTime(until));
  const at = (ms: number): CalendarTime => new CalendarTime(ms, zoned ? ms + rules.offsetAt(ms) : ms);
  return {
    allDay: false,
    timezone: zoned ? event.timezone : null,
    start: at(start),
    end: until === undefined ? null : at(until),
  };
}

function toFeedEvent(
  event: PublishedEvent,
  times: EventTimes,
  languages: readonly string[],
  rules: ZoneRules | undefined,
  calendar: ICalCalendar,
  more?: (zone: string | null) => string[],
): FeedEvent {
  const when = eventTimes(event, times, rules);
  const primary = event.organizer.primaryLanguage;
  const name = pickLanguage(event.name, languages, primary);
  const language = name?.language ?? primary;
  const place = event.location;
  const where = place === undefined ? "" : icalSafeText(locationText(place, language));
  const lat = place?.latitude;
  const lon = place?.longitude;
  const geo =
    lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180
      ? { lat: coordinate(lat), lon: coordinate(lon) }
      : undefined;
  const title = where !== "" ? where : icalSafeText(event.onlineUrl ?? "");
  let location: ICalLocation | null = null;
  if (title !== "") location = geo === undefined ? { title } : { title, geo };
  else if (geo !== undefined) location = { geo };

  const categories: string[] = [];
  if (event.category !== undefined) categories.push(event.category);
  for (const tag of event.tags) if (tag !== "" && !categories.includes(tag)) categories.push(tag);

  return new FeedEvent(
    {
      id: eventUid(event.apId),
      sequence: Math.max(0, Math.floor(event.sequence)),
      stamp: CalendarTime.utc(event.updatedAt.epochMilliseconds),
      created: CalendarTime.utc(event.publishedAt.epochMilliseconds),
      lastModified: CalendarTime.utc(event.updatedAt.epochMilliseconds),
      ...when,
      summary: name === undefined ? "" : icalSafeText(name.text),
      description: descriptionText(event, languages, primary),
      location,
      status: statusValues[event.status],
      categories: categories.map((category) => ({ name: icalSafeText(category) })),
    },
    calendar,
    {
      language: isLanguageTag(language) ? language : undefined,
      languageOfLocation: where !== "",
      url: (event.remote?.pageUrl ?? event.apId).href,
      conference: event.onlineUrl,
      contact: event.contact === undefined || event.contact === "" ? undefined : escapeText(event.contact),
      image: event.image,
      more: more?.(when.timezone),
    },
  );
}

/** NAME and X-WR-CALNAME: ical-generator writes the name unescaped and without its language. */
function nameLines(opts: CalendarOptions): string {
  const picked =
    typeof opts.name === "string"
      ? { text: opts.name, language: undefined }
      : pickLanguage(opts.name, opts.languages, opts.languages[0] ?? "");
  if (picked === undefined || picked.text === "") return "";
  const text = escapeText(picked.text);
  const param = picked.language !== undefined && isLanguageTag(picked.language) ? ";LANGUAGE=" + picked.language : "";
  return foldLine("NAME" + param + ":" + text) + "\r\n" + foldLine("X-WR-CALNAME:" + text) + "\r\n";
}

/**
 * Renders events as one VCALENDAR: a VEVENT each (in the given order) and a VTIMEZONE for every zone a
 * DTSTART/DTEND refers to, covering the years of the feed's events. Texts are picked per event with
 * `languages`, then the collective's primary language, then any. The caller filters (unlisted, tags,
 * time window…); this only leaves out cancelled events that are over. The output depends on nothing but
 * its arguments (and `now`).
 */
export function renderCalendar(events: readonly PublishedEvent[], opts: CalendarOptions): string {
  const now = (opts.now ?? Temporal.Now.instant()).epochMilliseconds;

  // Pass 1: instants, and the years each zone must cover.
  const times: EventTimes[] = [];
  const years = new Map<string, { from: number; to: number }>();
  for (const event of events) {
    const start = event.startsAt.epochMilliseconds;
    const end = event.endsAt?.epochMilliseconds;
    times.push({ start, end });
    // Local dates lie within 14 hours of UTC ones: a day of margin on each side covers every zone.
    const from = utcYear(start - dayMs);
    const to = event.recurrence ? seriesLastYear(event, utcYear(now)) : utcYear(Math.max(start, end ?? start) + dayMs);
    const range = years.get(event.timezone);
    if (range === undefined) years.set(event.timezone, { from, to });
    else {
      if (from < range.from) range.from = from;
      if (to > range.to) range.to = to;
    }
  }
  const rules = new Map<string, ZoneRules | undefined>();
  const rulesFor = (zone: string): ZoneRules | undefined => {
    if (rules.has(zone)) return rules.get(zone);
    const range = years.get(zone);
    let found: ZoneRules | undefined;
    try {
      found = range === undefined ? undefined : zoneRules(zone, range.from, range.to);
    } catch (e) {
      // A zone this runtime does not know (data from a newer tz database elsewhere): write UTC times.
      if (!(e instanceof RangeError)) throw e;
    }
    rules.set(zone, found);
    return found;
  };

  // ical-generator's calendar writes the head (VERSION … X-PUBLISHED-TTL) and owns the events; its own
  // toString() would also write the events, but folds by appending one character at a time (docs/adr/0007).
  const calendar = ical({
    prodId,
    method: ICalCalendarMethod.PUBLISH,
    scale: "GREGORIAN",
    url: opts.url?.href ?? null,
    ttl: Math.max(1, Math.round(opts.refreshMinutes ?? 60)) * 60,
  });
  let body = "";
  const zones = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const eventRules = rulesFor(event.timezone);
    if (event.status === "cancelled" && !event.recurrence && isOver(event, times[i]!, eventRules, now)) continue;
    let masterZone: string | null = null;
    const vevent = toFeedEvent(event, times[i]!, opts.languages, eventRules, calendar, (zone) => {
      masterZone = zone;
      return masterLines(event, zone, eventRules);
    });
    const zone = vevent.timezone();
    if (zone !== null) zones.add(zone);
    for (const line of vevent.lines()) body += foldLine(line) + "\r\n";
    // Overrides of single occurrences: same UID, RECURRENCE-ID where the rule put them.
    for (const o of event.recurrence ? exceptionalOccurrences(event) : []) {
      const recurrenceId = timeProperty("RECURRENCE-ID", o.originalStart.epochMilliseconds, masterZone, eventRules, event.allDay);
      const one = occurrenceAsEvent(event, o);
      const t = { start: one.startsAt.epochMilliseconds, end: one.endsAt?.epochMilliseconds };
      const override = toFeedEvent(one, t, opts.languages, eventRules, calendar, () => [recurrenceId]);
      const overrideZone = override.timezone();
      if (overrideZone !== null) zones.add(overrideZone);
      for (const line of override.lines()) body += foldLine(line) + "\r\n";
    }
  }
  let vtimezones = "";
  for (const zone of zones) vtimezones += rules.get(zone)!.vtimezone;

  const head = calendar.toString();
  const end = head.lastIndexOf("END:VCALENDAR");
  return head.slice(0, end) + nameLines(opts) + vtimezones + body + "END:VCALENDAR\r\n";
}
