// Issue 13, defect 4, on PostgreSQL + Redis (`relais serve` + `relais worker`): a worker killed with
// `kill -9` mid fan-out, and a Redis restarted mid fan-out with and without persistence, lose no
// delivery: every follower gets the event, at most the deliveries in flight arrive twice. An inbox
// Follow accepted by `serve` while no worker runs is handled once one runs again. No private key ever
// reaches Redis. Each test has its own database and its own redis-server (the shared one is not
// touched), configured as docs/operations.md asks.
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConcurrency } from "../../src/federation/queue/postgres-message-queue.ts";
import { deliveriesOf, publishEvent, type RecordingServer, seedCollective, startRecordingServer } from "../support/fan-out.ts";
import { startMastodonPeer } from "../support/mastodon-peer.ts";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.ts";
import { freePort, type RelaisProcess, startProcess } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";
import { until } from "../support/wait.ts";

/** What one worker can have in flight when it dies (the queue's concurrency). */
const IN_FLIGHT = defaultConcurrency;
const PER_SERVER = 16;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  env: Record<string, string>;
  redis: PrivateRedis;
  databaseUrl: string;
  servers: RecordingServer[];
  token: string;
  worker: RelaisProcess;
}

/** A database, a private Redis, three follower servers, then `serve` and `worker`. */
async function setUp(persistence: boolean): Promise<Setup> {
  const database = await createTestDatabase("crash");
  cleanups.push(() => database.drop());
  const redis = await startPrivateRedis({ persistence });
  cleanups.push(() => redis.close());
  const servers = await Promise.all(["127.0.0.2", "127.0.0.3", "127.0.0.4"].map((host) => startRecordingServer(host, 300)));
  cleanups.push(() => Promise.all(servers.map((s) => s.peer.close())));
  const port = await freePort();
  const env = {
    RELAIS_ORIGIN: `http://127.0.0.1:${port}`,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
  };
  const token = await seedCollective(env, "greve", servers.map((s) => [s, PER_SERVER]));
  await start(env, "serve");
  const worker = await start(env, "worker");
  return { env, redis, databaseUrl: database.url, servers, token, worker };
}

async function start(env: Record<string, string>, command: "serve" | "worker"): Promise<RelaisProcess> {
  const child = await startProcess([command], env, command === "serve" ? /listening on port/ : /worker started/);
  cleanups.push(() => child.stop());
  return child;
}

/** Publishes an event and waits until part of its fan-out has arrived (but not all of it). */
async function publishAndWaitForPart(setup: Setup): Promise<string> {
  const createId = await publishEvent(setup.env.RELAIS_ORIGIN as string, "greve", setup.token);
  await until("part of the fan-out", async () => deliveriesOf(setup.servers, createId).total >= 12, 60_000);
  return createId;
}

async function expectEveryFollowerReached(setup: Setup, createId: string, timeoutMs: number): Promise<void> {
  const followers = setup.servers.length * PER_SERVER;
  await until("the event at every follower", async () => deliveriesOf(setup.servers, createId).inboxes === followers, timeoutMs);
  expect(deliveriesOf(setup.servers, createId).duplicates).toBeLessThanOrEqual(IN_FLIGHT);
}

/** Every secret part of every private key in the database (JWK `d`, `p`, `q`…). */
async function privateKeyParts(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ private_jwk: Record<string, unknown> }>("select private_jwk from actor_key");
    return rows.flatMap((r) => ["d", "p", "q", "dp", "dq", "qi"].map((k) => r.private_jwk[k]).filter((v): v is string => typeof v === "string"));
  } finally {
    await client.end();
  }
}

async function expectNoPrivateKeyIn(setup: Setup): Promise<void> {
  const parts = await privateKeyParts(setup.databaseUrl);
  expect(parts.length).toBeGreaterThanOrEqual(2); // the collective's RSA and Ed25519 keys at least
  const dump = await setup.redis.dump();
  expect(dump.keys.length).toBeGreaterThan(0); // the dump really looks at what Relais stored
  for (const part of parts) expect(dump.text.includes(part)).toBe(false);
  expect(dump.text).not.toMatch(/privateKey|PRIVATE KEY/);
}

describe("relais serve + relais worker on PostgreSQL and Redis", () => {
  it("loses nothing when the worker is killed with kill -9 mid fan-out, and handles a Follow accepted while it was down", async () => {
    const setup = await setUp(false);
    const createId = await publishAndWaitForPart(setup);
    await setup.worker.crash();
    expect(deliveriesOf(setup.servers, createId).inboxes).toBeLessThan(setup.servers.length * PER_SERVER);
    await expectNoPrivateKeyIn(setup);

    const peer = await startMastodonPeer({ host: "127.0.0.5", username: "pendant" });
    cleanups.push(() => peer.close());
    const { response, activityId } = await peer.follow(new URL("/@greve", setup.env.RELAIS_ORIGIN));
    expect(response.status).toBe(202);

    // Messages the dead worker held come back when their lease (30 s) runs out.
    await start(setup.env, "worker");
    await expectEveryFollowerReached(setup, createId, 180_000);
    const accept = await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 60_000 });
    expect((accept.activity?.object as { id?: string } | undefined)?.id).toBe(activityId.href);
    await expectNoPrivateKeyIn(setup);
  }, 400_000);

  it.each([
    ["without persistence (it comes back empty)", false],
    ["with persistence (append-only file)", true],
  ])("loses nothing when Redis is restarted mid fan-out %s", async (_how, persistence) => {
    const setup = await setUp(persistence);
    const createId = await publishAndWaitForPart(setup);
    await expectNoPrivateKeyIn(setup); // mid fan-out: deliveries pending
    await setup.redis.crash();
    await new Promise((r) => setTimeout(r, 500));
    await setup.redis.restart();
    // A delivery that failed while Redis was away is retried after Fedify's first delay (1–2 min).
    await expectEveryFollowerReached(setup, createId, 240_000);
    await expectNoPrivateKeyIn(setup);
  }, 400_000);
});
