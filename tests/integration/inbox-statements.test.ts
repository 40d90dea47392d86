// How many SQL statements a Follow and its Undo cost, end to end (issue 15: the pair ran 27, 13 of them
// the same collective lookup): the inbox POSTs, the queued activities handled, the Accept sent. Every
// statement of the process is recorded (the ORM's and the federation pool's); the queue's and the
// outbox relay's polls, which run whether or not anything arrives, are left out of the count.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVITY_STREAMS, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { recordStatements } from "../support/sql-count.ts";
import { until } from "../support/wait.ts";

const probe = "/* test probe */";
const isPoll = (sql: string) =>
  /^update "federation_queue" set lease_owner/.test(sql) || /^update outbox set lease_until/.test(sql) || /^select b\.collective_id, c\.slug, b\.kind/.test(sql);

describe("statements of a Follow and its Undo", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  beforeAll(async () => {
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "ana" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  it("look the collective up once per step that needs it, not once per key or actor lookup", async () => {
    const target = relais.url("/@lyon");
    const inbox = relais.url("/@lyon/inbox");
    const followers = async () =>
      Number(
        (await relais.runtime.orm.em.getConnection().execute<{ n: number }[]>(`${probe} select count(*)::int as n from follower where state = 'accepted'`))[0]?.n,
      );
    const pool: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const q = args[0] as string | { text?: string };
      pool.push(typeof q === "string" ? q : String(q?.text));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    const orm = recordStatements(relais.runtime.orm);
    const counts: { total: number; collective: number; all: string[] }[] = [];
    try {
      // Round 1 fetches the actor and its key; round 2 is the steady state.
      for (const round of [1, 2]) {
        pool.length = 0;
        orm.clear();
        const id = `${peer.actorId.href}#follows/${round}`;
        expect((await peer.sendSigned(inbox, { "@context": ACTIVITY_STREAMS, id, type: "Follow", actor: peer.actorId.href, object: target.href })).status).toBe(202);
        await until("the follow", async () => (await followers()) === 1, 20_000);
        await peer.waitFor((d) => d.activity?.type === "Accept" && JSON.stringify(d.activity).includes(id), { timeoutMs: 20_000 });
        const undo = { "@context": ACTIVITY_STREAMS, id: `${id}/undo`, type: "Undo", actor: peer.actorId.href, object: { id, type: "Follow", actor: peer.actorId.href, object: target.href } };
        expect((await peer.sendSigned(inbox, undo)).status).toBe(202);
        await until("the unfollow", async () => (await followers()) === 0, 20_000);
        // The queue deletes a message once its handler returned.
        await until("the queue to empty", async () => (await relais.runtime.queue.getDepth()).queued === 0, 20_000);
        const all = [...orm.statements, ...pool].map((s) => s.replace(/\s+/g, " ").trim()).filter((s) => !s.includes(probe) && !isPoll(s));
        counts.push({ total: all.length, collective: all.filter((s) => /from "collective"/.test(s)).length, all });
      }
    } finally {
      pg.Client.prototype.query = query;
      orm.stop();
    }
    const steady = counts[1] as (typeof counts)[number];
    process.stderr.write(`Follow + Undo, steady state: ${steady.total} statements, ${steady.collective} collective lookups\n${steady.all.join("\n")}\n`);
    // Fedify asked for the collective's keys and followers by slug, one query each time (13 of 27
    // statements once), and built the whole actor to check that an inbox POST's recipient exists (one
    // more each for the Follow and the Undo; isInboxRecipientCheck). Left: the Follow's target in its
    // transaction, the outbox row's collective, and the actor document the peer fetches to check the
    // Accept's signature (a GET, not the inbox path). Fedify's KV store (keys, signature specs, circuit
    // breaker) and the queue make most of the rest. Since key rotation (ADR 0030) each use of an actor's
    // keys first reads their row ids (one indexed query; 6 here: Fedify asks twice in a row for the inbox, the Accept and the actor document), so
    // that keys rotated by another process are never used after the rotation: 31 before it, 37 now.
    expect(steady.collective).toBeLessThanOrEqual(3);
    expect(steady.total).toBeLessThanOrEqual(37);
    expect(steady.all.filter((s) => /from "actor_key"/.test(s)).length).toBeLessThanOrEqual(6);
  });
});
