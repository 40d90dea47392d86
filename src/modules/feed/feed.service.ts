import { getLogger } from "@logtape/logtape";
import { pickLanguage } from "../../shared/language.ts";
import type { PublishedEvent } from "../event/event.types.ts";
import { renderCalendar } from "../ical/ical-renderer.ts";
import { filtersKey } from "./feed-filters.ts";
import { seriesForFeed } from "./feed-occurrences.ts";
import { httpDate, weakEtag } from "./feed-validators.ts";
import {
  type EventQuery,
  type FeedFilters,
  type FeedScope,
  type FeedSource,
  type FeedSubject,
  type FeedSubjects,
  isMissing,
  type MissingFeed,
  type TimeWindow,
} from "./feed.types.ts";
import { type RenderedFeed, RenderedFeedCache } from "./rendered-feed.cache.ts";

const logger = getLogger(["relais", "feed"]);
const dayMs = 86_400_000;

/**
 * Part of every ETag: bump it when the feeds' bytes change for the same data (renderer, ordering,
 * defaults), so that clients holding an old tag get the new bytes.
 */
export const feedFormatVersion = "3";

export interface FeedServiceOptions {
  readonly subjects: FeedSubjects;
  /** The sources of a scope's feed, merged in this order (an event found twice keeps its first copy). */
  readonly sources: (scope: FeedScope) => readonly FeedSource[];
  readonly cache?: RenderedFeedCache | undefined;
  /** Epoch milliseconds now (`Date.now`): read on every poll, where a polyfilled Temporal.Now costs ~10 µs. */
  readonly clock?: (() => number) | undefined;
  /** The software release: a new one changes every ETag (its renderer may write other bytes). */
  readonly release?: string | undefined;
  /** Collective and instance feeds show upcoming events plus those of the last `pastDays` days (30). */
  readonly pastDays?: number | undefined;
  /** At most this many events per feed, the earliest first (10,000). */
  readonly maxEvents?: number | undefined;
  /** REFRESH-INTERVAL written in the feeds, in minutes (60). */
  readonly refreshMinutes?: number | undefined;
}

/** What a request needs to answer 304, or to ask for the bytes: known after one cheap query. */
export interface FeedHead {
  readonly subject: FeedSubject;
  readonly filters: FeedFilters;
  readonly etag: string;
  readonly lastModified: Date;
  /**
   * List feeds are rendered as of the start of the current UTC day (epoch milliseconds): their window
   * and which cancelled events are over. Undefined for one event's file.
   */
  readonly asOf: number | undefined;
  /** Cache slot: the feed and its filters. */
  readonly key: string;
  /** What the bytes depend on besides the key: versions and day. */
  readonly stamp: string;
}

/**
 * iCal feeds of the instance, a collective, or one event. `head` reads versions only (one indexed
 * query for local feeds) and derives the ETag and Last-Modified from them and the current UTC day,
 * so a poll can be answered 304 with no event loaded; `body` returns the bytes, rendered once per
 * version and day and kept in a bounded cache.
 */
export class FeedService {
  readonly #subjects: FeedSubjects;
  readonly #sources: (scope: FeedScope) => readonly FeedSource[];
  readonly #cache: RenderedFeedCache;
  readonly #clock: () => number;
  readonly #release: string;
  readonly #pastDays: number;
  readonly #maxEvents: number;
  readonly #refreshMinutes: number;

  constructor(opts: FeedServiceOptions) {
    this.#subjects = opts.subjects;
    this.#sources = opts.sources;
    this.#cache = opts.cache ?? new RenderedFeedCache();
    this.#clock = opts.clock ?? Date.now;
    this.#release = opts.release ?? "";
    this.#pastDays = opts.pastDays ?? 30;
    this.#maxEvents = opts.maxEvents ?? 10_000;
    this.#refreshMinutes = opts.refreshMinutes ?? 60;
  }

  get cache(): RenderedFeedCache {
    return this.#cache;
  }

  async head(scope: FeedScope, filters: FeedFilters): Promise<FeedHead | MissingFeed> {
    const subject = await this.#subjects.find(scope);
    if (isMissing(subject)) return subject;
    const sources = this.#sources(scope);
    const versions = await Promise.all(sources.map((s) => (s.version ? s.version(subject) : undefined)));

    let changedAt = subject.changedAt;
    const parts = [subject.version];
    sources.forEach((source, i) => {
      const v = versions[i];
      parts.push(v === undefined ? source.name : `${source.name}:${v.version}`);
      if (v !== undefined) changedAt = Math.max(changedAt, v.changedAt);
    });
    let asOf: number | undefined;
    if (scope.kind !== "event") {
      asOf = Math.floor(this.#clock() / dayMs) * dayMs;
      parts.push(String(asOf));
      changedAt = Math.max(changedAt, asOf);
    }
    const key = `${scopeKey(scope)}?${filtersKey(filters)}`;
    const stamp = parts.join("|");
    return {
      subject,
      filters,
      etag: weakEtag([feedFormatVersion, this.#release, key, stamp]),
      lastModified: httpDate(changedAt),
      asOf,
      key,
      stamp,
    };
  }

  /** The bytes of the feed `head` describes: kept ones, or rendered now (once for concurrent requests). */
  body(head: FeedHead): Promise<RenderedFeed> {
    return this.#cache.get(head.key, head.stamp, () => this.#render(head));
  }

  /**
   * The events of a scope as a page lists them: the same sources and filters as its feed, from `from`
   * (events still running included) unless the filters say otherwise, at most `limit`, by start.
   */
  async list(scope: FeedScope, filters: FeedFilters, opts: { from: Temporal.Instant; limit: number }): Promise<{ subject: FeedSubject; events: PublishedEvent[] } | MissingFeed> {
    const subject = await this.#subjects.find(scope);
    if (isMissing(subject)) return subject;
    const window: TimeWindow = { from: filters.from ?? opts.from, to: filters.to };
    const query: EventQuery = { filters, window, limit: opts.limit };
    const lists = await Promise.all(this.#sources(scope).map((s) => s.events(subject, query)));
    return { subject, events: merge(lists, opts.limit) };
  }

  /** The window a feed shows: the one asked for, else (lists) upcoming plus the last `pastDays` days. */
  window(head: FeedHead): TimeWindow {
    const { from, to } = head.filters;
    if (head.asOf === undefined || from !== undefined) return { from, to };
    return { from: Temporal.Instant.fromEpochMilliseconds(head.asOf - this.#pastDays * dayMs), to };
  }

  async #render(head: FeedHead): Promise<{ text: string; eventCount: number }> {
    const started = performance.now();
    const { subject, filters } = head;
    const query: EventQuery = { filters, window: this.window(head), limit: this.#maxEvents };
    const lists = await Promise.all(this.#sources(subject.scope).map((s) => s.events(subject, query)));
    const window = query.window;
    const explicitWindow = filters.from !== undefined || filters.to !== undefined;
    // A series shows the occurrences the filters keep (feed-occurrences.ts).
    const events = (lists.length === 1 ? lists[0]! : merge(lists, this.#maxEvents)).map((e) => (e.recurrence ? seriesForFeed(e, filters, window, explicitWindow) : e));
    const name =
      typeof subject.name === "string" ? subject.name : picked(subject.name, filters.languages, subject.primaryLanguage);
    const text = renderCalendar(events, {
      name,
      languages: filters.languages,
      url: subject.url,
      refreshMinutes: this.#refreshMinutes,
      // One event's own file keeps it even when cancelled and over; lists drop those as of the day.
      now: Temporal.Instant.fromEpochMilliseconds(head.asOf ?? 0),
    });
    logger.debug("rendered {key}: {count} events in {ms} ms", {
      key: head.key,
      count: events.length,
      ms: Math.round(performance.now() - started),
    });
    return { text, eventCount: events.length };
  }
}

export function scopeKey(scope: FeedScope): string {
  switch (scope.kind) {
    case "instance":
      return scope.network ? "instance/network" : "instance";
    case "collective":
      return `collective/${scope.slug}${scope.network ? "/network" : ""}`;
    case "event":
      return `event/${scope.id}`;
  }
}

/** The calendar's name in the first wanted language (then the primary one, then any), with its language. */
function picked(map: Readonly<Record<string, string>>, languages: readonly string[], primary: string | undefined) {
  const name = pickLanguage(map, languages, primary ?? "");
  return name === undefined ? "" : { [name.language]: name.text };
}

/** Several sources' events as one list, by start, without duplicates, at most `limit`. */
function merge(lists: readonly (readonly PublishedEvent[])[], limit: number): PublishedEvent[] {
  const seen = new Set<string>();
  const all: PublishedEvent[] = [];
  for (const list of lists) {
    for (const event of list) {
      if (seen.has(event.apId.href)) continue;
      seen.add(event.apId.href);
      all.push(event);
    }
  }
  const start = new Map(all.map((e) => [e, e.startsAt.epochMilliseconds]));
  all.sort((a, b) => start.get(a)! - start.get(b)! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return all.slice(0, limit);
}
