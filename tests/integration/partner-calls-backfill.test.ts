// A partner's calls launched before our follow reach the join screen (issue 9, join requests;
// FEDERATION.md "A partner's open calls"), two Relais instances over real HTTP with real signatures.
// cdc launches a call, then koeln (another instance) follows cdc: no Create of that call will ever
// reach koeln's server, so once cdc accepts the follow koeln's worker reads cdc's actor and the
// `/@cdc/open-calls` it lists in `streams` (GETs signed by the instance actor) and keeps the open calls, and only them, as their Create
// would have been kept; koeln's join screen lists the call. Bounded and off the request path: a
// partner whose server never answers (a silent peer here; its follow stored as rows and marked accepted
// through the same service the inbox's Accept handler calls) holds only its own slot, and cdc's calls are kept long
// before its 10 s timeout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { type SlowPeer, startSilentPeer } from "../support/slow-peers.ts";
import { until } from "../support/wait.ts";
import { WebClient } from "../support/web-client.ts";

type Json = Record<string, unknown>;
const body = (title: string) => ({
  title: { fr: title, de: `${title} (de)` },
  body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
  demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
});

describe("a partner's calls launched before the follow", { timeout: 180_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let silent: SlowPeer;
  let editorA: Principal;
  const kept = async () => (await b.runtime.em.fork().getConnection().execute<{ ap_id: string; status: string }[]>("select ap_id, status from partner_call order by ap_id")).map((r) => [r.ap_id, r.status]);

  beforeAll(async () => {
    [a, b, silent] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" }), startSilentPeer("127.0.0.9")]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    editorA = (await createEditor(a.runtime, "cdc", "zq-backfill-a@example.org")).principal;
    await createEditor(b.runtime, "koeln", "zq-backfill-b@example.org");
  }, 120_000);
  afterAll(async () => {
    await silent?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it("reads the open calls of a partner once its follow is accepted, without waiting for a silent one", async () => {
    const open = await a.runtime.calls.create(editorA, "cdc", { ...body("Stop au contrôle algorithmique"), deadline: "2030-03-01" });
    await a.runtime.calls.open(editorA, open.id);
    const closed = await a.runtime.calls.create(editorA, "cdc", body("Appel déjà clos"));
    await a.runtime.calls.open(editorA, closed.id);
    await a.runtime.calls.close(editorA, closed.id);
    await a.runtime.calls.create(editorA, "cdc", body("Brouillon jamais publié"));

    // What cdc publishes: its open calls only, whole.
    const res = await fetch(a.url("/@cdc/open-calls"), { headers: { accept: "application/activity+json" } });
    expect(res.status).toBe(200);
    const collection = (await res.json()) as Json;
    expect(collection).toMatchObject({ id: a.url("/@cdc/open-calls").href, type: "OrderedCollection", attributedTo: a.url("/@cdc").href, totalItems: 1 });
    expect((collection.orderedItems as Json[]).map((i) => [i.id, i.type, i.callStatus])).toEqual([[open.apId.href, "Article", "Open"]]);
    // Its Group lists it in `streams`: that is where a partner finds it (no URL is guessed).
    const group = (await (await fetch(a.url("/@cdc"), { headers: { accept: "application/activity+json" } })).json()) as Json;
    expect([group.streams].flat()).toEqual([a.url("/@cdc/open-calls").href]);

    // A partner on a server that never answers, accepted first: its read hangs until its timeout.
    const silentActor = silent.url("/@muet");
    // Its follow is written as stored rows (no Follow is sent: a delivery hanging on that server is not what is tested).
    const sql = b.runtime.em.fork().getConnection();
    const [row] = await sql.execute<{ id: string }[]>(
      `insert into remote_actor (id, ap_id, domain, type, inbox_url, fetched_at) values (gen_random_uuid(), ?, ?, 'Group', ?, now()) returning id`,
      [silentActor.href, silent.origin.host, silent.url("/@muet/inbox").href],
    );
    await sql.execute(
      `insert into partner (id, collective_id, actor_id, state, follow_activity_id, relay, created_at, updated_at)
       select gen_random_uuid(), c.id, ?, 'pending', ?, false, now(), now() from collective c where c.slug = 'koeln'`,
      [row?.id, b.url("/@koeln#follows/muet").href],
    );
    expect(await b.runtime.partners.answered({ actorApId: silentActor.href, collectiveApId: b.url("/@koeln").href, accepted: true })).toBe("koeln");
    // Its actor document is asked first (only a collection it lists in `streams` is read).
    await until("the silent server to be asked", async () => silent.requests.some((r) => r.path === "/@muet"), 10_000);

    const followed = Date.now();
    await followPartner(b, "koeln", handleOf(a, "cdc"));
    await until("koeln's server to keep cdc's open call", async () => (await kept()).length > 0, 8_000);
    expect(Date.now() - followed).toBeLessThan(9_000);
    expect(await kept()).toEqual([[open.apId.href, "open"]]);
    expect((await b.runtime.partnerCalls.openFor("koeln")).map((c) => [c.apId, c.author.apId, c.title.fr])).toEqual([[open.apId.href, a.url("/@cdc").href, "Stop au contrôle algorithmique"]]);
    const web = new WebClient(b.origin);
    await web.login("zq-backfill-b@example.org", "correct horse battery");
    const screen = await web.get("/manage/@koeln/joins/new?lang=en");
    expect(screen.text).toContain(">Stop au contrôle algorithmique</a>");

    // Done with cdc; the silent one is still due (tried again later).
    const due = await b.runtime.em.fork().getConnection().execute<{ actor_ap_id: string }[]>("select actor_ap_id from partner_call_backfill");
    expect(due.map((r) => r.actor_ap_id)).toEqual([silentActor.href]);
  });
});
