import { getLogger } from "@logtape/logtape";
import { type ConnectionOptions, Queue, Worker } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { QueueAnnouncer } from "./postgres-message-queue.ts";

const logger = getLogger(["relais", "federation", "queue"]);

/** The job name under which every announcement is stored; BullMQ requires one. */
const jobName = "message";

export interface BullMqAnnouncerOptions {
  /** A Redis URL (`redis://host:port/db`) or ioredis options; the announcer opens its own connections from it. */
  connection: string | RedisOptions;
  /** BullMQ queue name. */
  queueName: string;
  /** BullMQ key prefix (keys are `<prefix>:<queueName>:…`). Defaults to `"relais"`. */
  prefix?: string;
}

/**
 * Spreads the ids of messages stored in PostgreSQL over the worker processes, through BullMQ: a job
 * holds `{ id }` and nothing else (no payload, no key), waits out the message's delay, and is handed
 * to a process with a free slot, which takes the message from the table. Jobs are removed as soon as
 * they ran. Whatever Redis loses (a restart without persistence, an eviction), the sweep of
 * `PostgresMessageQueue` finds in the table.
 */
export class BullMqAnnouncer implements QueueAnnouncer {
  readonly #connection: string | RedisOptions;
  readonly #queueName: string;
  readonly #prefix: string;
  readonly #producer: Redis;
  readonly #queue: Queue;
  #closed: Promise<void> | undefined;

  constructor(options: BullMqAnnouncerOptions) {
    this.#connection = options.connection;
    this.#queueName = options.queueName;
    this.#prefix = options.prefix ?? "relais";
    // Bounded retries: an announcement fails instead of waiting for ever while Redis is down (the
    // messages are in PostgreSQL already); only the worker connections need `maxRetriesPerRequest: null`.
    this.#producer = openRedis(options.connection, {});
    this.#producer.on("error", (error: Error) => {
      logger.warn("Redis connection of the queue {queue} failed: {message}", { queue: this.#queueName, message: error.message });
    });
    this.#queue = new Queue(this.#queueName, { connection: this.#producer, prefix: this.#prefix });
    this.#queue.on("error", (error: Error) => {
      logger.warn("Queue {queue} failed: {message}", { queue: this.#queueName, message: error.message });
    });
  }

  get queueName(): string {
    return this.#queueName;
  }

  get prefix(): string {
    return this.#prefix;
  }

  async announce(ids: readonly string[], delayMs: number): Promise<void> {
    if (ids.length === 0) return;
    const opts = { attempts: 1, removeOnComplete: true, removeOnFail: true, ...(delayMs > 0 ? { delay: delayMs } : {}) };
    await this.#queue.addBulk(ids.map((id) => ({ name: jobName, data: { id }, opts })));
  }

  async consume(take: (id: string) => Promise<void>, opts: { concurrency: number; signal: AbortSignal }): Promise<void> {
    if (opts.signal.aborted) return;
    const worker = new Worker(
      this.#queueName,
      async (job) => {
        const id = (job.data as { id?: unknown }).id;
        if (typeof id === "string") await take(id);
      },
      {
        connection: openOptions(this.#connection, { maxRetriesPerRequest: null }),
        prefix: this.#prefix,
        concurrency: opts.concurrency,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      },
    );
    worker.on("error", (error: Error) => {
      logger.warn("Worker of the queue {queue} failed: {message}", { queue: this.#queueName, message: error.message });
    });
    await new Promise<void>((resolve) => opts.signal.addEventListener("abort", () => resolve(), { once: true }));
    try {
      // Not forced: waits for the messages in hand.
      await worker.close();
    } catch (error) {
      logger.warn("Closing a worker of the queue {queue} failed: {message}", { queue: this.#queueName, message: (error as Error).message });
    }
  }

  /** Announcements waiting in Redis (for tests and operators). */
  async pending(): Promise<number> {
    const counts = await this.#queue.getJobCounts("waiting", "prioritized", "delayed", "active");
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  /** Closes the producer side (consumers stop with their signal). Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#queue.close();
      await this.#producer.quit().catch(() => this.#producer.disconnect());
    })();
    return this.#closed;
  }
}

/** Options from which BullMQ opens (and later closes) its own connections; it reads a URL from `url`. */
function openOptions(connection: string | RedisOptions, overrides: RedisOptions): ConnectionOptions {
  // ioredis' and BullMQ's option types differ only in how loosely they are declared.
  const options = typeof connection === "string" ? { url: connection, ...overrides } : { ...connection, ...overrides };
  return options as ConnectionOptions;
}

function openRedis(connection: string | RedisOptions, overrides: RedisOptions): Redis {
  return typeof connection === "string" ? new Redis(connection, overrides) : new Redis({ ...connection, ...overrides });
}
