// A redis-server of the test's own, on its own port and folder, that the test may crash and restart
// (the machine's shared Redis is never touched). Configured as docs/operations.md asks, with or
// without persistence.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./relais-process.ts";
import { until } from "./wait.ts";

export interface PrivateRedis {
  readonly url: string;
  /** `kill -9`: what is not on disk is gone. */
  crash(): Promise<void>;
  /** Starts again on the same port and folder; with persistence it reloads its append-only file. */
  restart(): Promise<void>;
  /** Every key under `pattern` and every byte stored there, whatever the type, as one text. */
  dump(pattern?: string): Promise<{ keys: string[]; text: string }>;
  close(): Promise<void>;
}

export async function startPrivateRedis(options: { persistence: boolean }): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), "relais-redis-"));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--maxmemory-policy", "noeviction",
    ...(options.persistence ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
  ];
  let server: ChildProcess | undefined;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  client.on("error", () => {});
  const start = async () => {
    server = spawn("redis-server", args, { stdio: "ignore" });
    await until("the private Redis", async () => client.ping().then(() => true, () => false), 20_000);
  };
  const stop = async (signal: NodeJS.Signals) => {
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, "exit");
    server.kill(signal);
    await exited;
  };
  await client.connect().catch(() => {});
  await start();
  return {
    url,
    crash: () => stop("SIGKILL"),
    restart: start,
    async dump(pattern = "*") {
      return dumpRedis(client, pattern);
    },
    async close() {
      client.disconnect();
      await stop("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every key matching `pattern` and everything stored under them, whatever their type, as one text. */
export async function dumpRedis(redis: Redis, pattern: string): Promise<{ keys: string[]; text: string }> {
  const keys = new Set<string>();
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    for (const key of batch) keys.add(key);
    cursor = next;
  } while (cursor !== "0");
  const parts: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === "string") parts.push((await redis.get(key)) ?? "");
    else if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === "list") parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === "set") parts.push(JSON.stringify(await redis.smembers(key)));
    else if (type === "zset") parts.push(JSON.stringify(await redis.zrange(key, 0, "-1")));
    else if (type === "stream") parts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    else parts.push(`<${type}>`);
  }
  return { keys: [...keys], text: parts.join("\n") };
}
