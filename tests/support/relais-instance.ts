// A real Relais instance inside the test process: real PostgreSQL (a fresh database), optionally real
// Redis, a real HTTP server on a loopback address, the worker running. Its origin is its real address.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { appFor } from "../../src/web/routers.ts";
import { newEmbeddedDataDir } from "./embedded-template.ts";
import { createTestDatabase, testRedisUrl } from "./services.ts";

export interface RelaisInstance {
  readonly runtime: Runtime;
  readonly origin: URL;
  readonly server: Server;
  /** The BullMQ queue of this instance (with `redis: true`): tests look at its jobs. */
  readonly queueName: string | undefined;
  /** Where this instance stores uploaded images (a fresh folder, removed on close). */
  readonly mediaDir: string;
  url(path: string): URL;
  close(): Promise<void>;
}

export interface InstanceOptions {
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** Use the Redis queue and KV store (a unique queue per instance); default: in-process queue. */
  redis?: boolean;
  /** Extra environment variables for the configuration. */
  env?: Record<string, string>;
  /** Run the worker (queue consumer and outbox relay); default true. */
  worker?: boolean;
  /** The embedded default (PGlite in a fresh data folder) instead of the machine's PostgreSQL. */
  embedded?: boolean;
  /** The instance's clock (embargoes, link expiry): tests move time on without waiting. */
  clock?: () => Date;
  /** Listen on this port (an instance that comes back as the same actors needs its origin again). */
  port?: number;
  /** An existing database the test keeps (not dropped on close): an embedded data folder or a PostgreSQL URL. */
  database?: { dataDir: string } | { url: string };
}

export async function startRelaisInstance(options: InstanceOptions = {}): Promise<RelaisInstance> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer();
  server.listen(options.port ?? 0, host);
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const db = options.database
    ? { ...options.database, drop: async () => {} }
    : options.embedded
      ? await newEmbeddedDataDir("instance").then(({ dataDir, remove }) => ({ dataDir, drop: remove }))
      : await createTestDatabase("instance");
  const mediaDir = mkdtempSync(join(tmpdir(), "relais-media-"));
  const env: Record<string, string> = {
    RELAIS_ORIGIN: `http://${host}:${port}`,
    ...("url" in db ? { DATABASE_URL: db.url } : {}),
    RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
    RELAIS_DATA_DIR: "dataDir" in db ? db.dataDir : `/tmp/relais-test-unused-${randomBytes(4).toString("hex")}`,
    RELAIS_MEDIA_DIR: mediaDir,
    ...(options.redis ? { REDIS_URL: testRedisUrl } : {}),
    ...options.env,
  };
  const config = loadConfig(env, [{ port: 0, dataDir: "./data", maxInboxBodyBytes: 1048576 }]);
  const queueName = options.redis ? `relais-test-${randomBytes(4).toString("hex")}` : undefined;
  const runtime = await createRuntime(config, "all", { migrations: "apply", queueName, ...(options.clock ? { clock: options.clock } : {}) });
  const app = appFor(runtime);
  server.on("request", app);
  const stop = new AbortController();
  const worker = options.worker === false ? Promise.resolve() : runtime.runWorker(stop.signal);
  return {
    runtime,
    origin: new URL(env.RELAIS_ORIGIN as string),
    server,
    queueName,
    mediaDir,
    url: (path: string) => new URL(path, env.RELAIS_ORIGIN),
    async close() {
      stop.abort();
      await worker;
      // Requests still being handled (an inbox verifying a key through the KV pool) finish before the
      // pools end: the server stops accepting, idle connections are closed as they become idle, and only
      // after 3 s are the rest cut. Cutting them at once left handlers querying an ended pool.
      const closed = new Promise((r) => server.close(r));
      const deadline = Date.now() + 3_000;
      let done = false;
      void closed.then(() => {
        done = true;
      });
      while (!done && Date.now() < deadline) {
        server.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 25));
      }
      server.closeAllConnections();
      await closed;
      await runtime.close();
      await db.drop();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}
