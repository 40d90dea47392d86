import type {
  MessageQueue,
  MessageQueueDepth,
  MessageQueueEnqueueOptions,
  MessageQueueListenOptions,
} from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import { type ConnectionOptions, type JobsOptions, Queue, Worker } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";

const logger = getLogger(["relais", "federation", "queue"]);

/** The job name under which every Fedify message is stored; BullMQ requires one. */
const jobName = "fedify";

export interface BullMqMessageQueueOptions {
  /** A Redis URL (`redis://host:port/db`) or ioredis options; the queue opens its own connections from it. */
  connection: string | RedisOptions;
  /** BullMQ queue name. Defaults to `"fedify"`. */
  queueName?: string;
  /** BullMQ key prefix (keys are `<prefix>:<queueName>:…`). Defaults to `"relais"`. */
  prefix?: string;
  /** Jobs a single `listen()` call processes at once. Defaults to 1. */
  concurrency?: number;
}

/**
 * Fedify's message queue on BullMQ (Redis).
 *
 * Fedify keeps its own retry policy (`nativeRetrial` is false): a job runs once, and a job whose handler
 * throws is dropped, not retried by BullMQ. Finished jobs are removed at once, failed ones included,
 * because outbox messages carry private keys; message payloads are never logged.
 *
 * `orderingKey` is not supported (BullMQ's open-source edition has no job groups): such messages are
 * delivered like any other, without ordering.
 */
export class BullMqMessageQueue implements MessageQueue {
  readonly nativeRetrial = false;

  readonly #connection: string | RedisOptions;
  readonly #queueName: string;
  readonly #prefix: string;
  readonly #concurrency: number;
  readonly #producer: Redis;
  readonly #queue: Queue;
  readonly #closing = new AbortController();
  readonly #listening = new Set<Promise<void>>();
  #closed: Promise<void> | undefined;

  constructor(options: BullMqMessageQueueOptions) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.#connection = options.connection;
    this.#queueName = options.queueName ?? "fedify";
    this.#prefix = options.prefix ?? "relais";
    this.#concurrency = concurrency;
    // The producer keeps ioredis' default bounded retries, so enqueue() fails instead of hanging forever
    // while Redis is down; only the worker connections need `maxRetriesPerRequest: null`.
    this.#producer = openRedis(options.connection, {});
    this.#producer.on("error", (error: Error) => {
      logger.warn("Redis connection of the queue {queue} failed: {message}", {
        queue: this.#queueName,
        message: error.message,
      });
    });
    this.#queue = new Queue(this.#queueName, { connection: this.#producer, prefix: this.#prefix });
    this.#queue.on("error", (error: Error) => {
      logger.warn("Queue {queue} failed: {message}", { queue: this.#queueName, message: error.message });
    });
  }

  /** The BullMQ queue name. */
  get queueName(): string {
    return this.#queueName;
  }

  /** The BullMQ key prefix. */
  get prefix(): string {
    return this.#prefix;
  }

  async enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    this.#assertOpen();
    await this.#queue.add(jobName, message, jobOptions(options));
  }

  async enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    this.#assertOpen();
    if (messages.length === 0) return;
    const opts = jobOptions(options);
    await this.#queue.addBulk(messages.map((data) => ({ name: jobName, data, opts })));
  }

  async getDepth(): Promise<MessageQueueDepth> {
    this.#assertOpen();
    const counts = await this.#queue.getJobCounts("waiting", "prioritized", "delayed");
    const ready = (counts["waiting"] ?? 0) + (counts["prioritized"] ?? 0);
    const delayed = counts["delayed"] ?? 0;
    return { queued: ready + delayed, ready, delayed };
  }

  /**
   * Processes messages until `signal` aborts or `close()` is called, then closes the worker, waiting for
   * the messages in flight, and resolves. Never rejects.
   */
  listen(handler: (message: unknown) => Promise<void> | void, options: MessageQueueListenOptions = {}): Promise<void> {
    const listening = this.#listen(handler, options.signal);
    this.#listening.add(listening);
    return listening.finally(() => this.#listening.delete(listening));
  }

  async #listen(handler: (message: unknown) => Promise<void> | void, signal: AbortSignal | undefined): Promise<void> {
    const stop = signal == null ? this.#closing.signal : AbortSignal.any([signal, this.#closing.signal]);
    if (stop.aborted) return;
    const worker = new Worker(
      this.#queueName,
      async (job) => {
        await handler(job.data);
      },
      {
        connection: openOptions(this.#connection, { maxRetriesPerRequest: null }),
        prefix: this.#prefix,
        concurrency: this.#concurrency,
        // Also enforced here in case a job was added by another producer with other options.
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      },
    );
    worker.on("error", (error: Error) => {
      logger.warn("Worker of the queue {queue} failed: {message}", { queue: this.#queueName, message: error.message });
    });
    worker.on("failed", (job, error: Error) => {
      // Only the id and the error: the message itself may hold private keys.
      logger.error("Message {jobId} of the queue {queue} failed and is dropped: {message}", {
        queue: this.#queueName,
        jobId: job?.id,
        message: error.message,
      });
    });
    await new Promise<void>((resolve) => stop.addEventListener("abort", () => resolve(), { once: true }));
    try {
      // Not forced: waits for the jobs in flight to finish.
      await worker.close();
    } catch (error) {
      logger.warn("Closing a worker of the queue {queue} failed: {message}", {
        queue: this.#queueName,
        message: (error as Error).message,
      });
    }
  }

  /** Stops every `listen()` (waiting for jobs in flight), then closes the queue and its connections. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing.abort();
    await Promise.all(this.#listening);
    await this.#queue.close();
    await this.#producer.quit().catch(() => this.#producer.disconnect());
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new Error(`The message queue ${this.#queueName} is closed`);
  }
}

function jobOptions(options: MessageQueueEnqueueOptions | undefined): JobsOptions {
  const opts: JobsOptions = { attempts: 1, removeOnComplete: true, removeOnFail: true };
  if (options?.delay != null) {
    const ms = options.delay.total({ unit: "millisecond" });
    if (ms < 0) throw new RangeError(`delay must not be negative, got ${options.delay.toString()}`);
    if (ms > 0) opts.delay = Math.ceil(ms);
  }
  return opts;
}

/** Options from which BullMQ opens (and later closes) its own connections; it reads a URL from `url`. */
function openOptions(connection: string | RedisOptions, overrides: RedisOptions): ConnectionOptions {
  // ioredis' and BullMQ's option types differ only in how loosely they are declared.
  const options = typeof connection === "string" ? { url: connection, ...overrides } : { ...connection, ...overrides };
  return options as ConnectionOptions;
}

function openRedis(connection: string | RedisOptions, overrides: RedisOptions): Redis {
  return typeof connection === "string"
    ? new Redis(connection, overrides)
    : new Redis({ ...connection, ...overrides });
}
