// The query string of every iCal feed: parsed once into `FeedFilters`, with a 400 naming each bad
// parameter, and a canonical form for cache keys and ETags.
import { AppError, type FieldProblem } from "../../shared/errors.ts";
import { canonicalLanguage } from "../../shared/language.ts";
import { isCountryCode } from "../event/event.schema.ts";
import { type EventCategory, type EventStatus, eventCategories, eventStatuses, type PublishedEvent } from "../event/event.types.ts";
import type { FeedFilters, TimeWindow } from "./feed.types.ts";
import { expandOccurrences } from "../event/recurrence-expand.ts";
import { matchingOccurrences } from "./feed-occurrences.ts";

export const feedParameters = ["lang", "tag", "category", "country", "status", "from", "to"] as const;
/** What network feeds (a collective's or the instance's events and their partners') accept besides. */
export const networkFeedParameters = ["partner", "origin"] as const;

/** At most this many values per parameter (a feed URL is written by hand or by a form). */
const maxValues = 20;

export const noFilters: FeedFilters = { languages: [], tags: [], categories: [], countries: [], statuses: [] };

/** A hashtag as filters compare it: without `#`, NFC, lower case (the event schema dedupes tags the same way). */
export function normaliseTag(tag: string): string {
  return tag.trim().replace(/^#+/, "").normalize("NFC").toLowerCase();
}


function parseInstant(value: string): Temporal.Instant | undefined {
  try {
    return /^\d{4}-\d{2}-\d{2}$/.test(value) ? Temporal.Instant.from(`${value}T00:00:00Z`) : Temporal.Instant.from(value);
  } catch {
    return undefined;
  }
}

const sorted = <T extends string>(values: Iterable<T>): T[] => [...new Set(values)].sort();

/**
 * Parses a feed's query string (values as Express gives them: a string, or an array when repeated;
 * lists may also be comma-separated). Throws a 400 `AppError` naming every bad parameter, so that a
 * typo never yields a silently empty (or silently unfiltered) feed.
 */
export function parseFeedFilters(query: Readonly<Record<string, unknown>>, opts: { network?: boolean } = {}): FeedFilters {
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });
  const accepted: readonly string[] = opts.network ? [...feedParameters, ...networkFeedParameters] : feedParameters;

  for (const name of Object.keys(query)) {
    if (!accepted.includes(name)) {
      const hint = (networkFeedParameters as readonly string[]).includes(name) ? " (partner and origin filter network feeds: network.ics)" : "";
      problem(name, `unknown parameter; a feed accepts ${accepted.join(", ")}${hint}`);
    }
  }

  const list = (name: string): string[] => {
    const raw = query[name];
    if (raw === undefined) return [];
    const parts = Array.isArray(raw) ? raw : [raw];
    if (!parts.every((p) => typeof p === "string")) {
      problem(name, "give it as text, e.g. ?tag=velo or ?tag=velo,climat");
      return [];
    }
    const values = parts.flatMap((p) => p.split(",")).map((v) => v.trim());
    if (values.some((v) => v === "")) {
      problem(name, "has an empty value; remove the parameter or give a value");
      return [];
    }
    if (values.length > maxValues) {
      problem(name, `at most ${maxValues} values`);
      return [];
    }
    return values;
  };

  const languages: string[] = [];
  for (const value of list("lang")) {
    const tag = canonicalLanguage(value);
    if (tag === undefined) problem("lang", `"${value}" is not a language tag; write e.g. fr, de, nl or fr-BE`);
    else if (!languages.includes(tag)) languages.push(tag);
  }

  const tags: string[] = [];
  for (const value of list("tag")) {
    const tag = normaliseTag(value);
    if (!/^[\p{L}\p{M}\p{N}_]+$/u.test(tag)) problem("tag", `"${value}" is not a hashtag: letters, digits and _ only, e.g. velo`);
    else tags.push(tag);
  }

  const categories: EventCategory[] = [];
  for (const value of list("category")) {
    const category = value.toUpperCase().replace(/[\s-]+/g, "_");
    if ((eventCategories as readonly string[]).includes(category)) categories.push(category as EventCategory);
    else problem("category", `unknown category "${value}"; use one of ${eventCategories.join(", ")}`);
  }

  const countries: string[] = [];
  for (const value of list("country")) {
    const country = value.toUpperCase();
    if (isCountryCode(country)) countries.push(country);
    else problem("country", `"${value}" is not an ISO 3166 country code; use e.g. FR, BE, DE, CH, NL or CA`);
  }

  const statuses: EventStatus[] = [];
  for (const value of list("status")) {
    const status = value.toLowerCase();
    if ((eventStatuses as readonly string[]).includes(status)) statuses.push(status as EventStatus);
    else problem("status", `unknown status "${value}"; use ${eventStatuses.join(", ")} (e.g. ?status=scheduled,postponed leaves cancelled events out)`);
  }

  const instant = (name: "from" | "to"): Temporal.Instant | undefined => {
    const values = list(name);
    if (values.length === 0) return undefined;
    if (values.length > 1) {
      problem(name, "give one date");
      return undefined;
    }
    const parsed = parseInstant(values[0]!);
    if (parsed === undefined) problem(name, `"${values[0]}" is not a date; write 2026-03-08 (midnight UTC) or 2026-03-08T14:00:00+01:00`);
    return parsed;
  };
  const from = instant("from");
  const to = instant("to");
  if (from !== undefined && to !== undefined && Temporal.Instant.compare(from, to) >= 0) problem("to", "must be after from");

  const partners: string[] = [];
  for (const value of list("partner")) {
    const partner = partnerKey(value);
    if (partner === undefined) problem("partner", `"${value}" is not a partner: give its handle (group@host) or the URL of its actor`);
    else partners.push(partner);
  }
  let origin: FeedFilters["origin"];
  const origins = list("origin");
  if (origins.length > 1) problem("origin", "give one: local or partners");
  else if (origins[0] !== undefined) {
    if (origins[0] === "local" || origins[0] === "partners") origin = origins[0];
    else problem("origin", `"${origins[0]}": use local (our own events) or partners (our partners' events)`);
  }

  if (problems.length > 0) {
    throw new AppError("bad_query", 400, `invalid feed filter: ${problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`, problems);
  }
  return {
    languages,
    tags: sorted(tags),
    categories: sorted(categories),
    countries: sorted(countries),
    statuses: sorted(statuses),
    from,
    to,
    ...(partners.length > 0 ? { partners: sorted(partners) } : {}),
    ...(origin !== undefined ? { origin } : {}),
  };
}

/** A partner as the `partner=` filter compares it: an actor URL as it is, a handle without `@`, lower case. */
export function partnerKey(value: string): string | undefined {
  const v = value.trim();
  if (/^https?:\/\//i.test(v)) return URL.canParse(v) ? new URL(v).href : undefined;
  const handle = v.replace(/^@/, "").toLowerCase();
  return /^[^@\s/]+@[^@\s/]+$/.test(handle) ? handle : undefined;
}

/** The canonical query string of some filters: equal filters give equal keys. */
export function filtersKey(f: FeedFilters): string {
  const parts: string[] = [];
  const add = (name: string, values: readonly string[]) => {
    if (values.length > 0) parts.push(`${name}=${values.map(encodeURIComponent).join(",")}`);
  };
  add("lang", f.languages);
  add("tag", f.tags);
  add("category", f.categories);
  add("country", f.countries);
  add("status", f.statuses);
  // Date's ISO form: the polyfill's Instant#toString costs ~15 µs, and this runs on every poll.
  if (f.from) parts.push(`from=${new Date(f.from.epochMilliseconds).toISOString()}`);
  if (f.to) parts.push(`to=${new Date(f.to.epochMilliseconds).toISOString()}`);
  add("partner", f.partners ?? []);
  if (f.origin) parts.push(`origin=${f.origin}`);
  return parts.join("&");
}

/** Whether an event passes the filters and lies in the window (the reference for every source). */
export function eventMatches(event: PublishedEvent, f: FeedFilters, window: TimeWindow): boolean {
  // A recurring event's status is its occurrences': a cancelled date of a held series passes ?status=cancelled.
  if (f.statuses.length > 0 && !event.recurrence && !f.statuses.includes(event.status)) return false;
  if (f.categories.length > 0 && (event.category === undefined || !f.categories.includes(event.category))) return false;
  if (f.countries.length > 0) {
    const country = event.location?.country;
    if (country === undefined || !f.countries.includes(country)) return false;
  }
  if (f.tags.length > 0 && !event.tags.some((tag) => f.tags.includes(normaliseTag(tag)))) return false;
  if (event.recurrence) return matchingOccurrences(event, f.statuses, window, 1).length > 0;
  return inWindow(event, window);
}

export function inWindow(event: PublishedEvent, window: TimeWindow): boolean {
  // A recurring event is in the window when one of its occurrences (moved ones where they went) is.
  if (event.recurrence) {
    const series = { startsAt: event.startsAt, endsAt: event.endsAt, timezone: event.timezone, allDay: event.allDay, recurrence: event.recurrence };
    return expandOccurrences(series, event.exceptions ?? [], { from: window.from, to: window.to, limit: 1 }).length > 0;
  }
  const start = event.startsAt.epochMilliseconds;
  const last = event.endsAt?.epochMilliseconds ?? start;
  if (window.from !== undefined && last < window.from.epochMilliseconds) return false;
  if (window.to !== undefined && start >= window.to.epochMilliseconds) return false;
  return true;
}
