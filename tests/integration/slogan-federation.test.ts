// Slogans reach followers: a Mastodon-shaped follower (real HTTP, real signatures) gets each published
// slogan as a Note from the collective — contentMap in every language, the share image attached with
// alt text, hashtags — then an Update for each change and a Delete. The Note, its share image (a
// 1200×630 PNG) and its placards (PDFs read back with pdfjs-dist) are served at their URLs; drafts are
// sent nowhere and found by no one; a deleted slogan is gone (410). No editor's name or e-mail appears
// in anything sent or served.
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

type Json = Record<string, unknown>;
const objectOf = (d: { activity: Json | null }) => (d.activity?.object ?? {}) as Json;
const marker = "zq-editor-marker";

describe("slogans reach followers", () => {
  let relais: RelaisInstance;
  let mastodon: MastodonPeer;
  let editor: Principal;
  let callId: string;
  const lyon = () => relais.url("/@lyon").href;
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });

  beforeAll(async () => {
    relais = await startRelaisInstance();
    mastodon = await startMastodonPeer({ host: "127.0.0.2", username: "carla" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", `${marker}@example.org`)).principal;
    const call = await relais.runtime.calls.create(editor, "lyon", { title: { fr: "Stop au contrôle", de: "Schluss mit der Kontrolle" }, body: { fr: "Nous exigeons.", de: "Wir fordern." } });
    await relais.runtime.calls.open(editor, call.id);
    callId = call.id;
    await mastodon.follow(new URL(lyon()));
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 20_000 });
  }, 60_000);
  afterAll(async () => {
    await mastodon?.close();
    await relais?.close();
  });

  const since = (mark: number, type: string, objectType?: string) => (d: ReceivedDelivery) =>
    mastodon.received.indexOf(d) >= mark && d.signatureValid && d.activity?.type === type && (objectType === undefined || objectOf(d).type === objectType);

  it("sends the Note with its share image, each change as an Update, and the Delete; serves the files", async () => {
    const { slogans } = relais.runtime;
    let mark = mastodon.received.length;
    const slogan = await slogans.create(editor, "lyon", {
      text: { fr: "Pas de tri des pauvres", de: "Keine Sortierung der Armen" },
      tags: ["allocs"],
      call: callId,
    });
    const apId = slogan.apId.href;
    const create = await mastodon.waitFor(since(mark, "Create", "Note"), { timeoutMs: 20_000 });
    expect(create.signer).toBe(lyon());
    expect(create.activity?.id).toBe(`${apId}#create`);
    const note = objectOf(create);
    expect(note).toMatchObject({
      id: apId,
      type: "Note",
      attributedTo: lyon(),
      to: "https://www.w3.org/ns/activitystreams#Public",
      cc: relais.url("/@lyon/followers").href,
      nameMap: { fr: "Pas de tri des pauvres", de: "Keine Sortierung der Armen" },
      url: apId,
    });
    expect(note.summary).toBeUndefined();
    const contentMap = note.contentMap as Record<string, string>;
    expect(Object.keys(contentMap)).toEqual(["fr", "de"]);
    expect(note.content).toBe(contentMap.fr);
    expect(contentMap.fr).toContain("<p>Pas de tri des pauvres</p>");
    expect(contentMap.fr).toContain(`<a href="${relais.url(`/calls/${callId}`).href}">Pour l&#39;appel : Stop au contrôle</a>`);
    expect(contentMap.de).toContain("Zum Aufruf: Schluss mit der Kontrolle");
    expect(contentMap.de).toContain("#allocs");
    const imageUrl = relais.url(`/slogans/${slogan.id}/images/fr-v1.png`).href;
    expect(note.attachment).toEqual([
      { type: "Document", mediaType: "image/png", url: imageUrl, name: "Slogan « Pas de tri des pauvres » en grandes lettres, signé Droits sociaux Lyon", width: 1200, height: 630 },
    ]);
    expect(note.tag).toMatchObject({ type: "Hashtag", name: "#allocs" });

    // The share image, the Note and a placard at their URLs.
    const image = await fetch(imageUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([1200, 630]);
    const served = await as2(apId);
    expect(served.status).toBe(200);
    expect(await served.json()).toMatchObject({ id: apId, type: "Note", nameMap: { fr: "Pas de tri des pauvres" } });
    const placard = await fetch(relais.url(`/slogans/${slogan.id}/placards/de-a3-landscape.pdf`));
    expect(placard.status).toBe(200);
    expect(placard.headers.get("content-type")).toBe("application/pdf");
    expect(placard.headers.get("content-disposition")).toBe('attachment; filename="slogan-de-a3-landscape.pdf"');
    expect(placard.headers.get("x-content-type-options")).toBe("nosniff");
    const pdf = await getDocument({ data: new Uint8Array(await placard.arrayBuffer()), useSystemFonts: false }).promise;
    const text = (await (await pdf.getPage(1)).getTextContent()).items.map((i) => ("str" in i ? i.str : "")).join(" ");
    expect(text).toContain("Keine Sortierung der Armen");
    expect(text).toContain("Soziale Rechte Lyon");
    expect(text).toContain(`calls/${callId}`);
    expect((await fetch(relais.url(`/slogans/${slogan.id}/placards/nl-a4-portrait.pdf`))).status).toBe(404);
    const page = await fetch(apId, { headers: { "accept-language": "de" } });
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(pageHtml).toContain("Keine Sortierung der Armen");
    expect(pageHtml).toContain(`/slogans/${slogan.id}/placards/fr-a4-portrait.pdf`);
    expect(await (await fetch(relais.url("/@lyon"))).text()).toContain(`/slogans/${slogan.id}`);
    expect(await (await fetch(relais.url(`/calls/${callId}`))).text()).toContain(`/slogans/${slogan.id}`);

    mark = mastodon.received.length;
    await slogans.update(editor, slogan.id, { text: { fr: "Pas de tri des pauvres, jamais", de: "Keine Sortierung der Armen" } });
    const update = await mastodon.waitFor(since(mark, "Update", "Note"), { timeoutMs: 20_000 });
    expect(update.activity?.id).toBe(`${apId}#update-2`);
    expect(objectOf(update)).toMatchObject({ id: apId, contentMap: { fr: expect.stringContaining("Pas de tri des pauvres, jamais") } });
    expect((objectOf(update).attachment as Json[])[0]?.url).toBe(relais.url(`/slogans/${slogan.id}/images/fr-v2.png`).href);
    const old = await fetch(imageUrl, { redirect: "manual" });
    expect(old.status).toBe(301);

    mark = mastodon.received.length;
    await slogans.delete(editor, slogan.id);
    const del = await mastodon.waitFor(since(mark, "Delete"), { timeoutMs: 20_000 });
    expect(del.activity).toMatchObject({ id: `${apId}#delete`, actor: lyon(), object: { id: apId, type: "Tombstone", formerType: "Note" } });
    const gone = await as2(apId);
    expect(gone.status).toBe(410);
    expect((await fetch(apId)).status).toBe(410);
    expect((await fetch(imageUrl)).status).toBe(410);

    // Nothing of the editor in what was sent.
    expect(mastodon.received.filter((d) => d.body.includes(marker))).toEqual([]);
  }, 120_000);

  it("sends nothing of a draft and serves it to no one", async () => {
    const { slogans } = relais.runtime;
    const mark = mastodon.received.length;
    const draft = await slogans.create(editor, "lyon", { text: { fr: "Brouillon" }, published: false });
    expect((await as2(draft.apId.href)).status).toBe(404);
    expect((await fetch(draft.apId)).status).toBe(404);
    expect((await fetch(relais.url(`/slogans/${draft.id}/placards/fr-a4-portrait.pdf`))).status).toBe(404);
    await relais.runtime.relay.nudge();
    expect(mastodon.received.slice(mark).filter((d) => d.body.includes(draft.id))).toEqual([]);
  });
});
