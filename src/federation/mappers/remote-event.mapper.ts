import { htmlToPlainText, sanitizeEventHtml } from "../../modules/event/event-markdown.ts";
import { canonicalTimezone } from "../../modules/event/event-time.ts";
import { allCountryCodes, eventLimits, isCountryCode } from "../../modules/event/event.schema.ts";
import { type EventCategory, type EventData, type EventImage, type EventLink, eventCategories, type Place } from "../../modules/event/event.types.ts";
import { isLanguageTag, type LanguageMap } from "../../shared/language.ts";
import { isObject } from "./json-values.ts";

/**
 * Reads events other servers publish (Relais, Mobilizon, Gancio, WordPress event plugins…) from their
 * compact AS2 JSON, tolerating what they really send: strings where objects were expected, untyped
 * places, addresses as text or as schema.org PostalAddress with a country name, HTML in names, no
 * `@context` at all (Gancio). Pure: no fetch, no clock.
 */

export type JsonObject = { [key: string]: unknown };

/** An event read from another server, with its identity. */
export interface RemoteEvent extends EventData {
  readonly apId: URL;
  /** Its HTML page, when given. */
  readonly url: URL | undefined;
  /** The actor that organises it (`attributedTo`, else the activity's actor). */
  readonly organizerId: URL;
}

export type EventRejection =
  | "not-an-event"
  | "object-not-embedded"
  | "no-id"
  | "no-organizer"
  | "organizer-on-another-origin"
  | "no-name"
  | "no-start-time"
  | "not-public";

export type EventFromAs2Result = { ok: true; value: RemoteEvent } | { ok: false; reason: EventRejection };

const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** "Event", "as:Event", "https://www.w3.org/ns/activitystreams#Event", "sc:PostalAddress" → the last name. */
function localName(term: string): string {
  return term.slice(Math.max(term.lastIndexOf("#"), term.lastIndexOf("/"), term.lastIndexOf(":")) + 1);
}

function hasType(o: JsonObject, ...names: string[]): boolean {
  return list(o.type).some((t) => typeof t === "string" && names.includes(localName(t)));
}

function httpUrl(value: unknown, base?: URL): URL | undefined {
  const raw = typeof value === "string" ? value : isObject(value) ? (value.href ?? value.id) : undefined;
  if (typeof raw !== "string" || !URL.canParse(raw, base)) return undefined;
  const url = new URL(raw, base);
  return url.protocol === "https:" || url.protocol === "http:" ? url : undefined;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function plain(value: unknown, max: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = htmlToPlainText(value);
  return text === "" ? undefined : clip(text, max);
}

function number(value: unknown, limit: number): number | undefined {
  const n = typeof value === "string" ? Number.parseFloat(value) : value;
  return typeof n === "number" && Number.isFinite(n) && Math.abs(n) <= limit ? n : undefined;
}

/** `nameMap` (or `name` in `fallback`'s language) through `clean`; undefined when nothing is left. */
function languageMap(o: JsonObject, key: string, fallback: string, clean: (v: unknown) => string | undefined): LanguageMap | undefined {
  const out: Record<string, string> = {};
  const map = o[`${key}Map`];
  if (isObject(map)) {
    for (const [lang, value] of Object.entries(map)) {
      const text = clean(value);
      if (text !== undefined && isLanguageTag(lang)) out[lang] ??= text;
    }
  }
  const single = clean(o[key]);
  if (Object.keys(out).length === 0 && single !== undefined) out[fallback] = single;
  return Object.keys(out).length > 0 ? out : undefined;
}

let countryNames: Map<string, string> | undefined;

const nameKey = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[^\p{L}]/gu, "")
    .toLowerCase();

/** "FR", "fr", "France", "Frankreich", "Frankrijk" → "FR" (names in the languages partners write). */
export function countryCode(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const code = value.trim().toUpperCase();
  if (isCountryCode(code)) return code;
  if (countryNames === undefined) {
    countryNames = new Map();
    for (const lang of ["en", "fr", "de", "nl", "es", "it", "pt"]) {
      const names = new Intl.DisplayNames([lang], { type: "region", fallback: "none" });
      for (const c of allCountryCodes) {
        const name = names.of(c);
        if (name !== undefined && !countryNames.has(nameKey(name))) countryNames.set(nameKey(name), c);
      }
    }
  }
  return countryNames.get(nameKey(value));
}

function readPlace(o: JsonObject): Place | undefined {
  const address = o.address;
  const a = isObject(address) ? address : {};
  const place: Place = {
    name: plain(o.name, eventLimits.placeField),
    streetAddress: plain(typeof address === "string" ? address : a.streetAddress, eventLimits.placeField),
    postalCode: plain(a.postalCode, eventLimits.postalCode),
    locality: plain(a.addressLocality, eventLimits.placeField),
    region: plain(a.addressRegion, eventLimits.placeField),
    country: countryCode(a.addressCountry),
    latitude: number(o.latitude, 90),
    longitude: number(o.longitude, 180),
  };
  const known = Object.fromEntries(Object.entries(place).filter(([, v]) => v !== undefined)) as Place;
  if (known.latitude === undefined || known.longitude === undefined) {
    delete (known as { latitude?: number }).latitude;
    delete (known as { longitude?: number }).longitude;
  }
  return known.name || known.streetAddress || known.locality ? known : undefined;
}

const timeWithOffset = /(?<offset>[Zz]|[+-]\d{2}:?\d{2})$/;

function readTime(value: unknown): { instant: Temporal.Instant; offset: string } | undefined {
  if (typeof value !== "string") return undefined;
  const offset = timeWithOffset.exec(value.trim())?.groups?.offset;
  if (offset === undefined) return undefined;
  try {
    return { instant: Temporal.Instant.from(value.trim()), offset };
  } catch {
    return undefined;
  }
}

/** A zone for a time that came with an offset only: "+02:00" → Etc/GMT-2 (POSIX signs), "Z" → UTC. */
function zoneFromOffset(offset: string): string {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (m === null || (m[2] === "00" && m[3] === "00")) return "UTC";
  if (m[3] !== "00") return `${m[1]}${m[2]}:${m[3]}`;
  return canonicalTimezone(`Etc/GMT${m[1] === "+" ? "-" : "+"}${Number(m[2])}`) ?? `${m[1]}${m[2]}:00`;
}

function readStatus(o: JsonObject): EventData["status"] {
  const fep = typeof o.eventStatus === "string" ? localName(o.eventStatus).toLowerCase() : undefined;
  if (fep === "eventcancelled") return "cancelled";
  if (fep === "eventpostponed") return "postponed";
  if (fep !== undefined) return "scheduled";
  const ical = o["ical:status"] ?? o.status;
  return typeof ical === "string" && ical.toUpperCase() === "CANCELLED" ? "cancelled" : "scheduled";
}

const isPublic = (v: unknown) => list(v).some((a) => a === "https://www.w3.org/ns/activitystreams#Public" || a === "as:Public" || a === "Public");

function contextLanguage(context: unknown): string | undefined {
  for (const c of list(context)) {
    if (isObject(c) && typeof c["@language"] === "string" && isLanguageTag(c["@language"])) return c["@language"];
  }
  return undefined;
}

/** Reads compact AS2 JSON: an `Event`, or an activity (`Create`, `Update`, `Announce`) embedding one. */
export function eventFromJson(input: unknown): EventFromAs2Result {
  if (!isObject(input)) return { ok: false, reason: "not-an-event" };
  let o = input;
  let activity: JsonObject | undefined;
  if (hasType(input, "Create", "Update", "Announce")) {
    if (!isObject(input.object)) return { ok: false, reason: typeof input.object === "string" ? "object-not-embedded" : "not-an-event" };
    activity = input;
    o = input.object;
  }
  if (!hasType(o, "Event")) return { ok: false, reason: "not-an-event" };
  const apId = httpUrl(typeof o.id === "string" ? o.id : undefined);
  if (apId === undefined) return { ok: false, reason: "no-id" };
  const organizerId = list(o.attributedTo).map((a) => httpUrl(a)).find((u) => u !== undefined) ?? httpUrl(activity?.actor);
  if (organizerId === undefined) return { ok: false, reason: "no-organizer" };
  if (organizerId.origin !== apId.origin) return { ok: false, reason: "organizer-on-another-origin" };
  const audience = o.to !== undefined || o.cc !== undefined ? o : (activity ?? o);
  if (!isPublic(audience.to) && !isPublic(audience.cc)) return { ok: false, reason: "not-public" };

  const language = contextLanguage(input["@context"]) ?? "und";
  const name = languageMap(o, "name", language, (v) => plain(v, eventLimits.name));
  if (name === undefined) return { ok: false, reason: "no-name" };
  const status = readStatus(o);
  const start = readTime(o.startTime) ?? (status === "postponed" ? readTime(o.previousStartTime) : undefined);
  if (start === undefined) return { ok: false, reason: "no-start-time" };
  const endTime = readTime(o.endTime);
  let endsAt = endTime && Temporal.Instant.compare(endTime.instant, start.instant) > 0 ? endTime.instant : undefined;
  const declaredZone = typeof o.timezone === "string" ? canonicalTimezone(o.timezone) : undefined;
  const timezone = declaredZone ?? zoneFromOffset(start.offset);

  // FEP-8a8e has no all-day flag yet: midnight to midnight in a declared zone is read as whole days.
  let allDay = false;
  if (declaredZone !== undefined && endsAt !== undefined) {
    const s = start.instant.toZonedDateTimeISO(timezone);
    const e = endsAt.toZonedDateTimeISO(timezone);
    if (s.equals(s.startOfDay()) && e.equals(e.startOfDay())) {
      allDay = true;
      const lastDay = e.subtract({ days: 1 }).startOfDay().toInstant();
      endsAt = lastDay.equals(start.instant) ? undefined : lastDay;
    }
  }

  let location: Place | undefined;
  let onlineUrl: string | undefined;
  for (const entry of list(o.location)) {
    if (!isObject(entry)) continue;
    if (hasType(entry, "VirtualLocation")) onlineUrl ??= httpUrl(entry.url)?.href;
    else if (entry.type === undefined || hasType(entry, "Place")) location ??= readPlace(entry);
  }

  const tags: string[] = [];
  for (const t of list(o.tag)) {
    if (!isObject(t) || !hasType(t, "Hashtag") || typeof t.name !== "string") continue;
    const tag = t.name.trim().replace(/^#+/, "");
    const seen = tags.some((x) => x.toLowerCase() === tag.toLowerCase());
    if (!seen && tag.length <= eventLimits.tag && /^[\p{L}\p{M}\p{N}_]+$/u.test(tag) && tags.length < eventLimits.tags) tags.push(tag);
  }

  let image: EventImage | undefined;
  const links: EventLink[] = [];
  for (const a of [...list(o.attachment), ...list(o.image)]) {
    if (!isObject(a)) continue;
    const isImage = hasType(a, "Image") || (hasType(a, "Document") && typeof a.mediaType === "string" && a.mediaType.startsWith("image/"));
    if (isImage && image === undefined) {
      const url = list(a.url).map((u) => httpUrl(u)).find((u) => u !== undefined);
      if (url !== undefined) {
        image = {
          url: url.href,
          mediaType: typeof a.mediaType === "string" ? a.mediaType : undefined,
          alt: languageMap(a, "name", language, (v) => plain(v, eventLimits.alt)),
        };
      }
    } else if (hasType(a, "Link") && links.length < eventLimits.links) {
      const url = httpUrl(a.href);
      if (url !== undefined) links.push({ url: url.href, title: plain(a.name, eventLimits.linkTitle) });
    }
  }

  const category = list(o.category)
    .map((c) => (typeof c === "string" ? c.trim().toUpperCase() : ""))
    .find((c): c is EventCategory => (eventCategories as readonly string[]).includes(c));
  const pageUrl = list(o.url)
    .filter((u) => typeof u === "string" || (isObject(u) && (u.mediaType === undefined || u.mediaType === "text/html")))
    .map((u) => httpUrl(u))
    .find((u) => u !== undefined);
  const description = languageMap(o, "content", language, (v) => (typeof v === "string" ? sanitizeEventHtml(v) || undefined : undefined));

  return {
    ok: true,
    value: {
      apId,
      url: pageUrl,
      organizerId,
      name,
      summary: languageMap(o, "summary", language, (v) => plain(v, eventLimits.summary)),
      description,
      startsAt: allDay ? start.instant.toZonedDateTimeISO(timezone).startOfDay().toInstant() : start.instant,
      endsAt,
      timezone,
      allDay,
      location,
      onlineUrl,
      category,
      tags,
      status,
      image,
      links,
      visibility: isPublic(audience.to) ? "public" : "unlisted",
    },
  };
}
