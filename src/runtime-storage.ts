import { Redis } from "ioredis";
import pg from "pg";
import { getLogger } from "@logtape/logtape";
import type { Config } from "./config/config.ts";
import { type EmbeddedHandle, openEmbeddedPostgres } from "./db/embedded-postgres.ts";
import { type DatabaseTarget, type EntityManager, type MikroORM, migrate, openOrm } from "./db/orm.ts";
import { PostgresKvStore, sqlExecutorFromPg } from "./federation/kv/postgres-kv-store.ts";
import { RedisKvStore } from "./federation/kv/redis-kv-store.ts";
import { BullMqAnnouncer } from "./federation/queue/bullmq-announcer.ts";
import { PostgresMessageQueue } from "./federation/queue/postgres-message-queue.ts";
import { FederatedReadCache, MemoryReadStore, RedisReadStore } from "./federation/read-cache.ts";
import { PostgresSessionStore } from "./modules/account/postgres-session.store.ts";
import type { SessionStore } from "./modules/account/session.types.ts";
import { Metrics } from "./ops/metrics.ts";
import { OperatorError } from "./shared/errors.ts";
import type { RateLimits, Role } from "./runtime.types.ts";
import { RedisSessionStore } from "./web/auth/redis-session.store.ts";
import { createRateLimit, type RateLimitOptions } from "./web/rate-limits.ts";

const logger = getLogger(["relais", "runtime"]);

/** Fedify's key–value store: in Redis when there is one, else in the database. */
export type FederationKv = RedisKvStore | PostgresKvStore;

/** What the components share underneath: the database, Fedify's queue and store, caches, rate limits. */
export interface Storage {
  /** The configuration, with the running server's origin when this process works through its embedded database. */
  readonly config: Config;
  readonly orm: MikroORM;
  readonly em: EntityManager;
  readonly embedded: EmbeddedHandle | undefined;
  readonly sessionStore: SessionStore;
  readonly kv: FederationKv;
  readonly queue: PostgresMessageQueue;
  readonly readCache: FederatedReadCache;
  readonly metrics: Metrics;
  readonly rateLimits: RateLimits;
  readonly readiness: Record<string, () => Promise<void>>;
}

/**
 * Opens the database (PostgreSQL at DATABASE_URL, or the embedded one), migrates or checks it, and
 * builds what lives on it or on Redis. What must be closed is pushed on `closers`, in opening order.
 */
export async function openStorage(
  config: Config,
  role: Role,
  opts: { migrations?: "apply" | "require" | "skip"; queueName?: string | undefined; release: string },
  closers: (() => Promise<unknown> | unknown)[],
): Promise<Storage> {
  // The queue lives in the database (Redis only announces), so the halves apart need one PostgreSQL
  // they share; Redis is optional (without it, workers poll the table and rate limits are per process).
  if (!config.databaseUrl && (role === "web" || role === "worker")) {
    throw new OperatorError(
      `relais ${role === "web" ? "serve" : "worker"} runs the web and worker halves apart, which share their queue through PostgreSQL: set DATABASE_URL, or run both in one process with "relais start"`,
    );
  }
  // Database: real PostgreSQL when DATABASE_URL is set, else the embedded one under the data folder.
  let target: DatabaseTarget;
  let embedded: EmbeddedHandle | undefined;
  let poolSize = role === "cli" ? 2 : 10;
  // Fedify's queue (and its key–value store without Redis) use their own small pool: single statements.
  let federationPoolSize = 4;
  if (config.databaseUrl) {
    target = { url: config.databaseUrl };
  } else {
    embedded = await openEmbeddedPostgres(config.dataDir, {
      origin: config.origin.href,
      thread: config.embeddedThread,
      sharedBuffersMb: config.embeddedSharedBuffersMb,
    });
    closers.push(() => embedded?.close());
    config = withServerOrigin(config, embedded);
    target = embedded.target;
    // Stay below the embedded server's connection limit (PGlite serves one session to all sockets).
    const budget = embedded.role === "owner" ? embedded.maxClientConnections : 2;
    federationPoolSize = budget > 4 ? 2 : 1;
    poolSize = Math.max(1, budget - federationPoolSize);
  }
  const orm = await openOrm(target, { poolSize });
  closers.push(() => orm.close());
  // `start` and the embedded default migrate by themselves; with a separate PostgreSQL the operator
  // runs `relais migrate` once per release, before web and worker processes start.
  const migrations = opts.migrations ?? (role === "all" || embedded !== undefined ? "apply" : "require");
  if (migrations === "apply") await migrate(orm);
  else if (migrations === "require") await assertMigrated(orm);
  const em = orm.em.fork() as EntityManager;

  let sessionStore: SessionStore = new PostgresSessionStore(em);
  const readiness: Record<string, () => Promise<void>> = {
    database: async () => {
      await orm.em.getConnection().execute("select 1");
    },
    // A release whose migrations were not applied yet is not ready (the rollout waits for `relais migrate`).
    migrations: () => assertMigrated(orm),
  };
  let rateStore: RateLimitOptions["redis"];
  const federationPool = new pg.Pool(
    "url" in target ? { connectionString: target.url, max: federationPoolSize } : { ...target, max: federationPoolSize },
  );
  // A connection PostgreSQL ends (a restart, a terminated backend) is dropped and replaced; without
  // these listeners pg would throw the error out of the process.
  federationPool.on("error", (error) => logger.warn("PostgreSQL connection of the federation pool lost: {message}", { message: error.message }));
  federationPool.on("connect", (client) =>
    client.on("error", (error) => logger.warn("PostgreSQL connection of the federation pool lost: {message}", { message: error.message })),
  );
  closers.push(() => federationPool.end());
  const federationDb = sqlExecutorFromPg(federationPool);
  // Accepted work lives in the database on every setup; Redis only spreads message ids (ADR 0008).
  let kv: FederationKv;
  let announcer: BullMqAnnouncer | undefined;
  const metrics = new Metrics();
  let readCache = new FederatedReadCache(new MemoryReadStore(), { onLookup: metrics.readCacheLookup });
  if (config.redisUrl) {
    const redis = new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
    closers.push(() => redis.quit());
    rateStore = { client: redis, keyPrefix: `relais:rl:${opts.queueName ?? ""}:` };
    kv = new RedisKvStore(redis, { keyPrefix: `relais:kv:${opts.queueName ?? ""}:` });
    sessionStore = new RedisSessionStore(redis, { keyPrefix: `relais:session:${opts.queueName ?? ""}:` });
    // Several web processes share one cache, and every process that writes (web, worker, CLI) invalidates it.
    readCache = new FederatedReadCache(new RedisReadStore(redis, { prefix: `relais:reads:${opts.queueName ?? ""}:`, release: opts.release }), { onLookup: metrics.readCacheLookup });
    const theAnnouncer = new BullMqAnnouncer({ connection: config.redisUrl, queueName: opts.queueName ?? "relais-federation" });
    closers.push(() => theAnnouncer.close());
    announcer = theAnnouncer;
    readiness.redis = async () => {
      await redis.ping();
    };
  } else {
    kv = new PostgresKvStore(federationDb);
  }
  const queue = new PostgresMessageQueue(federationDb, { announcer, concurrency: config.deliveryConcurrency });
  closers.push(() => queue.close());
  metrics.watchQueue(queue);
  readiness.queue = async () => {
    await queue.getDepth();
  };
  if (embedded?.role === "owner" && role === "all") {
    // The only process using this database: what is leased was taken by a process that died.
    const freed = await queue.releaseAllLeases();
    if (freed > 0) logger.info("{freed} queued message(s) left by a stopped process will be handled again", { freed });
  }

  // Shared by every web process through Redis when there is one; in memory otherwise (one process).
  const rateLimits: RateLimits = {
    apiAuthFailures: createRateLimit({ name: "api-auth-failures", points: config.apiAuthFailureLimit, durationSeconds: 900, redis: rateStore }),
    inbox: createRateLimit({ name: "inbox", points: config.inboxRateLimit, durationSeconds: 60, redis: rateStore }),
    loginAddress: createRateLimit({ name: "login-address", points: 30, durationSeconds: 900, redis: rateStore }),
    loginAccount: createRateLimit({ name: "login-account", points: 5, durationSeconds: 900, redis: rateStore }),
    secondFactor: createRateLimit({ name: "second-factor", points: 5, durationSeconds: 900, redis: rateStore }),
    kitCounts: createRateLimit({ name: "kit-counts", points: 20, durationSeconds: 3600 }),
  };
  return { config, orm, em, embedded, sessionStore, kv, queue, readCache, metrics, rateLimits, readiness };
}

/**
 * A process that works through the running server's embedded database (the CLI while `relais start`
 * runs) publishes as that server does: the identities it prints and the activity ids it writes to the
 * outbox must be the server's, whatever RELAIS_ORIGIN this process was given.
 */
function withServerOrigin(config: Config, embedded: EmbeddedHandle): Config {
  if (embedded.role !== "client") return config;
  const served = embedded.holder.origin;
  if (served === undefined || served === config.origin.href) return config;
  logger.warn(
    "The running server (process {pid}) publishes as {serverOrigin}, not as {configuredOrigin} (RELAIS_ORIGIN here): using the server's origin",
    { pid: embedded.holder.pid, serverOrigin: served, configuredOrigin: config.origin.href },
  );
  return { ...config, origin: new URL(served) };
}

export async function assertMigrated(orm: MikroORM): Promise<void> {
  const pending = await orm.migrator.getPending();
  if (pending.length > 0) {
    throw new OperatorError(`the database needs ${pending.length} migration(s): run "relais migrate" first`);
  }
}
