// A co-signed call seen by Mobilizon-shaped groups (design §11 "Mobilizon", §13 #13's Mobilizon view), over
// real HTTP with real signatures: one group follows the initiator and a signatory, another only the
// signatory. Mobilizon keeps an `Article` as a post of the group its `attributedTo` names, and only when it
// also carries `actor` (converter/post.ex); it fetches what an `Announce` names. Both groups must store the
// call as a post of the initiator (title and text), the second one through the signatory's boost, and
// neither may store it as the signatory's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type MobilizonPeer, startMobilizonPeer } from "../support/mobilizon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("a co-signed call at Mobilizon-shaped followers", { timeout: 240_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let both: MobilizonPeer;
  let viaSigner: MobilizonPeer;
  let callId: string;
  let callUrl: string;

  beforeAll(async () => {
    [a, b, both, viaSigner] = await Promise.all([
      startRelaisInstance({ host: "127.0.0.1" }),
      startRelaisInstance({ host: "127.0.0.2" }),
      startMobilizonPeer({ host: "127.0.0.7", group: "velo_lyon" }),
      startMobilizonPeer({ host: "127.0.0.8", group: "velo_koeln" }),
    ]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    const editorA = (await createEditor(a.runtime, "cdc", "zq-mobilizon@example.org")).principal;
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    });
    callId = call.id;
    callUrl = call.apId.href;
    await a.runtime.calls.consult(editorA, callId);
    const found = await a.runtime.cosignPartners(b.url("/@koeln").href);
    if (!found.ok) throw new Error(found.reason);
    await a.runtime.cosign.invite(editorA, callId, found.partner);
    const inv = await until("koeln to be asked", async () => (await b.runtime.cosign.received("cli", "koeln")).find((i) => i.state === "pending"));
    await b.runtime.cosign.sign("cli", "koeln", inv.id, { languages: ["fr", "de"] });
    await until("koeln listed", async () => (await a.runtime.cosign.signatories(callId)).length === 1);

    await both.follow(a.url("/@cdc"));
    await both.follow(b.url("/@koeln"));
    await viaSigner.follow(b.url("/@koeln"));
    await until("both follows accepted", async () => both.inbox.received.filter((d) => d.activity?.type === "Accept" && d.signatureValid).length === 2 || undefined, 60_000);
    await viaSigner.inbox.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 60_000 });
    await a.runtime.calls.open(editorA, callId);
  }, 200_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), both?.close(), viaSigner?.close()]);
  });

  it("is stored as a post of the initiator, by a follower of both and through the signatory's boost", async () => {
    const cdc = a.url("/@cdc").href;
    const koeln = b.url("/@koeln").href;
    for (const peer of [both, viaSigner]) {
      const post = await until(`${peer.groupName} to store the call`, async () => peer.posts.get(callUrl), 60_000);
      expect(post).toMatchObject({ attributedTo: cdc, actor: cdc, title: "Stop au contrôle algorithmique" });
      expect(post.content).toContain("<strong>exigeons</strong>");
      expect([...peer.posts.values()].filter((p) => p.attributedTo === koeln)).toEqual([]);
      expect(peer.log.problems()).toEqual([]);
    }
    // The follower of koeln alone got the call only from koeln's boost, and fetched it from cdc's origin.
    expect(viaSigner.posts.get(callUrl)?.via).toBe(`Announce by ${koeln}`);
    const announces = viaSigner.inbox.received.filter((d) => d.activity?.type === "Announce");
    expect(announces.map((d) => [d.activity?.actor, d.activity?.object, d.signatureValid])).toEqual([[koeln, callUrl, true]]);
    expect(viaSigner.inbox.received.some((d) => d.activity?.type === "Create")).toBe(false);
    // The follower of both got cdc's Create of the Article, and koeln's boost of the same id.
    expect(both.inbox.received.some((d) => d.activity?.type === "Create" && (d.activity.object as Record<string, unknown>)?.id === callUrl)).toBe(true);
    expect(both.posts.size).toBe(1);
  });
});
