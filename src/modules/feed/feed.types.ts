import type { LanguageMap } from "../../shared/language.ts";
import type { EventCategory, EventStatus, PublishedEvent } from "../event/event.types.ts";

/**
 * What a feed is about: the whole instance, one collective, or one event. A `network` feed adds the
 * events of the partners the collective (or any collective of the instance) follows.
 */
export type FeedScope =
  | { readonly kind: "instance"; readonly network?: boolean }
  | { readonly kind: "collective"; readonly slug: string; readonly network?: boolean }
  | { readonly kind: "event"; readonly id: string };

/**
 * The filters of a feed's query string, parsed and normalised once: sets are sorted and deduplicated,
 * so two spellings of the same filter share one cache entry and one ETag. Empty lists filter nothing.
 */
export interface FeedFilters {
  /** Languages to render, most wanted first; each event then falls back to its collective's primary language, then any. */
  readonly languages: readonly string[];
  /** Lower-cased (NFC) hashtags without `#`: an event passes with any one of them. */
  readonly tags: readonly string[];
  readonly categories: readonly EventCategory[];
  /** ISO 3166-1 alpha-2 codes of the event's place. */
  readonly countries: readonly string[];
  readonly statuses: readonly EventStatus[];
  readonly from?: Temporal.Instant | undefined;
  readonly to?: Temporal.Instant | undefined;
  /** Network feeds: only the events these partners brought (handles `name@host`, lower case, or actor URLs). */
  readonly partners?: readonly string[] | undefined;
  /** Network feeds: only our own events, or only the partners'. */
  readonly origin?: "local" | "partners" | undefined;
}

/** Events that have not ended before `from` and start before `to`. */
export interface TimeWindow {
  readonly from?: Temporal.Instant | undefined;
  readonly to?: Temporal.Instant | undefined;
}

/** What a source is asked for: the filters, the window they resolve to, and at most `limit` events. */
export interface EventQuery {
  readonly filters: FeedFilters;
  readonly window: TimeWindow;
  readonly limit: number;
}

/**
 * A feed's subject as read in one cheap query: no event is loaded. Times on this path (read on every
 * poll) are epoch milliseconds: each instant of the Temporal polyfill costs ~20 µs to make. `version` changes whenever what
 * the feed shows of the subject's own events changes (the collective's `events_version`, an event's
 * `version`), or its name or primary language.
 */
export interface FeedSubject {
  readonly scope: FeedScope;
  readonly version: string;
  /** Epoch milliseconds of the last change. */
  readonly changedAt: number;
  /** The calendar's name (a collective's or event's names per language, or one text). */
  readonly name: LanguageMap | string;
  readonly primaryLanguage: string | undefined;
  /** The web page the feed stands for. */
  readonly url: URL;
  /** `Content-Disposition` file name, e.g. `lyon-events.ics`. */
  readonly filename: string;
  /** Database id of the collective (collective feeds) or the event (event feeds). */
  readonly id: string | undefined;
}

export interface MissingFeed {
  readonly missing: "not-found" | "gone";
}

export function isMissing<T extends object>(value: T | MissingFeed): value is MissingFeed {
  return "missing" in value;
}

/** Resolves a scope to its subject, or says why there is none (unknown slug, draft, deleted event). */
export interface FeedSubjects {
  find(scope: FeedScope): Promise<FeedSubject | MissingFeed>;
}

/** The version of what a source adds to a feed, when the subject's version does not cover it. */
export interface SourceVersion {
  readonly version: string;
  /** Epoch milliseconds of the last change. */
  readonly changedAt: number;
}

/**
 * Where a feed's events come from. The collective's own events are one source (`LocalEventSource`);
 * a collective's partner events (the "network" feed) will be another one, merged by the service.
 */
export interface FeedSource {
  /** Short, stable name: part of cache keys. */
  readonly name: string;
  /**
   * For sources whose changes do not move the subject's version (partner events live elsewhere): what
   * they would serve now, read cheaply (one indexed query, no event loaded). Sources covered by the
   * subject's version leave it out.
   */
  version?(subject: FeedSubject): Promise<SourceVersion>;
  /** The events of `subject` that pass `query`, ordered by start, at most `query.limit`. */
  events(subject: FeedSubject, query: EventQuery): Promise<readonly PublishedEvent[]>;
}
