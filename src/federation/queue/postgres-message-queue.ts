import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type {
  MessageQueue,
  MessageQueueDepth,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import type { SqlExecutor } from "../kv/postgres-kv-store.ts";
import { type ClaimedMessage, type EnqueueCondition, type NewMessage, QueueTable } from "./queue-table.ts";

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

/** The slot of the message whose handler is running, for {@link yieldQueueSlot}. */
const slotScope = new AsyncLocalStorage<{ yieldSlot(): boolean }>();

/**
 * Gives the slot of the queue message being handled (if any: the caller runs inside a handler) to
 * the next message, because the handler now only waits on something slow — another server that takes
 * long to answer. The handler goes on and its message is deleted as usual when it returns; it just no
 * longer counts against the listener's concurrency, so deliveries to a slow server do not hold up
 * those to the others. Returns whether the slot was given (not inside a handler, given already, or
 * too many handlers waiting: false). Concurrency bounds the CPU work of handlers; waiting costs none.
 */
export function yieldQueueSlot(): boolean {
  return slotScope.getStore()?.yieldSlot() ?? false;
}

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
  readonly #settings: Required<Omit<PostgresMessageQueueOptions, "table" | "announcer">>;
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

type Settings = Required<Omit<PostgresMessageQueueOptions, "table" | "announcer">>;

/** One `listen()`: `concurrency` slots, filled by the poll (or sweep) and by announcements. */
class Listener {
  readonly #owner = randomUUID();
  readonly #table: QueueTable;
  readonly #handler: (message: unknown) => Promise<void> | void;
  readonly #s: Settings;
  readonly #announcer: QueueAnnouncer | undefined;
  readonly #held = new Set<string>();
  readonly #slotWaiters: (() => void)[] = [];
  #free: number;
  /** Handlers running after they gave their slot back (yieldQueueSlot). */
  #waiting = 0;
  /** The last poll filled every slot: more may be due, so a freed slot polls again at once. */
  #maybeMore = false;
  #wake: (() => void) | undefined;
  #kicked = false;

  constructor(table: QueueTable, handler: (message: unknown) => Promise<void> | void, settings: Settings, announcer: QueueAnnouncer | undefined) {
    this.#table = table;
    this.#handler = handler;
    this.#s = settings;
    this.#announcer = announcer;
    this.#free = settings.concurrency;
  }

  /** Polls again now (a message was enqueued in this process). */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    const renewal = setInterval(() => void this.#renew(), Math.max(50, Math.floor(this.#s.leaseMs / 3)));
    signal.addEventListener("abort", () => {
      for (const wake of this.#slotWaiters.splice(0)) wake();
    });
    try {
      const consuming = this.#announcer?.consume((id) => this.#takeAnnounced(id, signal), { concurrency: this.#s.concurrency, signal });
      await this.#poll(signal);
      await consuming;
      while (this.#free < this.#s.concurrency || this.#waiting > 0) await this.#sleep(20, undefined);
    } finally {
      clearInterval(renewal);
    }
  }

  async #poll(signal: AbortSignal): Promise<void> {
    let purgedAt = 0;
    while (!signal.aborted) {
      const n = this.#free;
      if (n > 0) {
        this.#free -= n;
        let taken: ClaimedMessage[] = [];
        try {
          taken = await this.#table.claim(this.#owner, { ...this.#claimLimits(n), minAgeMs: this.#s.sweepAfterMs });
        } catch (error) {
          logger.warn("could not take queued messages: {error}", { error: String(error) });
        }
        this.#returnSlots(n - taken.length);
        this.#maybeMore = taken.length === n;
        for (const message of taken) void this.#handleInSlot(message, signal);
      }
      if (Date.now() - purgedAt > 60_000) {
        purgedAt = Date.now();
        await this.#purgeExhausted();
      }
      await this.#sleep(this.#s.pollIntervalMs, signal);
    }
  }

  async #takeAnnounced(id: string, signal: AbortSignal): Promise<void> {
    if (!(await this.#acquireSlot(signal))) return;
    let taken: ClaimedMessage[] = [];
    try {
      taken = await this.#table.claim(this.#owner, { ...this.#claimLimits(1), ids: [id] });
    } catch (error) {
      logger.warn("could not take announced message {id}: {error}", { id, error: String(error) });
    }
    const [message] = taken;
    // Not taken: done already, held elsewhere, not due yet or behind its ordering key. The sweep gets it if needed.
    if (!message) this.#returnSlots(1);
    else await this.#handleInSlot(message, signal);
  }

  #claimLimits(limit: number) {
    return { limit, leaseMs: this.#s.leaseMs, maxAttempts: this.#s.maxAttempts };
  }

  /**
   * Handles a message in the slot taken for it, then the next ones of its ordering key, then frees the
   * slot. A handler may give the slot back while it waits (yieldQueueSlot): then the next message of
   * its ordering key is left to the next poll, which takes it with a slot of its own.
   */
  async #handleInSlot(first: ClaimedMessage, signal: AbortSignal): Promise<void> {
    let message: ClaimedMessage | undefined = first;
    let yielded = false;
    const slot = {
      yieldSlot: (): boolean => {
        if (yielded || this.#waiting >= this.#s.maxWaiting) return false;
        yielded = true;
        this.#waiting++;
        this.#returnSlots(1);
        if (this.#maybeMore) this.kick();
        return true;
      },
    };
    try {
      while (message) {
        this.#held.add(message.id);
        const done = await slotScope.run(slot, () => this.#handle(message as ClaimedMessage));
        this.#held.delete(message.id);
        if (!done || message.orderingKey === null || signal.aborted || yielded) break;
        const key: string = message.orderingKey;
        [message] = await this.#table
          .claim(this.#owner, { ...this.#claimLimits(1), orderingKey: key })
          .catch((): ClaimedMessage[] => []);
      }
    } finally {
      if (message) this.#held.delete(message.id);
      if (yielded) {
        this.#waiting--;
        if (this.#maybeMore || first.orderingKey !== null) this.kick();
      } else {
        this.#returnSlots(1);
        if (this.#maybeMore) this.kick();
      }
    }
  }

  /** Runs the handler; deletes the message once it returned, or gives it back for later. True when done. */
  async #handle(message: ClaimedMessage): Promise<boolean> {
    try {
      await this.#handler(JSON.parse(message.payload));
    } catch (error) {
      await this.#failed(message, error);
      return false;
    }
    try {
      await this.#table.delete(message.id);
    } catch (error) {
      // Handled, but still in the table: it runs again once its lease runs out.
      logger.warn("message {id} handled but not deleted: {error}", { id: message.id, error: String(error) });
    }
    return true;
  }

  async #failed(message: ClaimedMessage, error: unknown): Promise<void> {
    const last = message.attempts >= this.#s.maxAttempts;
    try {
      if (last) {
        logger.error("message {id} dropped after {attempts} failed attempts: {error}", { id: message.id, attempts: message.attempts, error: String(error) });
        await this.#table.delete(message.id);
      } else {
        const delayMs = Math.min(this.#s.retryDelayMs * 4 ** (message.attempts - 1), 3_600_000);
        logger.warn("message {id} failed (attempt {attempts}), taken again in {seconds} s: {error}", {
          id: message.id,
          attempts: message.attempts,
          seconds: Math.round(delayMs / 1000),
          error: String(error),
        });
        await this.#table.release(this.#owner, message.id, delayMs);
      }
    } catch (dbError) {
      logger.warn("message {id} failed and could not be given back; its lease will run out: {error}", { id: message.id, error: String(dbError) });
    }
  }

  async #purgeExhausted(): Promise<void> {
    try {
      const ids = await this.#table.deleteExhausted(this.#s.maxAttempts);
      if (ids.length > 0) logger.error("dropped {count} message(s) taken {max} times without finishing: {ids}", { count: ids.length, max: this.#s.maxAttempts, ids });
    } catch (error) {
      logger.warn("could not purge exhausted messages: {error}", { error: String(error) });
    }
  }

  async #renew(): Promise<void> {
    try {
      await this.#table.renew(this.#owner, [...this.#held], this.#s.leaseMs);
    } catch (error) {
      logger.warn("could not renew the leases of {count} message(s): {error}", { count: this.#held.size, error: String(error) });
    }
  }

  async #acquireSlot(signal: AbortSignal): Promise<boolean> {
    while (this.#free === 0) {
      if (signal.aborted) return false;
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    }
    if (signal.aborted) return false;
    this.#free--;
    return true;
  }

  #returnSlots(count: number): void {
    this.#free += count;
    for (const wake of this.#slotWaiters.splice(0, count)) wake();
  }

  #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#kicked || signal?.aborted) {
      this.#kicked = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        if (this.#wake === done) this.#wake = undefined;
        this.#kicked = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      if (signal) this.#wake = done;
    });
  }
}
