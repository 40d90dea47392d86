import { setTimeout as sleep } from "node:timers/promises";
import { CircuitBreaker, type KvKey, type KvStore, MemoryKvStore } from "@fedify/fedify";
import type { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTestRedis, createTestDatabase } from "../../../tests/support/services.ts";
import { PostgresKvStore, sqlExecutorFromPg } from "./postgres-kv-store.ts";
import { RedisKvStore } from "./redis-kv-store.ts";

const ddl = `
  CREATE TABLE fedify_kv (key text[] PRIMARY KEY, value jsonb NOT NULL, expires_at timestamptz NULL);
  CREATE INDEX fedify_kv_expires_at ON fedify_kv (expires_at) WHERE expires_at IS NOT NULL;
`;

let redis: Redis;
let redisPrefix: string;
let pool: pg.Pool;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const r = await connectTestRedis();
  redis = r.redis;
  redisPrefix = r.prefix;
  const db = await createTestDatabase("kv");
  dropDatabase = db.drop;
  pool = new pg.Pool({ connectionString: db.url, max: 10 });
  await pool.query(ddl);
});

afterAll(async () => {
  if (redis != null) {
    const keys = await redisKeys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  await pool?.end();
  await dropDatabase?.();
});

async function redisKeys(pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    for (const key of batch) keys.add(key);
    cursor = next;
  } while (cursor !== "0");
  return [...keys];
}

let storeCount = 0;
/** Each test gets an empty store: its own Redis key prefix, its own PostgreSQL table. */
const backends: { name: string; open: () => Promise<KvStore> }[] = [
  {
    name: "RedisKvStore",
    open: async () => new RedisKvStore(redis, { keyPrefix: `${redisPrefix}s${++storeCount}:` }),
  },
  {
    name: "PostgresKvStore",
    open: async () => {
      const table = `kv_${++storeCount}`;
      await pool.query(`CREATE TABLE ${table} (LIKE fedify_kv INCLUDING ALL)`);
      return new PostgresKvStore(sqlExecutorFromPg(pool), { table });
    },
  },
];

async function listed(store: KvStore, prefix?: KvKey): Promise<{ key: KvKey; value: unknown }[]> {
  const entries: { key: KvKey; value: unknown }[] = [];
  for await (const entry of store.list(prefix)) entries.push({ key: entry.key, value: entry.value });
  return entries.sort((a, b) => compareKeys(a.key, b.key));
}

/** Part by part, a key before the longer keys it prefixes. */
function compareKeys(a: KvKey, b: KvKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

const ttl = (milliseconds: number) => ({ ttl: Temporal.Duration.from({ milliseconds }) });

describe.each(backends)("$name", ({ open }) => {
  it("gets what was set, and undefined for a missing key", async () => {
    const store = await open();
    await store.set(["actor", "alice"], { name: "Alice" });
    expect(await store.get(["actor", "alice"])).toEqual({ name: "Alice" });
    expect(await store.get(["actor", "bob"])).toBeUndefined();
    expect(await store.get(["actor"])).toBeUndefined();
  });

  it("overwrites a value", async () => {
    const store = await open();
    await store.set(["k"], 1);
    await store.set(["k"], [2, 3]);
    expect(await store.get(["k"])).toEqual([2, 3]);
  });

  it("deletes a value, and deleting a missing key is no error", async () => {
    const store = await open();
    await store.set(["k"], "v");
    await store.delete(["k"]);
    await store.delete(["missing"]);
    expect(await store.get(["k"])).toBeUndefined();
  });

  it("round-trips every JSON type, keeping null distinct from absent", async () => {
    const store = await open();
    const values: [string, unknown][] = [
      ["object", { b: { c: [1, { d: null }] }, a: "x", "é ü": true }],
      ["array", [1, "two", null, false, { three: 3 }]],
      ["string", "Grève générale \u{1F4E2} \"quoted\" \\ back"],
      ["empty-string", ""],
      ["null-string", "null"],
      ["integer", 42],
      ["float", -3.25e-7],
      ["big", Number.MAX_SAFE_INTEGER],
      ["true", true],
      ["false", false],
      ["null", null],
      ["empty-object", {}],
      ["empty-array", []],
    ];
    for (const [name, value] of values) await store.set(["types", name], value);
    for (const [name, value] of values) expect(await store.get(["types", name]), name).toEqual(value);
    expect(await store.get(["types", "null"])).toBeNull();
  });

  it("rejects a value that is not JSON", async () => {
    const store = await open();
    await expect(store.set(["k"], undefined)).rejects.toThrow(TypeError);
  });

  it("forgets a value after its TTL, and a later set without TTL keeps it", async () => {
    const store = await open();
    await store.set(["short"], "gone soon", ttl(300));
    await store.set(["kept"], "first", ttl(300));
    await store.set(["kept"], "second");
    await store.set(["long"], "stays", ttl(60_000));
    expect(await store.get(["short"])).toBe("gone soon");
    await sleep(600);
    expect(await store.get(["short"])).toBeUndefined();
    expect(await store.get(["kept"])).toBe("second");
    expect(await store.get(["long"])).toBe("stays");
    expect((await listed(store)).map((e) => e.key)).toEqual([["kept"], ["long"]]);
  });

  it("cas with an undefined expected value sets only an absent key", async () => {
    const store = await open();
    expect(await store.cas!(["lock"], undefined, "mine")).toBe(true);
    expect(await store.cas!(["lock"], undefined, "theirs")).toBe(false);
    expect(await store.get(["lock"])).toBe("mine");
    await store.set(["null"], null);
    expect(await store.cas!(["null"], undefined, "x")).toBe(false);
    expect(await store.get(["null"])).toBeNull();
  });

  it("cas swaps only when the current value deep-equals the expected one", async () => {
    const store = await open();
    await store.set(["doc"], { a: 1, b: [1, 2] });
    expect(await store.cas!(["doc"], { a: 1, b: [2, 1] }, "no")).toBe(false);
    expect(await store.cas!(["doc"], { a: 1 }, "no")).toBe(false);
    expect(await store.get(["doc"])).toEqual({ a: 1, b: [1, 2] });
    // Same value, keys in another order.
    expect(await store.cas!(["doc"], { b: [1, 2], a: 1 }, { a: 2 })).toBe(true);
    expect(await store.get(["doc"])).toEqual({ a: 2 });
    expect(await store.cas!(["absent"], "anything", "x")).toBe(false);
    expect(await store.cas!(["absent"], null, "x")).toBe(false);
    expect(await store.get(["absent"])).toBeUndefined();
    await store.set(["null"], null);
    expect(await store.cas!(["null"], null, 0)).toBe(true);
    expect(await store.get(["null"])).toBe(0);
  });

  it("cas treats an expired value as absent and honours its own TTL", async () => {
    const store = await open();
    await store.set(["lease"], "old", ttl(200));
    await sleep(400);
    expect(await store.cas!(["lease"], "old", "stale swap")).toBe(false);
    expect(await store.cas!(["lease"], undefined, "new", ttl(300))).toBe(true);
    expect(await store.get(["lease"])).toBe("new");
    expect(await store.cas!(["lease"], "new", "newer", ttl(300))).toBe(true);
    await sleep(600);
    expect(await store.get(["lease"])).toBeUndefined();
  });

  it("lets exactly one of concurrent cas calls win", async () => {
    const store = await open();
    const n = 10;
    const claims = await Promise.all(Array.from({ length: n }, (_, i) => store.cas!(["claim"], undefined, i)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.get(["claim"])).toBe(claims.indexOf(true));

    await store.set(["counter"], { v: 0 });
    const swaps = await Promise.all(
      Array.from({ length: n }, (_, i) => store.cas!(["counter"], { v: 0 }, { v: 1, by: i })),
    );
    expect(swaps.filter(Boolean)).toHaveLength(1);
    expect(await store.get(["counter"])).toEqual({ v: 1, by: swaps.indexOf(true) });
  });

  it("lists exactly the keys under a prefix, part by part", async () => {
    const store = await open();
    const keys: KvKey[] = [["a"], ["a", "b"], ["a", "b", "c"], ["a", "bc"], ["ab"], ["a", ""], ["x", "a", "b"]];
    for (const [i, key] of keys.entries()) await store.set(key, i);
    const keysOf = async (prefix?: KvKey) => (await listed(store, prefix)).map((e) => e.key);
    expect(await keysOf(["a", "b"])).toEqual([
      ["a", "b"],
      ["a", "b", "c"],
    ]);
    expect(await keysOf(["a"])).toEqual([["a"], ["a", ""], ["a", "b"], ["a", "b", "c"], ["a", "bc"]]);
    expect(await keysOf(["a", "b", "c", "d"])).toEqual([]);
    expect(await keysOf(["b"])).toEqual([]);
    expect(await keysOf()).toHaveLength(keys.length);
    expect(await listed(store, ["a", "bc"])).toEqual([{ key: ["a", "bc"], value: 3 }]);
  });

  it("keeps keys with separator, escape and glob characters apart", async () => {
    const store = await open();
    const keys: KvKey[] = [["a:b"], ["a", "b"], ["*"], ["%3A"], ["[x]?\\"], ["https://example.com/users/1", "inbox"]];
    for (const [i, key] of keys.entries()) await store.set(key, i);
    for (const [i, key] of keys.entries()) expect(await store.get(key)).toBe(i);
    expect((await listed(store, ["a"])).map((e) => e.key)).toEqual([["a", "b"]]);
    expect((await listed(store, ["*"])).map((e) => e.key)).toEqual([["*"]]);
    expect((await listed(store, ["https://example.com/users/1"])).map((e) => e.key)).toEqual([
      ["https://example.com/users/1", "inbox"],
    ]);
    const all = (await listed(store)).map((e) => e.key);
    expect(all).toHaveLength(keys.length);
    for (const key of keys) expect(all).toContainEqual(key);
  });
});

// Every operation Fedify 2.3.8 performs on its KvStore, in the shapes it uses them (grep `kv.` in
// node_modules/@fedify/fedify/dist/middleware-*.js). Fedify's own MemoryKvStore runs them too, as the
// reference: if its behaviour changes, this block says so before our stores drift from it.
const withReference = [{ name: "MemoryKvStore (Fedify's reference)", open: async (): Promise<KvStore> => new MemoryKvStore() }, ...backends];

describe.each(withReference)("operations Fedify performs: $name", ({ open }) => {
  it("deletes through cas with an undefined new value, only when the current value matches (breaker close, nonce use)", async () => {
    const store = await open();
    const state = { state: "half-open", failures: ["2026-01-01T00:00:00Z"], halfOpened: "2026-01-01T00:30:00Z" };
    await store.set(["_fedify", "circuit", "peer.example"], state, ttl(60_000));
    expect(await store.cas!(["_fedify", "circuit", "peer.example"], { ...state, state: "open" }, undefined)).toBe(false);
    expect(await store.get(["_fedify", "circuit", "peer.example"])).toEqual(state);
    expect(await store.cas!(["_fedify", "circuit", "peer.example"], state, undefined)).toBe(true);
    expect(await store.get(["_fedify", "circuit", "peer.example"])).toBeUndefined();
    // (MemoryKvStore keeps the key with an undefined value; ours remove it. Neither lists a value.)
    expect((await listed(store, ["_fedify", "circuit"])).filter((e) => e.value !== undefined)).toEqual([]);
    // A nonce is used once: cas(key, true, undefined) succeeds for the first caller only.
    await store.set(["_fedify", "acceptSignatureNonce", "n1"], true, ttl(60_000));
    expect(await store.cas!(["_fedify", "acceptSignatureNonce", "n1"], true, undefined)).toBe(true);
    expect(await store.cas!(["_fedify", "acceptSignatureNonce", "n1"], true, undefined)).toBe(false);
    expect(await store.cas!(["_fedify", "acceptSignatureNonce", "never"], true, undefined)).toBe(false);
  });

  it("treats cas from undefined to undefined as a check that the key is absent", async () => {
    const store = await open();
    expect(await store.cas!(["gone"], undefined, undefined)).toBe(true);
    expect(await store.get(["gone"])).toBeUndefined();
    await store.set(["here"], 1);
    expect(await store.cas!(["here"], undefined, undefined)).toBe(false);
    expect(await store.get(["here"])).toBe(1);
  });

  it("renews a value's TTL through cas with the same value, and makes it permanent without a TTL", async () => {
    const store = await open();
    await store.set(["marker"], { state: "sweeping" }, ttl(300));
    expect(await store.cas!(["marker"], { state: "sweeping" }, { state: "sweeping" }, ttl(60_000))).toBe(true);
    await store.set(["permanent"], "x", ttl(300));
    expect(await store.cas!(["permanent"], "x", { state: "final" })).toBe(true);
    await sleep(600);
    expect(await store.get(["marker"])).toEqual({ state: "sweeping" });
    expect(await store.get(["permanent"])).toEqual({ state: "final" });
  });

  it("takes TTLs in the units Fedify passes (days, hours, minutes)", async () => {
    const store = await open();
    await store.set(["_fedify", "activityIdempotence", "https://peer.example/a#1"], true, { ttl: Temporal.Duration.from({ days: 1 }) });
    await store.set(["_fedify", "circuit", "h"], { state: "closed", failures: [] }, { ttl: Temporal.Duration.from({ hours: 168 }) });
    expect(await store.cas!(["lock"], undefined, "held", { ttl: Temporal.Duration.from({ minutes: 5 }) })).toBe(true);
    expect(await store.get(["_fedify", "activityIdempotence", "https://peer.example/a#1"])).toBe(true);
    expect(await store.get(["_fedify", "circuit", "h"])).toEqual({ state: "closed", failures: [] });
    expect(await store.get(["lock"])).toBe("held");
  });

  it("carries Fedify's circuit breaker from closed to open, half-open and closed again", async () => {
    const store = await open();
    let now = Temporal.Instant.from("2026-03-08T10:00:00Z");
    const breaker = new CircuitBreaker({
      kv: store,
      prefix: ["_fedify", "circuit"],
      options: { failureThreshold: 3, recoveryDelay: { minutes: 30 } },
      now: () => now,
    });
    const message = { circuitHeldSince: undefined } as unknown as Parameters<CircuitBreaker["beforeSend"]>[1];
    for (let i = 0; i < 3; i++) await breaker.recordFailure("slow.example");
    expect((await breaker.getState("slow.example"))?.state).toBe("open");
    expect((await breaker.beforeSend("slow.example", message)).type).toBe("hold");
    expect((await breaker.beforeSend("other.example", message)).type).toBe("send");

    now = now.add({ minutes: 31 });
    expect(await breaker.beforeSend("slow.example", message)).toMatchObject({ type: "send", probe: true });
    expect((await breaker.getState("slow.example"))?.state).toBe("half-open");
    expect(await breaker.recordSuccess("slow.example")).toEqual({ previousState: "half-open", newState: "closed" });
    expect(await breaker.getState("slow.example")).toBeUndefined();
    expect(await breaker.beforeSend("slow.example", message)).toMatchObject({ type: "send", probe: false });

    // A reachable failure (a 4xx) forgets earlier failures, like a success.
    await breaker.recordFailure("flaky.example");
    expect((await breaker.getState("flaky.example"))?.failures).toHaveLength(1);
    await breaker.recordReachableFailure("flaky.example");
    expect(await breaker.getState("flaky.example")).toBeUndefined();
  });
});

describe("RedisKvStore specifics", () => {
  it("stores every key under its prefix, so stores with different prefixes do not see each other", async () => {
    const one = new RedisKvStore(redis, { keyPrefix: `${redisPrefix}one:` });
    const two = new RedisKvStore(redis, { keyPrefix: `${redisPrefix}two:` });
    await one.set(["k", "a:b"], 1);
    expect(await two.get(["k", "a:b"])).toBeUndefined();
    expect(await listed(two)).toEqual([]);
    expect(await redisKeys(`${redisPrefix}one:*`)).toEqual([`${redisPrefix}one:k:a%3Ab`]);
  });
});

describe("PostgresKvStore specifics", () => {
  async function rowCount(): Promise<number> {
    const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM fedify_kv");
    return rows[0]!.n;
  }

  it("works on the table created by the migration DDL, deleting expired rows lazily and on purge", async () => {
    await pool.query("DELETE FROM fedify_kv");
    const store = new PostgresKvStore(sqlExecutorFromPg(pool));
    await store.set(["read"], 1, ttl(100));
    await store.set(["purged", "1"], 2, ttl(100));
    await store.set(["purged", "2"], 3, ttl(100));
    await store.set(["kept"], 4);
    await sleep(300);
    expect(await rowCount()).toBe(4);
    expect(await store.get(["read"])).toBeUndefined();
    expect(await rowCount()).toBe(3);
    expect(await store.purgeExpired()).toBe(2);
    expect(await rowCount()).toBe(1);
    expect(await store.purgeExpired()).toBe(0);
  });

  it("refuses a table name that is not a plain identifier", () => {
    expect(() => new PostgresKvStore(sqlExecutorFromPg(pool), { table: "kv; DROP TABLE x" })).toThrow(TypeError);
  });
});
