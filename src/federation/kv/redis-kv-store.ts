import { createHash } from "node:crypto";
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import type { Redis } from "ioredis";
import { canonicalJson, ttlMilliseconds } from "./kv-encoding.ts";

export interface RedisKvStoreOptions {
  /** Prepended to every Redis key this store writes. Defaults to `"relais:kv:"`. */
  keyPrefix?: string;
}

/**
 * Compare-and-swap in one Lua script, so nothing can slip in between the read and the write.
 * ARGV: expected (`absent` | `equal`), expected JSON, new (`delete` | `set`), new JSON, TTL in ms or "".
 */
const casScript = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == 'absent' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if ARGV[3] == 'delete' then
  redis.call('DEL', KEYS[1])
elseif ARGV[5] == '' then
  redis.call('SET', KEYS[1], ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
end
return 1
`;
const casScriptSha = createHash("sha1").update(casScript).digest("hex");

/**
 * Fedify's key–value store on Redis (ioredis). Values are stored as canonical JSON strings and expire
 * through Redis' own TTL. A key `["a", "b:c"]` becomes `<keyPrefix>a:b%3Ac`: each part is escaped so
 * that `:` only ever separates parts, which makes `list(prefix)` exact.
 *
 * The caller owns the connection; the client must not use ioredis' own `keyPrefix` option.
 */
export class RedisKvStore implements KvStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: RedisKvStoreOptions = {}) {
    if (redis.options.keyPrefix) {
      throw new TypeError("RedisKvStore needs a client without ioredis' keyPrefix; use its keyPrefix option instead");
    }
    this.#redis = redis;
    this.#prefix = options.keyPrefix ?? "relais:kv:";
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const text = await this.#redis.get(this.#encodeKey(key));
    return text == null ? undefined : (JSON.parse(text) as T);
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const text = canonicalJson(value);
    const ttl = ttlMilliseconds(options);
    if (ttl == null) await this.#redis.set(this.#encodeKey(key), text);
    else await this.#redis.set(this.#encodeKey(key), text, "PX", ttl);
  }

  async delete(key: KvKey): Promise<void> {
    await this.#redis.del(this.#encodeKey(key));
  }

  /**
   * Sets `newValue` if the current value deep-equals `expectedValue`. `undefined` stands for an absent
   * key on both sides: an undefined `expectedValue` means "only if absent", an undefined `newValue`
   * deletes the key (Fedify's circuit breaker closes a host's circuit that way).
   */
  async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    const args = [
      this.#encodeKey(key),
      expectedValue === undefined ? "absent" : "equal",
      expectedValue === undefined ? "" : canonicalJson(expectedValue),
      newValue === undefined ? "delete" : "set",
      newValue === undefined ? "" : canonicalJson(newValue),
      String(ttlMilliseconds(options) ?? ""),
    ];
    let result: unknown;
    try {
      result = await this.#redis.evalsha(casScriptSha, 1, ...args);
    } catch (error) {
      if (!String((error as Error).message).includes("NOSCRIPT")) throw error;
      result = await this.#redis.eval(casScript, 1, ...args);
    }
    return result === 1;
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const seen = new Set<string>();
    if (prefix != null) {
      // The prefix itself is a key too, and `<prefix>:*` cannot match it.
      const exact = this.#encodeKey(prefix);
      const text = await this.#redis.get(exact);
      seen.add(exact);
      if (text != null) yield { key: [...prefix] as unknown as KvKey, value: JSON.parse(text) };
    }
    const pattern = escapeGlob(prefix == null ? this.#prefix : `${this.#encodeKey(prefix)}:`) + "*";
    let cursor = "0";
    do {
      const [next, found] = await this.#redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      const keys = found.filter((k) => !seen.has(k));
      if (keys.length === 0) continue;
      for (const k of keys) seen.add(k);
      const texts = await this.#redis.mget(keys);
      for (const [i, text] of texts.entries()) {
        // null: expired or deleted since the scan saw it.
        if (text != null) yield { key: this.#decodeKey(keys[i]!), value: JSON.parse(text) };
      }
    } while (cursor !== "0");
  }

  #encodeKey(key: KvKey): string {
    return this.#prefix + key.map(escapePart).join(":");
  }

  #decodeKey(redisKey: string): KvKey {
    return redisKey.slice(this.#prefix.length).split(":").map(unescapePart) as unknown as KvKey;
  }
}

/** Escapes the separator, the escape character and the glob characters of SCAN's MATCH. */
function escapePart(part: string): string {
  return part.replace(/[%:*?[\]\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

function unescapePart(part: string): string {
  return part.replace(/%([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
