import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { testMessageQueue } from "@fedify/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTestRedis } from "../../../tests/support/services.ts";
import { BullMqMessageQueue } from "./bullmq-message-queue.ts";

let redis: Redis;
let url: string;
/** One BullMQ prefix for this test file; every test uses its own queue name under it. */
let prefix: string;
const opened: BullMqMessageQueue[] = [];

beforeAll(async () => {
  const test = await connectTestRedis();
  redis = test.redis;
  url = test.url;
  prefix = test.prefix.replace(/:$/, "");
});

afterAll(async () => {
  await Promise.all(opened.map((mq) => mq.close()));
  if (redis == null) return;
  for (const key of await keysUnder(`${prefix}:`)) await redis.del(key);
  redis.disconnect();
});

function openQueue(queueName = `q${randomBytes(4).toString("hex")}`, concurrency?: number): BullMqMessageQueue {
  const mq = new BullMqMessageQueue({ connection: url, queueName, prefix, concurrency });
  opened.push(mq);
  return mq;
}

async function keysUnder(pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${pattern}*`, "COUNT", 500);
    for (const key of batch) keys.add(key);
    cursor = next;
  } while (cursor !== "0");
  return [...keys];
}

/** Every byte stored under a queue's keys, whatever their Redis type, as one string. */
async function dumpQueue(mq: BullMqMessageQueue): Promise<{ keys: string[]; text: string }> {
  const keys = await keysUnder(`${mq.prefix}:${mq.queueName}:`);
  const parts: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === "string") parts.push((await redis.get(key)) ?? "");
    else if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === "list") parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === "set") parts.push(JSON.stringify(await redis.smembers(key)));
    else if (type === "zset") parts.push(JSON.stringify(await redis.zrange(key, 0, "-1")));
    else if (type === "stream") parts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    else parts.push(`<${type}>`);
  }
  return { keys, text: parts.join("\n") };
}

async function waitUntil(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe("BullMqMessageQueue", () => {
  it("passes Fedify's message queue test suite with two instances sharing one queue", { timeout: 90_000 }, async () => {
    const queueName = `suite${randomBytes(4).toString("hex")}`;
    let instances = 0;
    await testMessageQueue(
      () => {
        instances++;
        return openQueue(queueName);
      },
      async ({ mq1, mq2, controller }) => {
        controller.abort();
        await mq1.close();
        await mq2.close();
      },
    );
    expect(instances).toBe(2);
  });

  it("does not deliver a delayed message before its delay", async () => {
    const mq = openQueue();
    const controller = new AbortController();
    const arrivals: { message: unknown; at: number }[] = [];
    const listening = mq.listen((message) => void arrivals.push({ message, at: Date.now() }), {
      signal: controller.signal,
    });
    const sent = Date.now();
    await mq.enqueue({ n: "late" }, { delay: Temporal.Duration.from({ milliseconds: 1500 }) });
    await mq.enqueue({ n: "now" });
    await waitUntil(() => arrivals.length === 2);
    controller.abort();
    await listening;
    expect(arrivals.map((a) => a.message)).toEqual([{ n: "now" }, { n: "late" }]);
    expect(arrivals[1]!.at - sent).toBeGreaterThanOrEqual(1500);
    expect(arrivals[0]!.at - sent).toBeLessThan(1500);
  });

  it("rejects a negative delay", async () => {
    const mq = openQueue();
    await expect(mq.enqueue("x", { delay: Temporal.Duration.from({ seconds: -1 }) })).rejects.toThrow(RangeError);
  });

  it("runs a throwing handler once, then drops the message without keeping its payload", async () => {
    const mq = openQueue();
    const secret = `secret-${randomBytes(8).toString("hex")}`;
    const controller = new AbortController();
    const calls: unknown[] = [];
    const listening = mq.listen(
      (message) => {
        calls.push(message);
        throw new Error("remote server down");
      },
      { signal: controller.signal },
    );
    await mq.enqueue({ privateKey: { d: secret } });
    await waitUntil(() => calls.length > 0);
    // Long enough for BullMQ to have retried (its backoff would be immediate with attempts > 1).
    await sleep(2000);
    controller.abort();
    await listening;
    expect(calls).toEqual([{ privateKey: { d: secret } }]);
    const dump = await dumpQueue(mq);
    expect(dump.keys.length).toBeGreaterThan(0); // the dump really looks at this queue's keys
    expect(dump.text).not.toContain(secret);
    expect(dump.keys.filter((key) => /:(failed|wait|delayed|active|prioritized)$/.test(key))).toEqual([]);
  });

  it("removes completed jobs and their payloads from Redis", async () => {
    const mq = openQueue();
    const secret = `secret-${randomBytes(8).toString("hex")}`;
    const controller = new AbortController();
    const seen: unknown[] = [];
    const listening = mq.listen((message) => void seen.push(message), { signal: controller.signal });
    await mq.enqueueMany([
      { privateKey: `${secret}-1` },
      { privateKey: `${secret}-2` },
    ]);
    await mq.enqueue({ privateKey: `${secret}-3` }, { delay: Temporal.Duration.from({ milliseconds: 200 }) });
    await waitUntil(() => seen.length === 3);
    controller.abort();
    await listening;
    const dump = await dumpQueue(mq);
    expect(dump.keys.length).toBeGreaterThan(0);
    expect(dump.text).not.toContain(secret);
    // No job hash (`<prefix>:<queue>:<numeric id>`) is left, nor a completed set.
    expect(dump.keys.filter((key) => /:\d+$/.test(key) || key.endsWith(":completed"))).toEqual([]);
  });

  it("resolves listen() on abort only after the job in flight has finished", async () => {
    const mq = openQueue();
    const controller = new AbortController();
    let started = false;
    let finished = false;
    const listening = mq.listen(
      async () => {
        started = true;
        await sleep(700);
        finished = true;
      },
      { signal: controller.signal },
    );
    await mq.enqueue("slow");
    await waitUntil(() => started);
    controller.abort();
    await listening;
    expect(finished).toBe(true);
  });

  it("resolves listen() at once when the signal is already aborted", async () => {
    const mq = openQueue();
    const seen: unknown[] = [];
    await mq.enqueue("left for later");
    await mq.listen((message) => void seen.push(message), { signal: AbortSignal.abort() });
    await sleep(300);
    expect(seen).toEqual([]);
    expect((await mq.getDepth()).queued).toBe(1);
  });

  it("stops its listeners and refuses new messages once closed", async () => {
    const mq = openQueue();
    const listening = mq.listen(() => {});
    await mq.close();
    await expect(listening).resolves.toBeUndefined();
    await expect(mq.enqueue("too late")).rejects.toThrow(/closed/);
    await expect(mq.close()).resolves.toBeUndefined();
  });

  it("reports ready and delayed depth, excluding messages being handled", async () => {
    const mq = openQueue();
    await mq.enqueueMany(["a", "b"]);
    await mq.enqueue("c", { delay: Temporal.Duration.from({ minutes: 5 }) });
    expect(await mq.getDepth()).toEqual({ queued: 3, ready: 2, delayed: 1 });
    const controller = new AbortController();
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    let handled = 0;
    const listening = mq.listen(
      async () => {
        handled++;
        await blocked;
      },
      { signal: controller.signal },
    );
    await waitUntil(() => handled === 1);
    expect(await mq.getDepth()).toEqual({ queued: 2, ready: 1, delayed: 1 });
    release();
    await waitUntil(() => handled === 2);
    controller.abort();
    await listening;
    expect(await mq.getDepth()).toEqual({ queued: 1, ready: 0, delayed: 1 });
  });

  it("processes up to `concurrency` messages at once in one listener", async () => {
    const mq = openQueue(undefined, 3);
    const controller = new AbortController();
    let running = 0;
    let peak = 0;
    let done = 0;
    const listening = mq.listen(
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(300);
        running--;
        done++;
      },
      { signal: controller.signal },
    );
    await mq.enqueueMany(["1", "2", "3", "4", "5", "6"]);
    await waitUntil(() => done === 6);
    controller.abort();
    await listening;
    expect(peak).toBe(3);
  });
});
