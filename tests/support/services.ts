import { randomBytes } from "node:crypto";
import pg from "pg";
import { Redis } from "ioredis";

/** Where the integration tests find PostgreSQL and Redis; `.ci/run` starts both. */
export const testPostgresUrl = process.env.RELAIS_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const testRedisUrl = process.env.RELAIS_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

function unreachable(what: string, url: string, cause: unknown): Error {
  const start =
    what === "PostgreSQL"
      ? "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
      : 'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';
  return new Error(
    `${what} is not reachable at ${url} (${(cause as Error).message}); these tests need a real ${what}: ${start}, or set ${
      what === "PostgreSQL" ? "RELAIS_TEST_POSTGRES_URL" : "RELAIS_TEST_REDIS_URL"
    }`,
  );
}

/**
 * Creates a fresh, empty PostgreSQL database for one test file and returns its URL and a function that
 * drops it. Fails with a message saying what to start when PostgreSQL cannot be reached.
 */
export async function createTestDatabase(label = "t"): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `relais_${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  try {
    await admin.connect();
  } catch (e) {
    throw unreachable("PostgreSQL", testPostgresUrl, e);
  }
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: async () => {
      const c = new pg.Client({ connectionString: testPostgresUrl });
      await c.connect();
      try {
        // A pg pool's end() resolves before its clients' sockets have closed; ending their backends with
        // FORCE at that moment reaches those clients as an error nobody listens to any more (an uncaught
        // exception in the test run). Give them up to two seconds to leave on their own first.
        for (let i = 0; i < 40; i++) {
          const { rows } = await c.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1",
            [name],
          );
          if (rows[0]!.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A Redis connection that fails with a clear message when Redis is down, and a unique key prefix. */
export async function connectTestRedis(): Promise<{ redis: Redis; prefix: string; url: string }> {
  const redis = new Redis(testRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw unreachable("Redis", testRedisUrl, e);
  }
  return { redis, prefix: `relais-test:${randomBytes(4).toString("hex")}:`, url: testRedisUrl };
}
