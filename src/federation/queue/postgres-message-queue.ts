import { AsyncLocalStorage } from "node:async_hooks";
import type {
  MessageQueue,
  MessageQueueDepth,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import type { SqlExecutor } from "../kv/postgres-kv-store.ts";
import { Listener, type ListenerSettings } from "./queue-listener.ts";
import { type EnqueueCondition, type NewMessage, QueueTable } from "./queue-table.ts";

export { yieldQueueSlot } from "./queue-listener.ts";
export type { EnqueueCondition } from "./queue-table.ts";

const logger = getLogger(["relais", "federation", "queue"]);

/**
 * Carries message ids between processes (Redis): `announce` after the messages are stored, `consume`
 * in every listening process. It may lose announcements: the table stays the truth and the sweep
 * takes what was not announced.
 */
export interface QueueAnnouncer {
  announce(ids: readonly string[], delayMs: number): Promise<void>;
  /** Calls `take` for each announced id, at most `concurrency` at once, until `signal` aborts; then resolves. */
  consume(take: (id: string) => Promise<void>, opts: { concurrency: number; signal: AbortSignal }): Promise<void>;
}

export interface PostgresMessageQueueOptions {
  /** The table (see queue-table.ts); defaults to `federation_queue`. */
  table?: string;
  /** Messages one `listen()` handles at once. Default {@link defaultConcurrency}. */
  concurrency?: number;
  /** How often a listener looks for due messages (the sweep, with an announcer). Default 1 s, 5 s with an announcer. */
  pollIntervalMs?: number;
  /** How long a taken message stays reserved; renewed while its handler runs. Default 30 s. */
  leaseMs?: number;
  /** Times a message is taken (a crash or a throwing handler each count) before it is dropped. Default 10. */
  maxAttempts?: number;
  /** Delay before a message whose handler threw is taken again, multiplied by 4 at each attempt (capped at 1 h). Default 30 s. */
  retryDelayMs?: number;
  announcer?: QueueAnnouncer;
  /** With an announcer, the sweep takes only messages due for this long. Default 10 s. */
  sweepAfterMs?: number;
  /**
   * Handlers that gave their slot back while they wait on another server ({@link yieldQueueSlot}),
   * at most this many at once per listener; beyond, a waiting handler keeps its slot. Default 16×
   * `concurrency`.
   */
  maxWaiting?: number;
}

/** The messages enqueued on `queue` while `enqueueAtomically`'s function runs, written when it returns. */
interface AtomicScope {
  readonly queue: PostgresMessageQueue;
  readonly pending: NewMessage[];
}

const atomicScope = new AsyncLocalStorage<AtomicScope>();

/** Messages one `listen()` handles at once unless told otherwise. */
export const defaultConcurrency = 8;

/**
 * Fedify's message queue on PostgreSQL (the embedded one included): messages survive any crash, a
 * message is deleted only after its handler returned, several are handled at once per listener, and
 * several processes share the table (`FOR UPDATE SKIP LOCKED`). Ordering keys are honoured. Fedify
 * keeps its own retry policy (`nativeRetrial` is false); a handler that throws (Fedify could not even
 * schedule its retry) gets its message again later, up to `maxAttempts`. Payloads are never logged:
 * outgoing messages carry private keys, which thus never leave the database.
 */
export class PostgresMessageQueue implements MessageQueue {
  readonly nativeRetrial = false;
  readonly #table: QueueTable;
  readonly #settings: ListenerSettings;
  readonly #announcer: QueueAnnouncer | undefined;
  readonly #listeners = new Set<Listener>();
  readonly #closing = new AbortController();

  constructor(db: SqlExecutor, options: PostgresMessageQueueOptions = {}) {
    const concurrency = options.concurrency ?? defaultConcurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    this.#table = new QueueTable(db, options.table);
    this.#announcer = options.announcer;
    this.#settings = {
      concurrency,
      pollIntervalMs: options.pollIntervalMs ?? (options.announcer ? 5000 : 1000),
      leaseMs: options.leaseMs ?? 30_000,
      maxAttempts: options.maxAttempts ?? 10,
      retryDelayMs: options.retryDelayMs ?? 30_000,
      sweepAfterMs: options.announcer ? (options.sweepAfterMs ?? 10_000) : 0,
      maxWaiting: options.maxWaiting ?? 16 * concurrency,
    };
  }

  enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    return this.#write([message], options);
  }

  enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    return this.#write(messages, options);
  }

  /**
   * Runs `fn`, holding back every message it enqueues on this queue; when `fn` returns, writes them all
   * in one statement with `condition`, and only if the condition returns a row (the condition runs even
   * when `fn` enqueued nothing). Returns whether it did. The outbox relay marks its row sent this way:
   * a row's deliveries are stored exactly when the row is marked, all of them or none, and a retried or
   * concurrent send of the same row stores nothing twice.
   */
  async enqueueAtomically(condition: EnqueueCondition, fn: () => Promise<void>): Promise<boolean> {
    if (atomicScope.getStore()?.queue === this) throw new Error("enqueueAtomically does not nest");
    const scope: AtomicScope = { queue: this, pending: [] };
    await atomicScope.run(scope, fn);
    this.#assertOpen();
    const { held, ids } = await this.#table.insert(scope.pending, condition);
    this.#announce(ids, scope.pending);
    return held;
  }

  async #write(messages: readonly unknown[], options: MessageQueueEnqueueOptions | undefined): Promise<void> {
    this.#assertOpen();
    const delayMs = options?.delay == null ? 0 : Math.ceil(options.delay.total({ unit: "millisecond" }));
    if (delayMs < 0) throw new RangeError(`delay must not be negative, got ${options?.delay?.toString()}`);
    const batch = messages.map((m): NewMessage => {
      const payload = JSON.stringify(m);
      if (payload === undefined) throw new TypeError(`a queued message must be JSON-serialisable, got ${typeof m}`);
      return { payload, orderingKey: options?.orderingKey ?? null, delayMs };
    });
    const scope = atomicScope.getStore();
    if (scope?.queue === this) {
      scope.pending.push(...batch);
      return;
    }
    const { ids } = await this.#table.insert(batch);
    this.#announce(ids, batch);
  }

  /** Tells the listeners: those of other processes through the announcer, else those of this one. */
  #announce(ids: readonly string[], batch: readonly NewMessage[]): void {
    if (ids.length === 0) return;
    if (this.#announcer) {
      // The messages are safe in the table already: a lost announcement only delays them until the sweep.
      const delays = new Map<number, string[]>();
      batch.forEach((m, i) => {
        const id = ids[i];
        if (id !== undefined) delays.set(m.delayMs, [...(delays.get(m.delayMs) ?? []), id]);
      });
      for (const [delayMs, group] of delays) {
        this.#announcer.announce(group, delayMs).catch((error: unknown) => {
          logger.warn("{count} message(s) stored but not announced (the sweep will take them): {error}", { count: group.length, error: String(error) });
        });
      }
    } else if (batch.some((m) => m.delayMs === 0)) {
      for (const listener of this.#listeners) listener.kick();
    }
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new Error("the message queue is closed");
  }

  async getDepth(): Promise<MessageQueueDepth> {
    const { ready, delayed } = await this.#table.counts();
    return { queued: ready + delayed, ready, delayed };
  }

  /** Messages waiting (ready or delayed) and being handled, for tests and operators. */
  counts(): Promise<{ ready: number; delayed: number; active: number }> {
    return this.#table.counts();
  }

  /** Seconds the oldest message ready to be handled has waited (metrics); 0 when none waits. */
  oldestReadyAgeSeconds(): Promise<number> {
    return this.#table.oldestReadyAgeSeconds();
  }

  /**
   * Frees the leases of messages taken by a process that died. Only for a process that knows it is the
   * only one using the table (the embedded default's owner, at start); elsewhere leases run out.
   */
  releaseAllLeases(): Promise<number> {
    return this.#table.releaseAll();
  }

  /**
   * Handles messages until `signal` aborts or `close()` is called, then waits for the handlers in
   * flight and resolves. Never rejects.
   */
  async listen(handler: (message: unknown) => Promise<void> | void, options: MessageQueueListenOptions = {}): Promise<void> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    if (signal.aborted) return;
    const listener = new Listener(this.#table, handler, this.#settings, this.#announcer);
    this.#listeners.add(listener);
    try {
      await listener.run(signal);
    } catch (error) {
      logger.error("a queue listener stopped on an unexpected error: {error}", { error });
    } finally {
      this.#listeners.delete(listener);
    }
  }

  /** Stops every listener (waiting for the handlers in flight) and refuses new messages. Idempotent. */
  async close(): Promise<void> {
    this.#closing.abort();
    while (this.#listeners.size > 0) await new Promise((r) => setTimeout(r, 20));
  }
}
