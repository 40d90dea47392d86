// Calls to action reach followers: a Mastodon-shaped follower gets the Article (Create), each change
// (Update, then a change note quoting the call), the closing and the deletion, validly signed and with
// Relais's terms whole; a Gancio-shaped follower of the same collective is sent nothing it would answer
// 404 to, and stays a follower. Before launch the call is not found by anyone; after deletion it is gone
// (410). No editor's name or e-mail appears in anything sent or served.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type GancioPeer, startGancioPeer } from "../support/gancio-peer.ts";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const objectOf = (d: { activity: Json | null }) => (d.activity?.object ?? {}) as Json;
const marker = "zq-editor-marker";

describe("calls to action reach followers", () => {
  let relais: RelaisInstance;
  let mastodon: MastodonPeer;
  let gancio: GancioPeer;
  let editor: Principal;
  let eventId: string;
  const lyon = () => relais.url("/@lyon").href;
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });

  beforeAll(async () => {
    relais = await startRelaisInstance();
    [mastodon, gancio] = await Promise.all([startMastodonPeer({ host: "127.0.0.2", username: "carla" }), startGancioPeer({ host: "127.0.0.4" })]);
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", `${marker}@example.org`)).principal;
    eventId = (
      await relais.runtime.events.create(editor, "lyon", {
        name: { fr: "Journée d'action", de: "Aktionstag" },
        startsAt: "2030-03-08T14:00",
        location: { name: "Place Bellecour", locality: "Lyon" },
        published: true,
      })
    ).event.id;
    await mastodon.follow(new URL(lyon()));
    expect((await gancio.addTrustedActor(`@lyon@${relais.origin.host}`)).status).toBe(200);
    await gancio.toggleFollow(lyon());
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 20_000 });
    await gancio.inbox.waitFor((d) => d.activity?.type === "Accept" && d.status === 202, { timeoutMs: 20_000 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([mastodon?.close(), gancio?.close()]);
    await relais?.close();
  });

  const since = (mark: number, type: string, objectType?: string) => (d: ReceivedDelivery) =>
    mastodon.received.indexOf(d) >= mark && d.signatureValid && d.activity?.type === type && (objectType === undefined || objectOf(d).type === objectType);

  it("is found by no one before launch, then reaches Mastodon whole, each change with a note, and goes", async () => {
    const { calls } = relais.runtime;
    const call = await calls.create(editor, "lyon", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      pitch: { fr: "Les CAF notent nos vies." },
      body: { fr: "Nous **exigeons**", de: "Wir **fordern**" },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
      deadline: "2030-03-01",
      relatedEvents: [eventId],
    });
    const apId = call.apId.href;
    expect((await as2(apId)).status).toBe(404);
    await calls.consult(editor, call.id);
    expect((await as2(apId)).status).toBe(404);
    expect((await fetch(apId)).status).toBe(404);

    let mark = mastodon.received.length;
    await calls.open(editor, call.id);
    const create = await mastodon.waitFor(since(mark, "Create", "Article"), { timeoutMs: 20_000 });
    expect(create.signer).toBe(lyon());
    expect(create.activity?.id).toBe(`${apId}#create`);
    // Fedify's Linked Data signature and the FEP-8b32 proof were made over the document as built: its
    // context defines every term.
    expect(create.activity?.signature).toBeDefined();
    expect(create.activity?.proof).toMatchObject({ type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022" });
    const article = objectOf(create);
    expect(article).toMatchObject({
      id: apId,
      name: "Stop au contrôle algorithmique",
      callStatus: "Open",
      version: 1,
      deadline: "2030-03-01T23:59:00+01:00",
      relatedEvents: [relais.url(`/events/${eventId}`).href],
      demands: [{ type: "Demand", nameMap: { fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" } }],
    });
    expect(article.summary).toContain("Journée d&#39;action vendredi 8 mars 2030");
    expect(article.summary).toContain("DE: Aktionstag Freitag, 8. März 2030 · unterzeichnen bis 1. März 2030 um 23:59");
    const served = await as2(apId);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toMatch(/activity\+json/);
    expect(await served.json()).toMatchObject({ id: apId, type: "Article", callStatus: "Open" });

    mark = mastodon.received.length;
    // As the JSON API changes it: one language of the body; the Update still carries every language.
    await calls.update(editor, call.id, { deadline: "2030-03-02", body: { fr: "Nous **exigeons** tout" } }, { mergeLanguages: true });
    const update = await mastodon.waitFor(since(mark, "Update", "Article"), { timeoutMs: 20_000 });
    expect(update.activity?.id).toBe(`${apId}#update-1`);
    expect(objectOf(update)).toMatchObject({ version: 2, deadline: "2030-03-02T23:59:00+01:00" });
    const contentMap = objectOf(update).contentMap as Json;
    expect(Object.keys(contentMap)).toEqual(["fr", "de"]);
    expect([contentMap.fr, contentMap.de]).toEqual([expect.stringContaining("<strong>exigeons</strong> tout"), expect.stringContaining("Wir <strong>fordern</strong>")]);
    expect(Object.keys(objectOf(update).nameMap as Json)).toEqual(["fr", "de"]);
    const noteCreate = await mastodon.waitFor(since(mark, "Create", "Note"), { timeoutMs: 20_000 });
    expect(mastodon.received.indexOf(noteCreate)).toBeGreaterThan(mastodon.received.indexOf(update));
    const note = objectOf(noteCreate);
    expect(note).toMatchObject({ id: `${apId}/changes/1`, quote: apId, changeOf: apId, changeKind: ["TextChanged", "DeadlineChanged"] });
    expect(note.content).toContain("Nouvelle version (2) de l&#39;appel « Stop au contrôle algorithmique »");
    expect((note.contentMap as Json).de).toContain("Unterzeichnen bis 2. März 2030 um 23:59");
    expect((await (await as2(`${apId}/changes/1`)).json()).type).toBe("Note");

    mark = mastodon.received.length;
    await calls.close(editor, call.id);
    await mastodon.waitFor((d) => since(mark, "Update", "Article")(d) && objectOf(d).callStatus === "Closed", { timeoutMs: 20_000 });
    await mastodon.waitFor((d) => since(mark, "Create", "Note")(d) && JSON.stringify(objectOf(d).changeKind) === '["Closed"]', { timeoutMs: 20_000 });

    mark = mastodon.received.length;
    await calls.delete(editor, call.id);
    await mastodon.waitFor((d) => since(mark, "Delete")(d) && objectOf(d).id === apId, { timeoutMs: 20_000 });
    await until("the Deletes of both change notes", async () =>
      [1, 2].every((n) => mastodon.received.some((d) => since(mark, "Delete")(d) && objectOf(d).id === `${apId}/changes/${n}`)),
    );
    const gone = await as2(apId);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ id: apId, type: "Tombstone", formerType: "Article" });
    expect((await as2(`${apId}/changes/1`)).status).toBe(410);

    // Gancio was sent nothing of the call (it answers 404 to an Article) and still follows.
    const aboutCall = gancio.inbox.received.filter((d) => JSON.stringify(d.activity ?? {}).includes("/calls/"));
    expect(aboutCall).toEqual([]);
    expect((await relais.runtime.followers.recipients((await relais.runtime.collectives.findBySlug("lyon"))?.id ?? "")).map((r) => r.apId.origin)).toContain(
      gancio.origin.origin,
    );

    // Nothing of the editor in what was sent.
    expect(mastodon.received.filter((d) => d.body.includes(marker))).toEqual([]);
  }, 120_000);

  it("serves Relais's JSON-LD context at /ns", async () => {
    const res = await fetch(relais.url("/ns"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/ld\+json/);
    const doc = (await res.json()) as { "@context": Json };
    expect(doc["@context"].relais).toBe("https://w3id.org/relais/ns#");
    expect(doc["@context"].callStatus).toEqual({ "@id": "relais:callStatus", "@type": "@vocab" });
  });
});
