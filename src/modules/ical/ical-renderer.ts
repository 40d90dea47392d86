// Pure iCalendar (RFC 5545, RFC 7986) rendering of published events. Hand-written rather than built on
// ical-generator: see bench/ical/run.ts for the measurements, and the report/ADR for the reasons.
import { isLanguageTag, type LanguageMap, pickLanguage } from "../../shared/language.ts";
import type { EventStatus, Place, PublishedEvent } from "../event/event.types.ts";
import { eventUid } from "./event-uid.ts";
import { htmlToPlainText } from "./html-to-text.ts";
import { dayMs, formatDate, formatDateTime, formatMinutes, formatUtc, utcYear } from "./ical-time.ts";
import { contentLine, escapeText, paramValue } from "./ical-text.ts";
import { type ZoneRules, zoneRules } from "./vtimezone.ts";

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
  readonly prodId?: string | undefined;
}

export const defaultProdId = "-//Relais//Relais event feed//EN";

const statusValues: Readonly<Record<EventStatus, string>> = {
  scheduled: "CONFIRMED",
  cancelled: "CANCELLED",
  // The new date is not known yet: the event is kept, marked as not settled.
  postponed: "TENTATIVE",
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: a URI value is written as is, so it must hold no control character, space or quote
const unsafeUri = /[\s"<>\\^`{|}\u0000-\u001f\u007f]/;
const mediaType = /^[a-z]+\/[a-z0-9.+-]+$/i;

const languageParams = new Map<string, string>();
/** `;LANGUAGE=xx`, or nothing when the key is not a language tag. */
function languageParam(language: string): string {
  let param = languageParams.get(language);
  if (param === undefined) {
    param = isLanguageTag(language) ? ";LANGUAGE=" + language : "";
    if (languageParams.size < 1000) languageParams.set(language, param);
  }
  return param;
}

const regionNames = new Map<string, Intl.DisplayNames | null>();
function countryName(code: string, language: string): string {
  let names = regionNames.get(language);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([language], { type: "region", fallback: "code" });
    } catch {
      names = null;
    }
    if (regionNames.size < 1000) regionNames.set(language, names);
  }
  try {
    return names?.of(code) ?? code;
  } catch {
    return code;
  }
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

function coordinate(value: number): string {
  // toFixed(6) (~0.1 m) never yields an exponent; Number() drops the trailing zeros.
  return String(Number(value.toFixed(6)));
}

/** A zone's rules for the years an event spans, or undefined when the runtime does not know the zone. */
type RulesFor = (zone: string) => ZoneRules | undefined;

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

function dateTimeLine(property: string, at: number, zone: string, rules: ZoneRules | undefined, used: Set<string>): string {
  if (rules === undefined || rules.isAmbiguousWallTime(at)) return property + ":" + formatUtc(at) + "\r\n";
  used.add(zone);
  return contentLine(property + ";TZID=" + paramValue(zone), formatDateTime(at + rules.offsetAt(at)));
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
  paragraphs.push(event.apId.href);
  return paragraphs.join("\n\n");
}

function renderEvent(
  event: PublishedEvent,
  times: EventTimes,
  languages: readonly string[],
  rules: ZoneRules | undefined,
  used: Set<string>,
): string {
  const primary = event.organizer.primaryLanguage;
  const name = pickLanguage(event.name, languages, primary);
  const language = name?.language ?? primary;
  const updated = formatUtc(event.updatedAt.epochMilliseconds);
  let text =
    "BEGIN:VEVENT\r\nUID:" +
    eventUid(event.apId) +
    "\r\nDTSTAMP:" +
    updated +
    "\r\nCREATED:" +
    formatUtc(event.publishedAt.epochMilliseconds) +
    "\r\nLAST-MODIFIED:" +
    updated +
    "\r\nSEQUENCE:" +
    Math.max(0, Math.floor(event.sequence)) +
    "\r\n";

  const { start, end } = times;
  if (event.allDay) {
    const startOffset = rules?.offsetAt(start) ?? 0;
    const startDay = Math.floor((start + startOffset) / dayMs);
    const lastDay = end === undefined ? startDay : Math.floor((end + (rules?.offsetAt(end) ?? 0)) / dayMs);
    text += "DTSTART;VALUE=DATE:" + formatDate(startDay * dayMs) + "\r\n";
    // DTEND of a DATE event is exclusive: the day after the last one.
    text += "DTEND;VALUE=DATE:" + formatDate((Math.max(lastDay, startDay) + 1) * dayMs) + "\r\n";
  } else {
    text += dateTimeLine("DTSTART", start, event.timezone, rules, used);
    if (end !== undefined && end > start) text += dateTimeLine("DTEND", end, event.timezone, rules, used);
  }

  const param = languageParam(language);
  if (name !== undefined) text += contentLine("SUMMARY" + languageParam(name.language), escapeText(name.text));
  const description = descriptionText(event, languages, primary);
  text += contentLine("DESCRIPTION" + param, escapeText(description));

  const place = event.location;
  const where = place === undefined ? "" : locationText(place, language);
  if (where !== "") text += contentLine("LOCATION" + param, escapeText(where));
  else if (event.onlineUrl) text += contentLine("LOCATION", escapeText(event.onlineUrl));
  const lat = place?.latitude;
  const lon = place?.longitude;
  if (lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    text += "GEO:" + coordinate(lat) + ";" + coordinate(lon) + "\r\n";
  }
  if (event.onlineUrl && !unsafeUri.test(event.onlineUrl)) {
    text += contentLine("CONFERENCE;VALUE=URI", event.onlineUrl);
  }
  text += contentLine("URL;VALUE=URI", event.apId.href);
  text += "STATUS:" + statusValues[event.status] + "\r\n";

  const categories: string[] = [];
  if (event.category !== undefined) categories.push(event.category);
  for (const tag of event.tags) if (tag !== "" && !categories.includes(tag)) categories.push(tag);
  if (categories.length > 0) text += contentLine("CATEGORIES", categories.map(escapeText).join(","));
  if (event.contact) text += contentLine("CONTACT", escapeText(event.contact));
  const image = event.image;
  if (image !== undefined && !unsafeUri.test(image.url)) {
    const type = image.mediaType !== undefined && mediaType.test(image.mediaType) ? ";FMTTYPE=" + image.mediaType : "";
    text += contentLine("IMAGE;VALUE=URI;DISPLAY=BADGE" + type, image.url);
  }
  return text + "END:VEVENT\r\n";
}

/**
 * Renders events as one VCALENDAR: a VEVENT each (in the given order) and a VTIMEZONE for every zone a
 * DTSTART/DTEND refers to. Texts are picked per event with `languages`, then the collective's primary
 * language, then any. The caller filters (unlisted, tags, time window…); this only leaves out cancelled
 * events that are over. The output depends on nothing but its arguments (and `now`).
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
    const to = utcYear(Math.max(start, end ?? start) + dayMs);
    const range = years.get(event.timezone);
    if (range === undefined) years.set(event.timezone, { from, to });
    else {
      if (from < range.from) range.from = from;
      if (to > range.to) range.to = to;
    }
  }
  const rules = new Map<string, ZoneRules | undefined>();
  const rulesFor: RulesFor = (zone) => {
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

  // Pass 2: the events, noting which zones a TZID names.
  const used = new Set<string>();
  let body = "";
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const eventRules = rulesFor(event.timezone);
    if (event.status === "cancelled" && isOver(event, times[i]!, eventRules, now)) continue;
    body += renderEvent(event, times[i]!, opts.languages, eventRules, used);
  }

  let head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + contentLine("PRODID", escapeText(opts.prodId ?? defaultProdId));
  head += "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n";
  const name =
    typeof opts.name === "string"
      ? { text: opts.name, param: "" }
      : (() => {
          const picked = pickLanguage(opts.name, opts.languages, opts.languages[0] ?? "");
          return picked === undefined ? undefined : { text: picked.text, param: languageParam(picked.language) };
        })();
  if (name !== undefined && name.text !== "") {
    head += contentLine("NAME" + name.param, escapeText(name.text));
    head += contentLine("X-WR-CALNAME", escapeText(name.text));
  }
  if (opts.url !== undefined) head += contentLine("URL;VALUE=URI", opts.url.href);
  const refresh = formatMinutes(opts.refreshMinutes ?? 60);
  head += "REFRESH-INTERVAL;VALUE=DURATION:" + refresh + "\r\nX-PUBLISHED-TTL:" + refresh + "\r\n";
  for (const zone of used) head += rules.get(zone)!.vtimezone;
  return head + body + "END:VCALENDAR\r\n";
}
