// The PostgreSQL message queue, on a real PostgreSQL and on the embedded PGlite (the default's own
// database, one session shared by every connection): Fedify's own contract, then what Fedify's suite
// does not look at — crashes, leases, several messages at once, failures, conditional writes.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEmbeddedQueueDatabase, openPostgresQueueDatabase, type QueueDatabase, runFedifyQueueSuite } from "../../../tests/support/queue-database.ts";
import { until } from "../../../tests/support/wait.ts";
import { PostgresMessageQueue, type PostgresMessageQueueOptions, yieldQueueSlot } from "./postgres-message-queue.ts";
import { QueueTable } from "./queue-table.ts";

const backends = [
  { name: "PostgreSQL", open: openPostgresQueueDatabase },
  { name: "embedded PGlite", open: openEmbeddedQueueDatabase },
];

describe.each(backends)("PostgresMessageQueue on $name", ({ open }) => {
  let backend: QueueDatabase;
  const queues: PostgresMessageQueue[] = [];

  beforeAll(async () => {
    backend = await open();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await backend?.close();
  });

  /** A fresh table shaped by the migration, and a queue on it (more queues on the same table with `again`). */
  async function freshQueue(options: PostgresMessageQueueOptions = {}) {
    const table = await backend.freshTable();
    const make = (more: PostgresMessageQueueOptions = {}) => {
      const queue = new PostgresMessageQueue(backend.db, { table, pollIntervalMs: 100, ...options, ...more });
      queues.push(queue);
      return queue;
    };
    return { table, queue: make(), again: make, rows: new QueueTable(backend.db, table) };
  }

  async function rowsOf(table: string): Promise<{ attempts: number; lease_owner: string | null }[]> {
    return (await backend.pool.query(`select attempts, lease_owner from ${table} order by id`)).rows;
  }

  it("passes Fedify's message queue test suite, ordering keys included, with two queues sharing the table", { timeout: 120_000 }, async () => {
    const { again } = await freshQueue();
    expect(await runFedifyQueueSuite(() => again())).toBe(2);
  });

  it("handles several messages at once: one slow message holds none of the others", async () => {
    const { queue } = await freshQueue({ concurrency: 3 });
    const stop = new AbortController();
    let releaseSlow: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const done: string[] = [];
    let running = 0;
    let peak = 0;
    const listening = queue.listen(
      async (message) => {
        running++;
        peak = Math.max(peak, running);
        if (message === "slow") await slow;
        else await sleep(100);
        running--;
        done.push(message as string);
      },
      { signal: stop.signal },
    );
    try {
      await queue.enqueue("slow");
      await queue.enqueueMany(["a", "b", "c", "d", "e", "f"]);
      // Handled, then deleted (a message leaves the table just after its handler returned).
      await until("the fast messages", async () => done.length === 6 && (await queue.counts()).active === 1);
      expect(done.sort()).toEqual(["a", "b", "c", "d", "e", "f"]);
      expect(peak).toBe(3);
      expect(await queue.counts()).toEqual({ ready: 0, delayed: 0, active: 1 });
    } finally {
      releaseSlow();
      stop.abort();
      await listening;
    }
    expect(done).toContain("slow");
    expect(await queue.counts()).toEqual({ ready: 0, delayed: 0, active: 0 });
  });

  it("lets a handler waiting on a slow server give its slot to the next messages, and still waits for it before stopping", async () => {
    // One slot: without yieldQueueSlot "a" and "b" would wait behind the slow ones, which wait for them.
    const { queue } = await freshQueue({ concurrency: 1 });
    const stop = new AbortController();
    const done: string[] = [];
    const yielded: boolean[] = [];
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const listening = queue.listen(
      async (message) => {
        if (String(message).startsWith("slow")) {
          yielded.push(yieldQueueSlot(), yieldQueueSlot());
          await gate;
        }
        done.push(message as string);
        if (done.includes("a") && done.includes("b")) open();
      },
      { signal: stop.signal },
    );
    try {
      await queue.enqueueMany(["slow-1", "slow-2", "a", "b"]);
      await until("the slow messages to be handled after the others", async () => done.length === 4);
      expect(done.slice(0, 2).sort()).toEqual(["a", "b"]);
      expect(done.slice(2).sort()).toEqual(["slow-1", "slow-2"]);
      // Given once per handler; a second call is a no-op.
      expect(yielded).toEqual([true, false, true, false]);
      await until("every message deleted", async () => (await queue.counts()).active === 0);
    } finally {
      open();
      stop.abort();
      await listening;
    }
    expect(yieldQueueSlot()).toBe(false); // outside any handler
  });

  it("keeps at most maxWaiting handlers waiting without a slot; a stop waits for those too", async () => {
    const { queue } = await freshQueue({ concurrency: 1, maxWaiting: 1 });
    const stop = new AbortController();
    const yielded = new Map<string, boolean>();
    let finished = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const listening = queue.listen(
      async (message) => {
        yielded.set(message as string, yieldQueueSlot());
        await gate;
        finished++;
      },
      { signal: stop.signal },
    );
    let stopped = false;
    try {
      await queue.enqueueMany(["first", "second", "third"]);
      // "first" gave its slot, "second" could not (one waiting at most) and holds the only slot.
      await until("two handlers running", async () => yielded.size === 2);
      expect(Object.fromEntries(yielded)).toEqual({ first: true, second: false });
      stop.abort();
      void listening.then(() => {
        stopped = true;
      });
      await sleep(300);
      expect(stopped).toBe(false); // still waiting for both handlers
    } finally {
      open();
      await listening;
    }
    expect(finished).toBe(2);
    expect(yielded.has("third")).toBe(false);
  });

  it("keeps a message until its handler has returned: a stop waits for it, and it is gone only then", async () => {
    const { queue, table } = await freshQueue();
    const stop = new AbortController();
    let started = false;
    let finished = false;
    const listening = queue.listen(
      async () => {
        started = true;
        await sleep(500);
        finished = true;
      },
      { signal: stop.signal },
    );
    await queue.enqueue({ n: 1 });
    await until("the handler to start", async () => started);
    expect(await rowsOf(table)).toHaveLength(1);
    stop.abort();
    await listening;
    expect(finished).toBe(true);
    expect(await rowsOf(table)).toEqual([]);
  });

  it("gives a message taken by a listener that died to another one once its lease ran out", async () => {
    const { queue, table, rows } = await freshQueue({ leaseMs: 400 });
    await queue.enqueue({ n: "orphan" });
    // A listener takes it, then dies: no handler finishes, no lease renewal.
    expect(await rows.claim("dead", { limit: 5, leaseMs: 400, maxAttempts: 10 })).toHaveLength(1);
    const seen: unknown[] = [];
    const stop = new AbortController();
    const listening = queue.listen((m) => void seen.push(m), { signal: stop.signal });
    await sleep(200);
    expect(seen).toEqual([]); // still leased
    await until("the orphan to be taken again", async () => seen.length > 0);
    stop.abort();
    await listening;
    expect(seen).toEqual([{ n: "orphan" }]);
    expect(await rowsOf(table)).toEqual([]);
  });

  it("frees every lease at once for the embedded owner restarting after a crash", async () => {
    const { queue, rows } = await freshQueue();
    await queue.enqueueMany([1, 2]);
    expect(await rows.claim("dead", { limit: 5, leaseMs: 3_600_000, maxAttempts: 10 })).toHaveLength(2);
    expect(await queue.counts()).toEqual({ ready: 0, delayed: 0, active: 2 });
    expect(await queue.releaseAllLeases()).toBe(2);
    expect(await queue.counts()).toEqual({ ready: 2, delayed: 0, active: 0 });
  });

  it("renews the lease of a handler slower than the lease, so that no other listener takes its message", async () => {
    const { queue, again } = await freshQueue({ leaseMs: 300 });
    const other = again();
    const stop = new AbortController();
    const calls: string[] = [];
    const handler = (who: string) => async () => {
      calls.push(who);
      await sleep(1200);
    };
    const listening = [queue.listen(handler("first"), { signal: stop.signal })];
    await queue.enqueue("long");
    await until("the handler to start", async () => calls.length > 0);
    listening.push(other.listen(handler("second"), { signal: stop.signal }));
    await sleep(1500);
    stop.abort();
    await Promise.all(listening);
    expect(calls).toEqual(["first"]);
    expect(await queue.counts()).toEqual({ ready: 0, delayed: 0, active: 0 });
  });

  it("takes a message whose handler threw again later, up to the attempt limit, then drops it", async () => {
    const { queue, table } = await freshQueue({ retryDelayMs: 100, maxAttempts: 3 });
    const stop = new AbortController();
    const calls: number[] = [];
    const listening = queue.listen(
      () => {
        calls.push(Date.now());
        throw new Error("database down");
      },
      { signal: stop.signal },
    );
    await queue.enqueue("doomed");
    await until("three attempts", async () => calls.length === 3 && (await rowsOf(table)).length === 0);
    await sleep(600);
    stop.abort();
    await listening;
    expect(calls).toHaveLength(3);
    // 100 ms, then 400 ms later: the delay grows.
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(100);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(400);
  });

  it("gives back exactly what was enqueued: key order, NUL characters, large numbers", async () => {
    const { queue } = await freshQueue();
    const message = { z: 1, a: "nul\u0000inside", big: 1.2345678901234567e300, nested: [{ y: true, b: null }] };
    const stop = new AbortController();
    const seen: unknown[] = [];
    const listening = queue.listen((m) => void seen.push(m), { signal: stop.signal });
    await queue.enqueue(message);
    await until("the message", async () => seen.length > 0);
    stop.abort();
    await listening;
    expect(JSON.stringify(seen[0])).toBe(JSON.stringify(message));
  });

  it("reports waiting messages as ready or delayed, and refuses a negative delay", async () => {
    const { queue } = await freshQueue();
    await queue.enqueueMany(["a", "b"]);
    await queue.enqueue("later", { delay: Temporal.Duration.from({ minutes: 5 }) });
    expect(await queue.getDepth()).toEqual({ queued: 3, ready: 2, delayed: 1 });
    await expect(queue.enqueue("x", { delay: Temporal.Duration.from({ seconds: -1 }) })).rejects.toThrow(RangeError);
  });

  it("writes what enqueueAtomically's function enqueued in one statement with its condition, only if it returns a row", async () => {
    const { queue, table } = await freshQueue();
    const flag = `flag_${table}`;
    await backend.pool.query(`create table ${flag} (id int primary key, sent boolean not null default false)`);
    await backend.pool.query(`insert into ${flag} (id) values (1), (2), (3)`);
    const mark = (id: number) => ({ sql: `update ${flag} set sent = true where id = $1 and not sent returning id`, params: [id] });
    const payloads = async () => (await backend.pool.query(`select payload from ${table} order by id`)).rows.map((r) => JSON.parse(r.payload));
    // Like Fedify with an ordering key: one enqueue per message, all at once, then more.
    let before: unknown[] = [];
    const send = async () => {
      before = await payloads();
      await Promise.all([queue.enqueue("a", { orderingKey: "k" }), queue.enqueue("b", { orderingKey: "k" })]);
      expect(await payloads()).toEqual(before); // held back until the function returns
      await queue.enqueueMany(["c", "d"], { delay: Temporal.Duration.from({ minutes: 1 }) });
    };
    expect(await queue.enqueueAtomically(mark(1), send)).toBe(true);
    expect(before).toEqual([]);
    expect(await payloads()).toEqual(["a", "b", "c", "d"]);
    // The same row sent again (a retry after a crash, a second worker): nothing twice.
    expect(await queue.enqueueAtomically(mark(1), send)).toBe(false);
    expect(await payloads()).toEqual(["a", "b", "c", "d"]);
    expect(await queue.getDepth()).toEqual({ queued: 4, ready: 2, delayed: 2 });
    // Nothing to send: the row is marked all the same. A function that throws writes and marks nothing.
    expect(await queue.enqueueAtomically(mark(2), async () => {})).toBe(true);
    await expect(
      queue.enqueueAtomically(mark(3), async () => {
        await queue.enqueue("e");
        throw new Error("no keys");
      }),
    ).rejects.toThrow("no keys");
    expect((await backend.pool.query(`select id, sent from ${flag} order by id`)).rows).toEqual([
      { id: 1, sent: true },
      { id: 2, sent: true },
      { id: 3, sent: false },
    ]);
    // Outside the function, writes are immediate again.
    await queue.enqueue("f");
    expect(await payloads()).toEqual(["a", "b", "c", "d", "f"]);
  });

  it("stops its listeners and refuses new messages once closed", async () => {
    const { queue } = await freshQueue();
    const listening = queue.listen(() => {});
    await queue.close();
    await expect(listening).resolves.toBeUndefined();
    await expect(queue.enqueue("too late")).rejects.toThrow(/closed/);
  });
});
