import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { getLogger } from "@logtape/logtape";
import type { PostgresMessageQueueOptions, QueueAnnouncer } from "./postgres-message-queue.ts";
import type { ClaimedMessage, QueueTable } from "./queue-table.ts";

const logger = getLogger(["relais", "federation", "queue"]);

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

/** A queue's options with their defaults filled in. */
export type ListenerSettings = Required<Omit<PostgresMessageQueueOptions, "table" | "announcer">>;
type Settings = ListenerSettings;

/** One `listen()`: `concurrency` slots, filled by the poll (or sweep) and by announcements. */
export class Listener {
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
