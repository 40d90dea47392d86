// The partner calls backfill (FEDERATION.md "A partner's open calls") with one slot, a partner whose
// server never answers holding it: a partner due meanwhile is read once the slot is free (a nudge that
// found no room used to leave the backfill claiming nothing ever again, and its stop spinning for ever
// without yielding to timers or I/O: the test instances hung at close), and stopping the worker cuts
// the read in flight instead of waiting for the silent server (a cut read is not a failed attempt).
// Real HTTP, real signed GETs, the instance's own database; the reader is built here with one slot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PartnerCallBackfill } from "../../src/federation/partner-call-backfill.ts";
import { PartnerCallBackfillService } from "../../src/modules/call/partner-call-backfill.service.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { type SlowPeer, startPlainPeer, startSilentPeer } from "../support/slow-peers.ts";
import { until } from "../support/wait.ts";

describe("the partner calls backfill with a silent partner in its only slot", { timeout: 120_000 }, () => {
  let b: RelaisInstance;
  let silent: SlowPeer;
  let plain: SlowPeer;

  beforeAll(async () => {
    [b, silent, plain] = await Promise.all([
      startRelaisInstance({ host: "127.0.0.3", worker: false }),
      startSilentPeer("127.0.0.9"),
      startPlainPeer((req, res) => {
        req.resume();
        res.writeHead(404).end();
      }, "127.0.0.8"),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([silent?.close(), plain?.close()]);
    await b?.close();
  });

  it("reads what was due meanwhile once the slot is free, and stops without waiting for the silent server", async () => {
    const sql = b.runtime.em.fork().getConnection();
    const due = (actor: URL) => sql.execute(`insert into partner_call_backfill (actor_ap_id, due_at, attempts) values (?, now(), 0)`, [actor.href]);
    const rows = async () => (await sql.execute<{ actor_ap_id: string; attempts: number }[]>("select actor_ap_id, attempts from partner_call_backfill order by actor_ap_id")).map((r) => [r.actor_ap_id, r.attempts]);
    const asked = (peer: SlowPeer) => peer.requests.length;
    const backfill = new PartnerCallBackfill({
      federation: b.runtime.federation,
      urls: b.runtime.urls,
      backfills: new PartnerCallBackfillService(b.runtime.em),
      partnerCalls: b.runtime.partnerCalls,
      isListeningTo: async () => true,
      isBlocked: async () => false,
      allowPrivateAddresses: true,
      maxInFlight: 1,
    });
    const stop = new AbortController();

    await due(silent.url("/@p"));
    const running = backfill.run(stop.signal, 60_000);
    await until("the silent server to be asked", async () => asked(silent) === 1, 10_000);

    // Due while the only slot is held: this nudge finds no room.
    await due(plain.url("/@p"));
    await backfill.nudge();
    // The silent read times out (10 s), a failed attempt; the slot goes to the other partner (404: done).
    await until("the other partner to be read once the slot is free", async () => asked(plain) === 1, 30_000);
    await until("its backfill to end", async () => (await rows()).length === 1, 10_000);
    expect(await rows()).toEqual([[silent.url("/@p").href, 1]]);

    // The silent partner due again, its read in flight when the worker stops.
    await sql.execute("update partner_call_backfill set due_at = now()");
    await backfill.nudge();
    await until("the silent server to be asked again", async () => asked(silent) === 2, 10_000);
    const stopping = Date.now();
    stop.abort();
    const stopped = await Promise.race([running.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 15_000))]);
    expect(stopped).toBe(true);
    // Well under the read's own 10 s timeout: the read was cut, not waited for (generous: a loaded machine).
    expect(Date.now() - stopping).toBeLessThan(8_000);
    await until("our connection to the silent server to be closed", async () => silent.openConnections() === 0, 5_000);
    // A cut read is not an attempt: the row is as the first failure left it (read again by the next run).
    expect(await rows()).toEqual([[silent.url("/@p").href, 1]]);
  });
});
