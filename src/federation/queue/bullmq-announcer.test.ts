// The Redis mode of the queue: messages in PostgreSQL, their ids announced through BullMQ. Fedify's
// contract, what Redis holds (ids only), and what happens when Redis loses the announcements.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpRedis } from "../../../tests/support/private-redis.ts";
import { openPostgresQueueDatabase, type QueueDatabase, runFedifyQueueSuite } from "../../../tests/support/queue-database.ts";
import { connectTestRedis } from "../../../tests/support/services.ts";
import { until } from "../../../tests/support/wait.ts";
import { BullMqAnnouncer } from "./bullmq-announcer.ts";
import { PostgresMessageQueue, type PostgresMessageQueueOptions } from "./postgres-message-queue.ts";

let redis: Redis;
let url: string;
/** One BullMQ prefix for this test file; every test uses its own queue name under it. */
let prefix: string;
let database: QueueDatabase;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const test = await connectTestRedis();
  redis = test.redis;
  url = test.url;
  prefix = test.prefix.replace(/:$/, "");
  database = await openPostgresQueueDatabase();
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  if (redis != null) {
    for (const key of await keysUnder(`${prefix}:`)) await redis.del(key);
    redis.disconnect();
  }
  await database?.close();
});

async function keysUnder(pattern: string): Promise<string[]> {
  return (await dumpRedis(redis, `${pattern}*`)).keys;
}

/** Every byte stored under a BullMQ queue's keys. */
function dump(queueName: string): Promise<{ keys: string[]; text: string }> {
  return dumpRedis(redis, `${prefix}:${queueName}:*`);
}

/** Queues on one fresh table announcing through one fresh BullMQ queue. */
async function shared(options: PostgresMessageQueueOptions = {}) {
  const table = await database.freshTable();
  const queueName = `q${randomBytes(4).toString("hex")}`;
  const make = (more: PostgresMessageQueueOptions = {}) => {
    const announcer = new BullMqAnnouncer({ connection: url, queueName, prefix });
    const queue = new PostgresMessageQueue(database.db, { table, announcer, pollIntervalMs: 200, ...options, ...more });
    closers.push(
      () => queue.close(),
      () => announcer.close(),
    );
    return { queue, announcer };
  };
  return { table, queueName, make };
}

describe("PostgresMessageQueue with BullMQ announcements", () => {
  it("passes Fedify's message queue test suite, ordering keys included, with two processes' queues", { timeout: 120_000 }, async () => {
    const { make } = await shared();
    expect(await runFedifyQueueSuite(() => make().queue)).toBe(2);
  });

  it("puts only message ids in Redis, never a payload, and leaves no job behind once handled", async () => {
    const { make, queueName } = await shared();
    const { queue, announcer } = make();
    const secret = `secret-${randomBytes(8).toString("hex")}`;
    await queue.enqueueMany([{ privateKey: { d: `${secret}-1` } }, { privateKey: { d: `${secret}-2` } }]);
    await queue.enqueue({ privateKey: { d: `${secret}-3` } }, { delay: Temporal.Duration.from({ milliseconds: 300 }) });
    await until("the announcements", async () => (await announcer.pending()) === 3);
    const waiting = await dump(queueName);
    expect(waiting.keys.length).toBeGreaterThan(0); // the dump really looks at this queue's keys
    expect(waiting.text).not.toContain(secret);
    expect(waiting.text).not.toContain("privateKey");

    const stop = new AbortController();
    const seen: unknown[] = [];
    const listening = queue.listen((m) => void seen.push(m), { signal: stop.signal });
    await until("the messages", async () => seen.length === 3);
    stop.abort();
    await listening;
    const after = await dump(queueName);
    expect(after.text).not.toContain(secret);
    // No job hash (`<prefix>:<queue>:<numeric id>`) is left, nor a completed or failed set.
    expect(after.keys.filter((key) => /:\d+$/.test(key) || /:(completed|failed)$/.test(key))).toEqual([]);
    expect(await queue.counts()).toEqual({ ready: 0, delayed: 0, active: 0 });
  });

  it("still handles every message when Redis lost the announcements: the sweep takes them from PostgreSQL", async () => {
    const { make, queueName } = await shared({ sweepAfterMs: 300 });
    const { queue } = make();
    await queue.enqueueMany(["a", "b", "c"]);
    await queue.enqueue("d", { delay: Temporal.Duration.from({ milliseconds: 200 }) });
    await until("the announcements", async () => (await keysUnder(`${prefix}:${queueName}:`)).length > 0);
    // What a Redis restart without persistence does.
    for (const key of await keysUnder(`${prefix}:${queueName}:`)) await redis.del(key);
    const stop = new AbortController();
    const seen: unknown[] = [];
    const listening = queue.listen((m) => void seen.push(m), { signal: stop.signal });
    await until("the swept messages", async () => seen.length === 4);
    stop.abort();
    await listening;
    expect(seen.sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("stores and later handles messages while Redis cannot be reached", async () => {
    const table = await database.freshTable();
    // Nothing listens on port 1: every announcement fails.
    const announcer = new BullMqAnnouncer({ connection: { port: 1, host: "127.0.0.1", retryStrategy: () => null, enableOfflineQueue: false }, queueName: "down", prefix });
    const queue = new PostgresMessageQueue(database.db, { table, announcer, pollIntervalMs: 100, sweepAfterMs: 0 });
    closers.push(
      () => queue.close(),
      () => announcer.close(),
    );
    await queue.enqueue({ accepted: "while Redis is down" });
    expect(await queue.getDepth()).toEqual({ queued: 1, ready: 1, delayed: 0 });
    // Any process polling the table handles it.
    const sweeper = new PostgresMessageQueue(database.db, { table, pollIntervalMs: 100 });
    closers.push(() => sweeper.close());
    const stop = new AbortController();
    const seen: unknown[] = [];
    const listening = sweeper.listen((m) => void seen.push(m), { signal: stop.signal });
    await until("the message", async () => seen.length === 1);
    stop.abort();
    await listening;
    expect(seen).toEqual([{ accepted: "while Redis is down" }]);
  });

  it("spreads messages over the listening processes", async () => {
    const { make } = await shared();
    const first = make({ concurrency: 2 }).queue;
    const second = make({ concurrency: 2 }).queue;
    const stop = new AbortController();
    const handledBy: string[] = [];
    const handler = (who: string) => async () => {
      await sleep(150);
      handledBy.push(who);
    };
    const listening = [first.listen(handler("first"), { signal: stop.signal }), second.listen(handler("second"), { signal: stop.signal })];
    await sleep(500); // both workers connected
    await first.enqueueMany(Array.from({ length: 12 }, (_, i) => i));
    await until("every message", async () => handledBy.length === 12);
    stop.abort();
    await Promise.all(listening);
    expect(handledBy.filter((w) => w === "first").length).toBeGreaterThan(0);
    expect(handledBy.filter((w) => w === "second").length).toBeGreaterThan(0);
  });
});
