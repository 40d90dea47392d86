/**
 * Federated reads rendered once per version (ADR 0022): actor, WebFinger, NodeInfo and the AS2 objects
 * of objects.ts, kept as bytes with their ETag and Last-Modified, served from this process's memory or,
 * when several web processes run (REDIS_URL), from Redis.
 *
 * Versions are one **generation** for the whole instance: every committed transaction that wrote to a
 * table a cached answer can show bumps it after its commit (src/db/committed-writes.ts, installed by the
 * runtime on the ORM: whichever service, job or command wrote), and an entry is served only while the
 * generation it was rendered under is current. Writes
 * are rare next to the reads a boost brings, so forgetting everything on each is cheap and leaves no
 * write-to-document mapping to get wrong. A render that started before a write stores its bytes under
 * the old generation, so they are never served after the write.
 *
 * - ETag: a strong tag of the bytes (status and type included): equal bytes, equal tag, in every process.
 * - Last-Modified: strictly later, in whole seconds, for each new content of a URL (a content seen again
 *   keeps its date), and sent only once it is past, so a client's `If-Modified-Since` can never match a
 *   newer content (two edits within one second included). Right after a change the header is left out
 *   for up to a second; `If-None-Match` works all along.
 * - In memory an entry is also re-rendered after `maxAgeMs` (1 s): writes made by another process that
 *   cannot reach this one (the CLI beside `relais start`) show within that time. Re-rendering equal
 *   bytes keeps the ETag and the date, so revalidations still get their 304.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { getLogger } from "@logtape/logtape";

const logger = getLogger(["relais", "federation", "read-cache"]);

/**
 * Tables whose writes change no cached answer (documents, WebFinger, NodeInfo, the collective page):
 * every other table of the ORM bumps the generation when a transaction that wrote it commits (runtime.ts).
 * A table is listed here only when nothing cached reads it; a new table is watched until someone adds it.
 * - outbox: the relay claims and marks rows all the time; what they announce was written elsewhere.
 * - sessions, account and recovery tokens, API tokens, users and memberships, the audit log: editors'
 *   affairs, on no public answer.
 * - remote_server: what software a server runs (fan-outs), on no answer.
 * - partner, partner_event, partner_event_source: followed partners and their events feed the agenda and
 *   the network feeds (their own caches), not the documents or the collective page.
 */
export const tablesNoCachedAnswerShows: ReadonlySet<string> = new Set([
  "outbox",
  "web_session",
  "account_token",
  "recovery_code",
  "api_token",
  "app_user",
  "membership",
  "audit_entry",
  "remote_server",
  "partner",
  "partner_event",
  "partner_event_source",
]);

/** A rendered answer, as served. */
export interface RenderedRead {
  readonly status: 200 | 410;
  /** Response headers besides the validators (Content-Type, Vary, CORS…). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** How long it may be served at most, whatever the generation (an answer that shows the clock). */
  readonly maxAgeMs?: number;
}

/** A kept answer: the rendered one, its validators and the generation it was rendered under. */
export interface CachedRead extends RenderedRead {
  readonly generation: number;
  readonly etag: string;
  /** Epoch milliseconds, whole seconds; may lie up to a few seconds ahead (see above). */
  readonly lastModified: number;
  /** When this process stored or read it (memory store: for `maxAgeMs`). */
  readonly storedAt: number;
  /** Epoch milliseconds after which it is rendered again (from the rendering's `maxAgeMs`). */
  readonly expiresAt?: number;
}

/** Where entries live: one process's memory, or Redis shared by every web process. */
export interface ReadCacheStore {
  /** The current generation and what is kept for `key` (possibly of an older generation, or too old). */
  get(key: string): Promise<{ generation: number; entry: CachedRead | undefined }>;
  put(key: string, entry: CachedRead): Promise<void>;
  /** Starts a new generation: nothing kept before is served again. */
  bump(): Promise<void>;
  /** Whether `entry` may be served now (its generation current, not too old). */
  fresh(entry: CachedRead, generation: number, now: number): boolean;
}

export class MemoryReadStore implements ReadCacheStore {
  readonly #entries = new Map<string, CachedRead>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxAgeMs: number;
  #bytes = 0;
  #generation = 0;

  constructor(opts: { maxEntries?: number; maxBytes?: number; maxAgeMs?: number } = {}) {
    this.#maxEntries = opts.maxEntries ?? 10_000;
    this.#maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
    this.#maxAgeMs = opts.maxAgeMs ?? 1000;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<{ generation: number; entry: CachedRead | undefined }> {
    return { generation: this.#generation, entry: this.#entries.get(key) };
  }

  /** The synchronous read of `get`, for the hit path (no promise per request). */
  peek(key: string): CachedRead | undefined {
    return this.#entries.get(key);
  }

  get generation(): number {
    return this.#generation;
  }

  async put(key: string, entry: CachedRead): Promise<void> {
    const old = this.#entries.get(key);
    if (old) {
      this.#bytes -= old.body.length;
      this.#entries.delete(key);
    }
    this.#entries.set(key, entry);
    this.#bytes += entry.body.length;
    // Oldest stored first (a Map keeps insertion order; hits do not reorder: cheaper, good enough).
    for (const [k, e] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= e.body.length;
    }
  }

  async bump(): Promise<void> {
    this.#generation += 1;
  }

  fresh(entry: CachedRead, generation: number, now: number): boolean {
    return entry.generation === generation && now - entry.storedAt < this.#maxAgeMs && (entry.expiresAt === undefined || now < entry.expiresAt);
  }
}

/**
 * Entries in Redis, shared by the web processes (and bumped by every process that writes: web, worker,
 * CLI). One round trip per read (`MGET` of the generation and the entry). Entries expire after
 * `ttlSeconds` whatever happens, a bound on what a lost bump (Redis unreachable at that moment) costs.
 */
export class RedisReadStore implements ReadCacheStore {
  readonly #redis: Redis;
  readonly #generationKey: string;
  readonly #entryPrefix: string;
  readonly #ttlSeconds: number;

  /** `prefix` is shared by every process; `release` separates the entries of different releases. */
  constructor(redis: Redis, opts: { prefix: string; release: string; ttlSeconds?: number }) {
    this.#redis = redis;
    this.#generationKey = `${opts.prefix}generation`;
    this.#entryPrefix = `${opts.prefix}${opts.release}:`;
    this.#ttlSeconds = opts.ttlSeconds ?? 300;
  }

  async get(key: string): Promise<{ generation: number; entry: CachedRead | undefined }> {
    const [generation, blob] = await this.#redis.mgetBuffer(this.#generationKey, this.#entryPrefix + key);
    return { generation: generation ? Number(generation.toString()) : 0, entry: blob ? decode(blob) : undefined };
  }

  async put(key: string, entry: CachedRead): Promise<void> {
    const ttl = entry.expiresAt === undefined ? this.#ttlSeconds : Math.min(this.#ttlSeconds, Math.max(1, Math.ceil((entry.expiresAt - Date.now()) / 1000)));
    await this.#redis.set(this.#entryPrefix + key, encode(entry), "EX", ttl);
  }

  async bump(): Promise<void> {
    await this.#redis.incr(this.#generationKey);
  }

  fresh(entry: CachedRead, generation: number, now: number): boolean {
    return entry.generation === generation && (entry.expiresAt === undefined || now < entry.expiresAt);
  }
}

/** One line of JSON (the metadata), a newline, the body. */
function encode(entry: CachedRead): Buffer {
  const { body, storedAt: _, ...meta } = entry;
  return Buffer.concat([Buffer.from(`${JSON.stringify(meta)}\n`), body]);
}

function decode(blob: Buffer): CachedRead | undefined {
  const newline = blob.indexOf(10);
  if (newline < 0) return undefined;
  try {
    const meta = JSON.parse(blob.subarray(0, newline).toString()) as Omit<CachedRead, "body" | "storedAt">;
    return { ...meta, body: blob.subarray(newline + 1), storedAt: Date.now() };
  } catch {
    return undefined;
  }
}

/** A strong tag of what a client gets for the URL: status, headers and bytes. */
export function contentTag(read: RenderedRead): string {
  const hash = createHash("sha256");
  hash.update(String(read.status));
  for (const name of Object.keys(read.headers).sort()) hash.update(`\n${name}:${read.headers[name]}`);
  hash.update("\n\n").update(read.body);
  return `"${hash.digest("base64url").slice(0, 27)}"`;
}

/** The cache of rendered reads over a store; `render` gives undefined for what is not kept (404…). */
export class FederatedReadCache {
  readonly #store: ReadCacheStore;
  readonly #now: () => number;
  readonly #pending = new Map<string, Promise<CachedRead | undefined>>();

  /** Told of every answer found kept (true) or rendered (false), for the metrics. */
  readonly #onLookup: (hit: boolean) => void;

  constructor(store: ReadCacheStore, opts: { now?: () => number; onLookup?: (hit: boolean) => void } = {}) {
    this.#store = store;
    this.#now = opts.now ?? Date.now;
    this.#onLookup = opts.onLookup ?? (() => {});
  }

  get store(): ReadCacheStore {
    return this.#store;
  }

  /** What this process keeps in memory for `key` and may serve now, without waiting: the hit path. */
  peek(key: string): CachedRead | undefined {
    const kept = this.#peek(key);
    if (kept) this.#onLookup(true);
    return kept;
  }

  #peek(key: string): CachedRead | undefined {
    const store = this.#store;
    if (!(store instanceof MemoryReadStore)) return undefined;
    const kept = store.peek(key);
    return kept && store.fresh(kept, store.generation, this.#now()) ? kept : undefined;
  }

  /** What is kept for `key` and may be served now, or undefined; never renders (memory: without waiting). */
  async kept(key: string): Promise<CachedRead | undefined> {
    const inMemory = this.peek(key);
    if (inMemory || this.#store instanceof MemoryReadStore) return inMemory;
    try {
      const { generation, entry } = await this.#store.get(key);
      const fresh = entry && this.#store.fresh(entry, generation, this.#now()) ? entry : undefined;
      if (fresh) this.#onLookup(true);
      return fresh;
    } catch {
      return undefined;
    }
  }

  /** What is kept for `key`, or rendered now (once for concurrent requests of one process). */
  async read(key: string, render: () => Promise<RenderedRead | undefined>): Promise<CachedRead | undefined> {
    const store = this.#store;
    const kept = this.#peek(key);
    if (kept) {
      this.#onLookup(true);
      return kept;
    }
    let looked: { generation: number; entry: CachedRead | undefined };
    try {
      looked = await store.get(key);
    } catch (error) {
      logger.warn("the read cache is unreachable, rendering without it: {error}", { error });
      return this.#rendered(render, undefined, -1);
    }
    const { generation, entry } = looked;
    if (entry && store.fresh(entry, generation, this.#now())) {
      this.#onLookup(true);
      return entry;
    }
    const slot = `${generation}\u0000${key}`;
    const pending = this.#pending.get(slot);
    if (pending) {
      this.#onLookup(true);
      return pending;
    }
    const rendering = this.#rendered(render, entry, generation).then(async (read) => {
      if (read) {
        try {
          await store.put(key, read);
        } catch (error) {
          logger.warn("could not keep a rendered read: {error}", { error });
        }
      }
      return read;
    });
    this.#pending.set(slot, rendering);
    void rendering.finally(() => this.#pending.delete(slot)).catch(() => {});
    return rendering;
  }

  /** Nothing kept so far is served again: called after every write that can change a document. */
  async invalidate(): Promise<void> {
    try {
      await this.#store.bump();
    } catch (error) {
      logger.error("could not invalidate the shared read cache; documents may be stale until its entries expire: {error}", { error });
    }
  }

  async #rendered(render: () => Promise<RenderedRead | undefined>, previous: CachedRead | undefined, generation: number): Promise<CachedRead | undefined> {
    this.#onLookup(false);
    const read = await render();
    if (!read) return undefined;
    const now = this.#now();
    const etag = contentTag(read);
    // A new content gets a date in a later second than any content before it (see the header comment).
    const lastModified =
      previous && previous.etag === etag ? previous.lastModified : Math.max(Math.floor(now / 1000) * 1000 + 1000, previous ? previous.lastModified + 1000 : 0);
    const { maxAgeMs, ...kept } = read;
    return { ...kept, generation, etag, lastModified, storedAt: now, ...(maxAgeMs === undefined ? {} : { expiresAt: now + maxAgeMs }) };
  }
}
