// Issue 12's topology, for real on loopback: one PostgreSQL database, one Redis (append-only, noeviction,
// as docs/operations.md asks), two `relais serve` behind a small round-robin proxy (the public origin),
// two `relais worker`. Twelve Mastodon-shaped followers (tests/support/mastodon-peer.ts, each its own
// server, answering deliveries late so that some are in flight) follow a collective and receive three
// events, while one serve and one worker are killed with SIGKILL and restarted, during the follows and
// again during the deliveries. Nothing is lost: every follow is stored and accepted, every event reaches
// every follower; nothing arrives twice beyond the deliveries in flight in the killed workers.
import { afterEach, describe, expect, it } from "vitest";
import { defaultConcurrency } from "../../src/federation/queue/postgres-message-queue.ts";
import { publishEvent, seedCollective } from "../support/fan-out.ts";
import { ACTIVITY_STREAMS, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { startPrivateRedis } from "../support/private-redis.ts";
import { freePort, type RelaisProcess, runCli, startProcess } from "../support/relais-process.ts";
import { startRoundRobinProxy } from "../support/round-robin-proxy.ts";
import { createTestDatabase } from "../support/services.ts";
import { until } from "../support/wait.ts";

const FOLLOWERS = 12;
const EVENTS = 3;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One `relais serve` or `relais worker`, which the test may kill and start again. */
class Slot {
  process: RelaisProcess | undefined;
  readonly command: "serve" | "worker";
  readonly env: Record<string, string>;
  constructor(command: "serve" | "worker", env: Record<string, string>) {
    this.command = command;
    this.env = env;
    cleanups.push(async () => this.process?.stop());
  }
  async start(): Promise<void> {
    this.process = await startProcess([this.command], this.env, this.command === "serve" ? /listening on port/ : /worker started/);
  }
  async kill(): Promise<void> {
    await this.process?.crash();
  }
}

/** Retries `send` while the answer is not 2xx (a 502 from the proxy, a reset), as a federating server retries. */
async function deliverWithRetries(send: () => Promise<Response>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await send();
      if (response.ok) return attempt;
    } catch {
      // the backend died with the request: send it again
    }
    if (attempt >= 30) throw new Error("not accepted after 30 attempts");
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Delivered activity ids beyond one per follower (a follower counts each id once). */
function duplicates(peers: readonly MastodonPeer[]): number {
  let extra = 0;
  for (const peer of peers) {
    const ids = peer.received.filter((d) => d.signatureValid).map((d) => String(d.activity?.id));
    extra += ids.length - new Set(ids).size;
  }
  return extra;
}

const receivedId = (peer: MastodonPeer, id: string) => peer.received.some((d) => d.signatureValid && d.activity?.id === id);

describe("two serve and two worker processes behind a proxy, on one PostgreSQL and one Redis", () => {
  it("loses no follow and no delivery when a serve and a worker are killed and restarted, twice", async () => {
    const database = await createTestDatabase("topology");
    cleanups.push(() => database.drop());
    const redis = await startPrivateRedis({ persistence: true });
    cleanups.push(() => redis.close());
    const [proxyPort, portA, portB] = [await freePort(), await freePort(), await freePort()] as [number, number, number];
    const origin = `http://127.0.0.1:${proxyPort}`;
    const env = { RELAIS_ORIGIN: origin, HOST: "127.0.0.1", DATABASE_URL: database.url, REDIS_URL: redis.url, RELAIS_ALLOW_PRIVATE_ADDRESSES: "true" };
    expect((await runCli(["migrate"], env)).code).toBe(0);
    const token = await seedCollective(env, "greve", []);

    const proxy = await startRoundRobinProxy([portA, portB], proxyPort);
    cleanups.push(() => proxy.close());
    const serves = [new Slot("serve", { ...env, PORT: String(portA) }), new Slot("serve", { ...env, PORT: String(portB) })] as const;
    const workers = [new Slot("worker", env), new Slot("worker", env)] as const;
    await Promise.all([...serves, ...workers].map((s) => s.start()));

    const hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
    const peers = await Promise.all(Array.from({ length: FOLLOWERS }, (_, n) => startMastodonPeer({ host: hosts[n % hosts.length] as string, username: `m${n}` })));
    cleanups.push(() => Promise.all(peers.map((p) => p.close())));
    // Staggered answers (0.3 s to 5.8 s) keep part of every fan-out in flight for seconds, so the kill
    // below lands mid fan-out even when a loaded machine polls late.
    for (const [n, peer] of peers.entries()) peer.answerDeliveriesAfter(300 + 500 * n);
    const target = new URL("/@greve", origin);
    const actor = (await (await fetch(target, { headers: { accept: "application/activity+json" } })).json()) as { inbox: string };
    const inbox = new URL(actor.inbox);

    // Follows, while serve A and worker 1 are killed and restarted.
    const follows = peers.map((peer) => ({ "@context": ACTIVITY_STREAMS, id: peer.newId("follows").href, type: "Follow", actor: peer.actorId.href, object: target.href }));
    let started = 0;
    const following = follows.map((follow, n) => async () => {
      await new Promise((r) => setTimeout(r, n * 500));
      started++;
      return deliverWithRetries(() => (peers[n] as MastodonPeer).sendSigned(inbox, follow));
    });
    const sent = Promise.all(following.map((f) => f()));
    await until("a few follows accepted", async () => peers.filter((p) => p.received.some((d) => d.activity?.type === "Accept")).length >= 2, 60_000);
    await Promise.all([serves[0].kill(), workers[0].kill()]);
    expect(started).toBeLessThan(FOLLOWERS); // the other follows come while they are down
    await new Promise((r) => setTimeout(r, 1000));
    await Promise.all([serves[0].start(), workers[0].start()]);
    const attempts = await sent;
    for (const [n, peer] of peers.entries()) {
      const follow = follows[n] as { id: string };
      await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Accept" && (d.activity.object as { id?: string })?.id === follow.id, { timeoutMs: 120_000 });
    }
    const list = await runCli(["follower", "list", "greve"], env);
    for (const peer of peers) expect(list.stdout).toContain(`accepted\t${peer.actorId.href}`);
    expect(list.stdout.trim().split("\n").filter((l) => l.startsWith("accepted")).length).toBe(FOLLOWERS);

    // Events, while serve B and worker 2 are killed mid fan-out and restarted.
    const created: string[] = [];
    const publish = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          created.push(await publishEvent(origin, "greve", token));
          return;
        } catch (error) {
          if (attempt > 10) throw error;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    };
    await publish();
    await until("part of the first fan-out", async () => peers.filter((p) => receivedId(p, created[0] as string)).length >= 2, 60_000);
    const inFlightAtKill = peers.reduce((n, p) => n + p.answering(), 0);
    const notReceivedAtKill = peers.filter((p) => !receivedId(p, created[0] as string)).length;
    await Promise.all([serves[1].kill(), workers[1].kill()]);
    // Mid fan-out: some deliveries of the first event not made yet, or made and not answered yet.
    expect(notReceivedAtKill + inFlightAtKill).toBeGreaterThan(0);
    for (let n = 1; n < EVENTS; n++) await publish(); // through serve A alone while B is down
    await Promise.all([serves[1].start(), workers[1].start()]);

    await until(
      "every event at every follower",
      async () => created.every((id) => peers.every((p) => receivedId(p, id))),
      240_000,
    );
    expect(created).toHaveLength(EVENTS);
    // Nothing sent twice beyond what the two killed workers had in hand (each handles at most
    // `defaultConcurrency` messages at once); the retries of the followers' own POSTs do not count.
    expect(duplicates(peers)).toBeLessThanOrEqual(2 * defaultConcurrency);
    // Both serve processes answered, and the kills were felt by the senders (retries or refusals skipped).
    expect(proxy.counts.get(portA)).toBeGreaterThan(0);
    expect(proxy.counts.get(portB)).toBeGreaterThan(0);
    console.warn(
      `topology: follow attempts ${attempts.join(",")}; deliveries in flight at the second kill ${inFlightAtKill}; duplicates ${duplicates(peers)}; proxy ${JSON.stringify([...proxy.counts])}`,
    );
  }, 480_000);
});
