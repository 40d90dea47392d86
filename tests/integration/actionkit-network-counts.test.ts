// The "across the network" count of an action kit (issue 11, ADR 0032): two servers that adopted a kit of
// a third report their copies' opt-in counts to it with signed POSTs from their instance actors, over
// real HTTP between three real instances; the origin's page and JSON API add them to its own count. A
// report only when the counts changed, at most one per copy per ten minutes (the last value kept), an
// unsigned one refused, and an origin that never answers costs one timeout without stopping the round.
import { createServer, type Server } from "node:net";
import { signRequest } from "@fedify/fedify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionKitView } from "../../src/modules/actionkit/actionkit.types.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { createEditor } from "../support/editor.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("action kit counts across instances", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let c: RelaisInstance;
  let kit: ActionKitView;
  let copyB: ActionKitView;
  let copyC: ActionKitView;
  let silent: Server;
  const count = async (at: RelaisInstance, k: ActionKitView, lang: string, times: number) => {
    for (let i = 0; i < times; i++) expect((await fetch(at.url(`/kits/${k.id}/${lang}/count`), { method: "POST" })).status).toBe(204);
  };
  let token: string;
  const apiCount = async () => ((await (await fetch(a.url(`/api/v1/kits/${kit.id}`), { headers: { authorization: `Bearer ${token}` } })).json()) as { count: { total: number; byLanguage: Record<string, number>; otherServers: number } }).count;
  const pageCount = async () => {
    const html = await (await fetch(a.url(`/kits/${kit.id}/en`))).text();
    return /id="kit-count">([^<]*)</.exec(html)?.[1];
  };

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startRelaisInstance(), startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    await a.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    await c.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    token = (await createEditor(a.runtime, "lyon", "ana@example.org")).token;
    kit = await a.runtime.actionkits.create("cli", "lyon", { ...cafAccessRequest, published: true });
    for (const [at, slug] of [[b, "gent"], [c, "koeln"]] as const) await followPartner(at, slug, handleOf(a, "lyon"));
    const adopt = async (at: RelaisInstance, slug: string) => {
      const read = await at.runtime.actionKitReader.read(kit.apId.href);
      if (!read.ok) throw new Error(read.reason);
      return at.runtime.actionkits.adopt("cli", slug, read.kit, { published: true });
    };
    copyB = await adopt(b, "gent");
    copyC = await adopt(c, "koeln");
    // An origin that accepts connections and never answers.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.9", resolve));
  }, 180_000);
  afterAll(async () => {
    silent?.close();
    await Promise.all([a?.close(), b?.close(), c?.close()]);
  });

  it("adds the counts of copies on other servers to the origin's page and JSON API", async () => {
    await count(a, kit, "fr", 2);
    await count(b, copyB, "fr", 3);
    await count(b, copyB, "en", 1);
    await count(c, copyC, "en", 4);
    expect(await apiCount()).toEqual({ total: 2, byLanguage: { fr: 2 }, otherServers: 0 });

    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    expect(await c.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    expect(await apiCount()).toEqual({ total: 10, byLanguage: { fr: 5, en: 5 }, otherServers: 8 });
    expect(await pageCount()).toBe("Letters produced across the network: 10");
    // What crossed: each copy's id and its counts per language, nothing else.
    const rows = await a.runtime.em.fork().getConnection().execute<{ copy_ap_id: string; counts: Record<string, number> }[]>("select copy_ap_id, counts from action_kit_remote_count order by copy_ap_id");
    expect(rows).toEqual([
      { copy_ap_id: copyB.apId.href, counts: { fr: 3, en: 1 } },
      { copy_ap_id: copyC.apId.href, counts: { en: 4 } },
    ]);
    // The copies' own pages count what was counted there (and here adopted from them).
    expect((await b.runtime.actionkits.counts(copyB)).total).toBe(4);
  }, 60_000);

  it("reports only changed counts, at most once per ten minutes per copy, keeping the last value", async () => {
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 0, refused: 0, failed: 0 });
    await count(b, copyB, "fr", 1);
    // Too soon: the origin answers 429 and keeps the last counts; the copy tries again next round.
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 0, refused: 0, failed: 1 });
    expect((await apiCount()).total).toBe(10);
    await a.runtime.em.fork().getConnection().execute("update action_kit_remote_count set received_at = now() - interval '11 minutes'");
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    expect(await apiCount()).toEqual({ total: 11, byLanguage: { fr: 6, en: 5 }, otherServers: 9 });
  }, 60_000);

  it("refuses an unsigned report, and one for a kit that is not the copy's origin", async () => {
    const body = JSON.stringify({ id: copyB.apId.href, origin: kit.apId.href, counts: { fr: 1_000_000 } });
    const unsigned = await fetch(a.url(`/kits/${kit.id}/copies/counts`), { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(unsigned.status).toBe(401);
    const wrongOrigin = await fetch(a.url(`/kits/${kit.id}/copies/counts`), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: copyB.apId.href, origin: a.url("/kits/other").href, counts: {} }) });
    expect(wrongOrigin.status).toBe(400);
    expect((await apiCount()).total).toBe(11);
  });

  it("refuses a signed report for a kit that is no copy of it (422), and one signed by another server's key (401)", async () => {
    const signedBy = async (at: RelaisInstance, report: Record<string, unknown>) => {
      const [pair] = (await at.runtime.federation.createContext(at.origin, undefined).getActorKeyPairs("relais.instance")).filter((p) => p.privateKey.algorithm.name === "RSASSA-PKCS1-v1_5");
      if (!pair) throw new Error("no RSA key");
      const request = new Request(a.url(`/kits/${kit.id}/copies/counts`), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(report) });
      return fetch(await signRequest(request, pair.privateKey, pair.keyId, { spec: "draft-cavage-http-signatures-12" }));
    };
    // b's own kit, not adopted from a's: its text.json names no origin.
    const own = await b.runtime.actionkits.create("cli", "gent", { ...cafAccessRequest, published: true });
    const notACopy = await signedBy(b, { id: own.apId.href, origin: kit.apId.href, counts: { fr: 999 } });
    expect(notACopy.status).toBe(422);
    expect(((await notACopy.json()) as { message: string }).message).toBe(`${own.apId.href} is not a copy of ${kit.apId.href}`);
    // c signs a report for b's copy.
    const impostor = await signedBy(c, { id: copyB.apId.href, origin: kit.apId.href, counts: { fr: 999 } });
    expect(impostor.status).toBe(401);
    expect((await apiCount()).total).toBe(11);
  });

  it("does not stall on an origin that never answers: one timeout, and the other copies are reported", async () => {
    // A copy on c of a kit whose origin accepts connections and never answers.
    const dead = await c.runtime.actionkits.create("cli", "koeln", { ...cafAccessRequest, published: true });
    const silentOrigin = `http://127.0.0.9:${(silent.address() as { port: number }).port}`;
    await c.runtime.em.fork().getConnection().execute("update action_kit set origin_ap_id = ?, origin_actor_ap_id = ? where id = ?", [`${silentOrigin}/kits/${kit.id}`, `${silentOrigin}/@x`, dead.id]);
    await count(c, dead, "fr", 1);
    await count(c, copyC, "fr", 1);
    await a.runtime.em.fork().getConnection().execute("update action_kit_remote_count set received_at = now() - interval '11 minutes'");
    const started = Date.now();
    expect(await c.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 1 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await apiCount()).total).toBe(12);
    // The origin's page never waits on the copies' servers.
    const t0 = Date.now();
    expect(await pageCount()).toBe("Letters produced across the network: 12");
    expect(Date.now() - t0).toBeLessThan(2_000);
  }, 60_000);
});
