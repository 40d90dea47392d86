// Issue 13, defect 4, on the embedded default: `relais start` killed with `kill -9` loses nothing it
// had accepted. Mid fan-out, every follower still gets the event after the restart (a delivery in
// flight at the kill may arrive twice, no more); an inbox activity answered 202 and not yet handled is
// handled after the restart. Real processes, real HTTP on loopback, the embedded PGlite.
import { afterEach, describe, expect, it } from "vitest";
import { defaultConcurrency } from "../../src/federation/queue/postgres-message-queue.ts";
import { newEmbeddedDataDir } from "../support/embedded-template.ts";
import { deliveriesOf, publishEvent, seedCollective, startRecordingServer } from "../support/fan-out.ts";
import { startMastodonPeer } from "../support/mastodon-peer.ts";
import { freePort, type RelaisProcess, runCli, startProcess } from "../support/relais-process.ts";
import { until } from "../support/wait.ts";

/**
 * Messages one process handles at once (the queue's concurrency): the most a crash can leave in flight
 * (fewer here: the deliveries of one event to one server share an ordering key and go one at a time).
 */
const IN_FLIGHT = defaultConcurrency;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function embeddedEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const { dataDir, remove } = await newEmbeddedDataDir("crash");
  cleanups.push(remove);
  const port = await freePort();
  return {
    RELAIS_ORIGIN: `http://127.0.0.1:${port}`,
    PORT: String(port),
    HOST: "127.0.0.1",
    RELAIS_DATA_DIR: dataDir,
    RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
    DATABASE_URL: "",
    REDIS_URL: "",
    ...extra,
  };
}

async function start(env: Record<string, string>): Promise<RelaisProcess> {
  const server = await startProcess(["start"], env, /listening on port/);
  cleanups.push(() => server.stop());
  return server;
}

describe("relais start killed with kill -9", () => {
  it("delivers the event to every follower after the restart, duplicating at most the deliveries in flight", async () => {
    const servers = await Promise.all(["127.0.0.2", "127.0.0.3", "127.0.0.4"].map((host) => startRecordingServer(host, 300)));
    cleanups.push(() => Promise.all(servers.map((s) => s.peer.close())));
    const perServer = 16;
    const followers = servers.length * perServer;
    const env = await embeddedEnv();
    const token = await seedCollective(env, "greve", servers.map((s) => [s, perServer]));

    const first = await start(env);
    const createId = await publishEvent(env.RELAIS_ORIGIN as string, "greve", token);
    await until("part of the fan-out", async () => deliveriesOf(servers, createId).total >= 12, 60_000);
    await first.crash();
    const atKill = deliveriesOf(servers, createId);
    expect(atKill.inboxes).toBeLessThan(followers); // killed mid fan-out

    await start(env);
    await until("the event at every follower", async () => deliveriesOf(servers, createId).inboxes === followers, 120_000);
    const after = deliveriesOf(servers, createId);
    expect(after.duplicates).toBeLessThanOrEqual(IN_FLIGHT);
  }, 300_000);

  it("handles after the restart an inbox activity it had answered 202 and not handled yet", async () => {
    // Deliveries to servers that take two minutes to answer hold every slot of the queue, so that the
    // Follow below waits its turn in the queue when the process is killed. One server per slot: the
    // deliveries of one event to one server go one after the other (one ordering key).
    const stalling = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => startRecordingServer(`127.0.0.${3 + i}`, 120_000)));
    const closeStalling = () => Promise.all(stalling.map((s) => s.peer.close()));
    cleanups.push(closeStalling);
    const env = await embeddedEnv({ RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS: "150000", RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS: "180000" });
    const token = await seedCollective(env, "accueil", stalling.map((s) => [s, 1]));
    const peer = await startMastodonPeer({ host: "127.0.0.2", username: "nouvelle" });
    cleanups.push(() => peer.close());

    const first = await start(env);
    const createId = await publishEvent(env.RELAIS_ORIGIN as string, "accueil", token);
    await until("every slot held", async () => deliveriesOf(stalling, createId).total === IN_FLIGHT, 60_000);
    const { response, activityId } = await peer.follow(new URL("/@accueil", env.RELAIS_ORIGIN));
    expect(response.status).toBe(202);
    await first.crash();
    // Not handled before the kill: no follower, no Accept.
    expect((await runCli(["follower", "list", "accueil"], env)).stdout).not.toContain(peer.actorId.href);
    expect(peer.received.filter((d) => d.activity?.type === "Accept")).toEqual([]);

    await closeStalling(); // their deliveries now fail at once (and are retried later)
    await start(env);
    const accept = await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 60_000 });
    expect((accept.activity?.object as { id?: string } | undefined)?.id).toBe(activityId.href);
    expect((await runCli(["follower", "list", "accueil"], env)).stdout).toContain(`accepted\t${peer.actorId.href}`);
  }, 300_000);
});
