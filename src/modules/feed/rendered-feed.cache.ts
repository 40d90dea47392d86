import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";

const gzip = promisify(gzipCallback);

/** A rendered feed: its UTF-8 bytes, and their gzip, made on first demand and then kept. */
export interface RenderedFeed {
  readonly bytes: Buffer;
  /** Events written (after filters and the limit). */
  readonly eventCount: number;
  gzip(): Promise<Buffer>;
}

interface Slot {
  readonly stamp: string;
  readonly feed: Promise<RenderedFeed>;
  size: number;
}

export interface RenderedFeedCacheOptions {
  /** Upper bound of the bytes kept (bodies plus their gzip); 64 MiB by default. */
  readonly maxBytes?: number;
  /** Upper bound of the feeds kept; 1000 by default. */
  readonly maxEntries?: number;
}

/**
 * A bounded, least-recently-used, in-memory store of rendered feeds. One slot per feed and filters
 * (`key`); the slot holds the bytes of one `stamp` (versions and day): a newer stamp replaces them at
 * once, so stale feeds never wait for eviction. Concurrent requests for a missing feed share one
 * render. Each web process has its own; the stamp comes from the database, so all agree.
 */
export class RenderedFeedCache {
  readonly #slots = new Map<string, Slot>();
  readonly #maxBytes: number;
  readonly #maxEntries: number;
  #bytes = 0;

  constructor(opts: RenderedFeedCacheOptions = {}) {
    this.#maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.#maxEntries = opts.maxEntries ?? 1000;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Whether the bytes of `key` at `stamp` are kept (or being rendered). */
  has(key: string, stamp: string): boolean {
    return this.#slots.get(key)?.stamp === stamp;
  }

  /** The feed of `key` at `stamp`: kept bytes, a render under way, or a new render. */
  get(key: string, stamp: string, render: () => Promise<{ text: string; eventCount: number }>): Promise<RenderedFeed> {
    const slot = this.#slots.get(key);
    if (slot !== undefined && slot.stamp === stamp) {
      // Most recently used goes last.
      this.#slots.delete(key);
      this.#slots.set(key, slot);
      return slot.feed;
    }
    if (slot !== undefined) this.#drop(key, slot);
    // The callbacks run after this function returns, when `fresh` is set.
    let fresh: Slot | undefined;
    const feed = render().then(
      ({ text, eventCount }) => this.#stored(key, fresh!, Buffer.from(text, "utf8"), eventCount),
      (error: unknown) => {
        if (this.#slots.get(key) === fresh) this.#slots.delete(key);
        throw error;
      },
    );
    fresh = { stamp, feed, size: 0 };
    this.#slots.set(key, fresh);
    return feed;
  }

  clear(): void {
    this.#slots.clear();
    this.#bytes = 0;
  }

  #stored(key: string, slot: Slot, bytes: Buffer, eventCount: number): RenderedFeed {
    let zipped: Promise<Buffer> | undefined;
    const feed: RenderedFeed = {
      bytes,
      eventCount,
      gzip: () => {
        zipped ??= gzip(bytes).then((z) => {
          this.#grow(key, slot, z.length);
          return z;
        });
        return zipped;
      },
    };
    this.#grow(key, slot, bytes.length);
    return feed;
  }

  /** Counts bytes of a slot that is still current, then evicts least recently used slots over the bounds. */
  #grow(key: string, slot: Slot, size: number): void {
    if (this.#slots.get(key) !== slot) return;
    slot.size += size;
    this.#bytes += size;
    for (const [k, s] of this.#slots) {
      if (this.#bytes <= this.#maxBytes && this.#slots.size <= this.#maxEntries) break;
      this.#drop(k, s);
    }
  }

  #drop(key: string, slot: Slot): void {
    this.#slots.delete(key);
    this.#bytes -= slot.size;
  }
}
