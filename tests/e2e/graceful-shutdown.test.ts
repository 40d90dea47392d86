// Issue 12 (deployment): `relais serve` and `relais worker` stop cleanly on SIGTERM, as an orchestrator
// stops them. Real processes on PostgreSQL without Redis (the queue is the database's): serve answers
// the request it is reading when the signal comes, takes no new connection, and exits 0; the worker
// finishes the delivery it has in flight (the follower answers late) before it exits 0, leaving
// nothing in the queue to send again. /readyz names the database, queue and migrations checks.
import { request } from "node:http";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { publishEvent, seedCollective } from "../support/fan-out.ts";
import { startMastodonPeer } from "../support/mastodon-peer.ts";
import { freePort, type RelaisProcess, startProcess } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";
import { until } from "../support/wait.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(): Promise<{ env: Record<string, string>; token: string; query: (sql: string) => Promise<number> }> {
  const db = await createTestDatabase("shutdown");
  cleanups.push(() => db.drop());
  const port = await freePort();
  const env = {
    RELAIS_ORIGIN: `http://127.0.0.1:${port}`,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: db.url,
    REDIS_URL: "",
    RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
  };
  const token = await seedCollective(env, "greve", []);
  const query = async (sql: string): Promise<number> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(sql)).rows[0]?.n);
    } finally {
      await client.end();
    }
  };
  return { env, token, query };
}

async function start(env: Record<string, string>, command: "serve" | "worker"): Promise<RelaisProcess> {
  const child = await startProcess([command], env, command === "serve" ? /listening on port/ : /worker started/);
  cleanups.push(() => child.stop());
  return child;
}

function exitOf(p: RelaisProcess): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve(p.child.exitCode);
  return new Promise((resolve) => p.child.once("exit", (code) => resolve(code)));
}

describe("SIGTERM", () => {
  it("serve finishes the request it is reading, refuses new connections, and exits 0", async () => {
    const { env, token, query } = await setUp();
    const serve = await start(env, "serve");
    const origin = env.RELAIS_ORIGIN as string;

    const ready = await fetch(new URL("/readyz", origin));
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks).toEqual({ database: "ok", migrations: "ok", queue: "ok" });

    // An API request whose body is half sent when the signal arrives.
    const body = Buffer.from(JSON.stringify({ name: { fr: "Assemblée pendant l'arrêt" }, startsAt: "2030-03-08T10:00", onlineUrl: "https://meet.example/a", published: false }));
    const half = Math.floor(body.length / 2);
    const req = request(new URL("/api/v1/collectives/greve/events", origin), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": String(body.length) },
    });
    cleanups.push(async () => void req.destroy());
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
    });
    req.write(body.subarray(0, half));
    await new Promise((r) => setTimeout(r, 300));
    const exited = exitOf(serve);
    serve.child.kill("SIGTERM");
    await until("the signal to be handled", async () => /received: shutting down/.test(serve.output()), 10_000);

    // No new connection is taken any more.
    await expect(fetch(new URL("/healthz", origin))).rejects.toThrow();

    req.end(body.subarray(half));
    const response = await answered;
    expect(response.status).toBe(201);
    expect(await exited).toBe(0);
    expect(serve.output()).toMatch(/stopped/);
    expect(await query("select count(*) as n from event")).toBe(1);
  }, 120_000);

  it("the worker finishes the delivery in flight before it exits 0, and nothing is left to send again", async () => {
    const { env, token, query } = await setUp();
    await start(env, "serve");
    let worker = await start(env, "worker");
    const origin = env.RELAIS_ORIGIN as string;

    const peer = await startMastodonPeer({ host: "127.0.0.2", username: "lente" });
    cleanups.push(() => peer.close());
    const { response } = await peer.follow(new URL("/@greve", origin));
    expect(response.status).toBe(202);
    await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 30_000 });

    peer.answerDeliveriesAfter(3000);
    const createId = await publishEvent(origin, "greve", token);
    await peer.waitFor((d) => d.activity?.id === createId && d.signatureValid, { timeoutMs: 30_000 });
    expect(peer.answering()).toBe(1); // the worker waits for the answer
    const exited = exitOf(worker);
    worker.child.kill("SIGTERM");
    await until("the signal to be handled", async () => /received: shutting down/.test(worker.output()), 10_000);
    expect(peer.answering()).toBe(1); // still waiting: the worker has not dropped it
    expect(await exited).toBe(0);
    expect(peer.answering()).toBe(0); // it exited after the follower answered
    // The delivery was done, so no message stays in the queue to be sent again.
    expect(await query("select count(*) as n from federation_queue")).toBe(0);

    // A new worker has nothing of it to send: the follower got the Create once.
    peer.answerDeliveriesAfter(0);
    worker = await start(env, "worker");
    await new Promise((r) => setTimeout(r, 3000));
    expect(peer.received.filter((d) => d.activity?.id === createId)).toHaveLength(1);
    expect(await worker.stop()).toBe(0);
  }, 180_000);
});
