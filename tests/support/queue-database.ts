// Databases for the message queue's tests: a fresh real PostgreSQL database or a fresh embedded PGlite
// folder, migrated, with a pool; each test makes its own queue table shaped by the migration.
import { testMessageQueue } from "@fedify/testing";
import pg from "pg";
import { type EmbeddedHandle, openEmbeddedPostgres } from "../../src/db/embedded-postgres.ts";
import { type DatabaseTarget, migrate, openOrm } from "../../src/db/orm.ts";
import { type SqlExecutor, sqlExecutorFromPg } from "../../src/federation/kv/postgres-kv-store.ts";
import type { PostgresMessageQueue } from "../../src/federation/queue/postgres-message-queue.ts";
import { newEmbeddedDataDir } from "./embedded-template.ts";
import { createTestDatabase } from "./services.ts";

export interface QueueDatabase {
  readonly pool: pg.Pool;
  readonly db: SqlExecutor;
  /** A new empty table like `federation_queue`; returns its name. */
  freshTable(): Promise<string>;
  close(): Promise<void>;
}

async function migrated(target: DatabaseTarget): Promise<void> {
  const orm = await openOrm(target, { poolSize: 1 });
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
}

function queueDatabase(pool: pg.Pool, close: () => Promise<void>): QueueDatabase {
  let tables = 0;
  return {
    pool,
    db: sqlExecutorFromPg(pool),
    async freshTable() {
      const table = `queue_${++tables}`;
      await pool.query(`create table ${table} (like federation_queue including all)`);
      return table;
    },
    close,
  };
}

export async function openPostgresQueueDatabase(): Promise<QueueDatabase> {
  const database = await createTestDatabase("queue");
  await migrated({ url: database.url });
  const pool = new pg.Pool({ connectionString: database.url, max: 6 });
  return queueDatabase(pool, async () => {
    await pool.end();
    await database.drop();
  });
}

export async function openEmbeddedQueueDatabase(): Promise<QueueDatabase> {
  const { dataDir, remove } = await newEmbeddedDataDir("queue");
  const embedded: EmbeddedHandle = await openEmbeddedPostgres(dataDir);
  await migrated(embedded.target);
  const pool = new pg.Pool({ ...embedded.target, max: 4 });
  return queueDatabase(pool, async () => {
    await pool.end();
    await embedded.close();
    await remove();
  });
}

/**
 * Fedify's own contract (`testMessageQueue`, ordering keys included) on two queues from `make`, which
 * share what they store as two processes would. Returns how many queues the suite made.
 */
export async function runFedifyQueueSuite(make: () => PostgresMessageQueue): Promise<number> {
  let made = 0;
  await testMessageQueue(
    () => {
      made++;
      return make();
    },
    async ({ mq1, mq2, controller }) => {
      controller.abort();
      await (mq1 as PostgresMessageQueue).close();
      await (mq2 as PostgresMessageQueue).close();
    },
    { testOrderingKey: true },
  );
  return made;
}
