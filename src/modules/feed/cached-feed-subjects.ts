import { scopeKey } from "./feed.service.ts";
import type { FeedScope, FeedSubject, FeedSubjects, MissingFeed } from "./feed.types.ts";

/**
 * Remembers feed subjects (their versions) for a short while, so that calendar apps polling a feed
 * get their 304 without a database query. Changes made in this process invalidate at once
 * (`invalidate()`, called by the event service after each commit); changes made by another web
 * process are seen within `ttlMs`, far below the feeds' `Cache-Control: max-age`.
 */
export class CachedFeedSubjects implements FeedSubjects {
  readonly #inner: FeedSubjects;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { value: Promise<FeedSubject | MissingFeed>; expires: number }>();
  #generation = 0;

  readonly #onLookup: (hit: boolean) => void;

  constructor(inner: FeedSubjects, opts: { ttlMs?: number; now?: () => number; maxEntries?: number; onLookup?: (hit: boolean) => void } = {}) {
    this.#inner = inner;
    this.#onLookup = opts.onLookup ?? (() => {});
    this.#ttlMs = opts.ttlMs ?? 1000;
    this.#now = opts.now ?? Date.now;
    this.#maxEntries = opts.maxEntries ?? 10_000;
  }

  readonly #maxEntries: number;

  find(scope: FeedScope): Promise<FeedSubject | MissingFeed> {
    const key = scopeKey(scope);
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit && hit.expires > now) {
      this.#onLookup(true);
      return hit.value;
    }
    this.#onLookup(false);
    const generation = this.#generation;
    const value = this.#inner.find(scope);
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(key, { value, expires: now + this.#ttlMs });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    // A lookup that started before an invalidation must not be kept after it.
    void value.then(() => {
      if (generation !== this.#generation && this.#entries.get(key)?.value === value) this.#entries.delete(key);
    }, () => {});
    return value;
  }

  /** Forgets everything: the next request reads the database. */
  invalidate(): void {
    this.#generation += 1;
    this.#entries.clear();
  }
}
