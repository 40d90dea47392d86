// Action kits reach followers (issue 11): a Mastodon-shaped follower over real HTTP receives validly
// signed Create, Update and Delete of the kit's Article (nameMap/contentMap in fr and en, each letter as
// text with its blanks, the link to the page where it is filled in); a draft is never sent; the
// Article and its Tombstone at the kit's URL; the kit's page, the collective's and the country's lists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { createEditor } from "../support/editor.ts";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

type Json = Record<string, unknown>;
const objectOf = (d: { activity: Json | null }) => (d.activity?.object ?? {}) as Json;
const marker = "zq-kit-editor";

describe("action kits reach followers", () => {
  let relais: RelaisInstance;
  let mastodon: MastodonPeer;
  let editor: Principal;
  const lyon = () => relais.url("/@lyon").href;
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });

  beforeAll(async () => {
    relais = await startRelaisInstance();
    mastodon = await startMastodonPeer({ host: "127.0.0.2", username: "carla" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", `${marker}@example.org`)).principal;
    await mastodon.follow(new URL(lyon()));
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 20_000 });
  }, 60_000);
  afterAll(async () => {
    await mastodon?.close();
    await relais?.close();
  });

  const since = (mark: number, type: string, objectType?: string) => (d: ReceivedDelivery) =>
    mastodon.received.indexOf(d) >= mark && d.signatureValid && d.activity?.type === type && (objectType === undefined || objectOf(d).type === objectType);

  it("sends the Article on publication, each new version as an Update, and the Delete; never a draft", async () => {
    const { actionkits } = relais.runtime;
    let mark = mastodon.received.length;
    const kit = await actionkits.create(editor, "lyon", cafAccessRequest);
    const apId = kit.apId.href;
    // A draft: nothing at its URL for servers, nothing sent.
    expect((await as2(apId)).status).toBe(404);
    expect((await fetch(apId)).status).toBe(404);

    await actionkits.update(editor, kit.id, { published: true });
    const create = await mastodon.waitFor(since(mark, "Create", "Article"), { timeoutMs: 20_000 });
    expect(mastodon.received.slice(mark).filter((d) => objectOf(d).id === apId && d.activity?.type === "Create")).toHaveLength(1);
    expect(create.signer).toBe(lyon());
    expect(create.activity?.id).toBe(`${apId}#create`);
    const article = objectOf(create);
    expect(article).toMatchObject({
      id: apId,
      type: "Article",
      attributedTo: lyon(),
      url: apId,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      cc: [relais.url("/@lyon/followers").href],
      name: cafAccessRequest.title.fr,
      nameMap: cafAccessRequest.title,
      mediaType: "text/html",
    });
    const contentMap = article.contentMap as Record<string, string>;
    expect(Object.keys(contentMap)).toEqual(["fr", "en"]);
    expect(article.content).toBe(contentMap.fr);
    expect(contentMap.fr).toContain("<p><strong>Lettre : Demande d&#39;accès (article 15 du RGPD)</strong></p>");
    expect(contentMap.fr).toContain("Numéro d&#39;allocataire : __________ (Numéro d&#39;allocataire)");
    expect(contentMap.fr).toContain("<li>La CAF doit répondre dans un délai d&#39;un mois.</li>");
    expect(contentMap.fr).toContain(`<a href="${relais.url(`/kits/${kit.id}/fr`).href}">`);
    expect(contentMap.en).toContain("Claimant number: __________ (Claimant number)");
    expect(contentMap.en).toContain("Legal basis: GDPR, Articles 15 and 22");
    expect(contentMap.fr).not.toContain("{{");
    expect((article.summaryMap as Record<string, string>).fr).toContain("Destinataire : Caisse d&#39;allocations familiales (CAF) · Base légale : RGPD, articles 15 et 22");
    // Nothing of the editor in what was sent.
    expect(JSON.stringify(mastodon.received.slice(mark).map((d) => d.activity))).not.toContain(marker);

    const served = await as2(apId);
    expect(served.status).toBe(200);
    expect(await served.json()).toMatchObject({ id: apId, type: "Article", nameMap: cafAccessRequest.title });

    mark = mastodon.received.length;
    await actionkits.update(editor, kit.id, { legalBasis: { fr: "RGPD, art. 15 et 22", en: "GDPR, Art. 15 and 22" } });
    const update = await mastodon.waitFor(since(mark, "Update", "Article"), { timeoutMs: 20_000 });
    expect(update.activity?.id).toBe(`${apId}#update-2`);
    expect((objectOf(update).contentMap as Record<string, string>).fr).toContain("Base légale : RGPD, art. 15 et 22");
    // The served Article is the new one at once (the cached read was forgotten).
    expect(JSON.stringify(await (await as2(apId)).json())).toContain("RGPD, art. 15 et 22");

    // Pages and lists.
    const page = await fetch(relais.url(`/kits/${kit.id}/en`));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain(`connect-src ${relais.url(`/kits/${kit.id}/en/count`).href};`);
    expect(await page.text()).toContain("nothing you type is sent to any server");
    expect(await (await fetch(relais.url("/@lyon/kits"), { headers: { "accept-language": "fr" } })).text()).toContain(cafAccessRequest.title.fr);
    const country = await (await fetch(relais.url("/countries/fr/kits"), { headers: { "accept-language": "de" } })).text();
    expect(country).toContain("Aktionspakete für: Frankreich");
    expect(country).toContain(`/kits/${kit.id}`);
    expect(await (await fetch(relais.url("/countries/de/kits"), { headers: { "accept-language": "en" } })).text()).toContain("No action kit yet.");

    mark = mastodon.received.length;
    await actionkits.delete(editor, kit.id);
    const del = await mastodon.waitFor(since(mark, "Delete"), { timeoutMs: 20_000 });
    expect(del.activity?.id).toBe(`${apId}#delete`);
    expect(objectOf(del)).toMatchObject({ id: apId, type: "Tombstone", formerType: "Article" });
    const gone = await as2(apId);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ type: "Tombstone", formerType: "Article" });
    expect((await fetch(apId)).status).toBe(410);
  });

  it("counts only empty POSTs to a published kit's language", async () => {
    const { actionkits } = relais.runtime;
    const kit = await actionkits.create(editor, "lyon", { ...cafAccessRequest, published: true });
    const count = (lang: string, init: RequestInit = {}) => fetch(relais.url(`/kits/${kit.id}/${lang}/count`), { method: "POST", ...init });
    expect((await count("fr", { body: "name=Ana" })).status).toBe(400);
    expect((await fetch(relais.url(`/kits/${kit.id}/fr/count?name=Ana`), { method: "POST" })).status).toBe(400);
    expect((await count("es")).status).toBe(404);
    expect((await count("fr")).status).toBe(204);
    expect((await count("en")).status).toBe(204);
    expect(await actionkits.counts(kit)).toEqual({ total: 2, byLanguage: { fr: 1, en: 1 }, otherServers: 0 });
  });
});
