// The slogans part of the JSON API over real HTTP, and the slogan's page in fr, de, nl and en: create,
// change with If-Match, errors that say what to fix, adoption of a partner's slogan by its URL (and
// its refusal from a stranger), the placards' and share images' URLs, deletion; the OpenAPI document
// lists the routes; pages have no missing key and never the editor's e-mail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PartnerSchema } from "../../src/modules/partner/partner.entity.ts";
import { RemoteActorSchema } from "../../src/modules/remote-actor/remote-actor.entity.ts";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { jsonApi } from "../support/json-api.ts";

const marker = "zq-api-editor-marker";
type Json = Record<string, unknown>;

describe("slogans JSON API and pages", () => {
  let relais: RelaisInstance;
  let token: string;
  let otherToken: string;

  const api = jsonApi(() => relais, () => token);

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    token = (await createEditor(relais.runtime, "lyon", `${marker}@example.org`)).token;
    otherToken = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).token;
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("creates, changes with If-Match, refuses what is wrong, and deletes", async () => {
    const created = await api("/api/v1/collectives/lyon/slogans", { method: "POST", json: { text: { de: "Keine Sortierung der Armen", fr: "Pas de tri des pauvres" }, tags: ["allocs"] } });
    expect(created.status).toBe(201);
    expect(created.headers.get("etag")).toBe('"v1"');
    const slogan = (await created.json()) as Json;
    expect(created.headers.get("location")).toBe(slogan.url);
    expect(slogan).toMatchObject({ collective: "lyon", text: { fr: "Pas de tri des pauvres", de: "Keine Sortierung der Armen" }, tags: ["allocs"], published: true, version: 1, origin: null });
    expect(Object.keys(slogan.text as Json)).toEqual(["fr", "de"]);
    expect((slogan.placards as Record<string, Json>).de?.["a3-landscape"]).toBe(relais.url(`/slogans/${slogan.id}/placards/de-a3-landscape.pdf`).href);
    expect((slogan.shareImages as Json).fr).toBe(relais.url(`/slogans/${slogan.id}/images/fr-v1.png`).href);

    const tooLong = await api("/api/v1/collectives/lyon/slogans", { method: "POST", json: { text: { fr: "x".repeat(121) }, author: "Ana" } });
    expect(tooLong.status).toBe(422);
    const problems = ((await tooLong.json()) as { details: { field: string }[] }).details.map((d) => d.field);
    expect(problems).toEqual(["text.fr", "author"]);
    const tooLong2 = await api("/api/v1/collectives/lyon/slogans", { method: "POST", json: { text: { fr: "x".repeat(121) } } });
    expect(((await tooLong2.json()) as { details: { field: string; message: string }[] }).details).toEqual([
      { field: "text.fr", message: "must be at most 120 characters (it has 121); shorten it" },
    ]);
    expect((await api("/api/v1/collectives/lyon/slogans", { method: "POST", token: otherToken, json: { text: { fr: "x" } } })).status).toBe(403);
    expect((await api("/api/v1/collectives/lyon/slogans", { method: "POST", token: null, json: { text: { fr: "x" } } })).status).toBe(401);

    const changed = await api(`/api/v1/slogans/${slogan.id}`, { method: "PATCH", headers: { "if-match": '"v1"' }, json: { tags: ["allocs", "lyon"] } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).toBe('"v2"');
    const stale = await api(`/api/v1/slogans/${slogan.id}`, { method: "PATCH", headers: { "if-match": '"v1"' }, json: { tags: [] } });
    expect(stale.status).toBe(409);

    const list = (await (await api("/api/v1/collectives/lyon/slogans?limit=10")).json()) as { items: Json[]; next: string | null };
    expect(list.items.map((s) => s.id)).toEqual([slogan.id]);

    // Its page in every interface language, without a missing key or the editor's e-mail.
    const missingBefore = missingTranslationKeys().length;
    for (const lang of ["fr", "de", "nl", "en"]) {
      const page = await fetch(String(slogan.url), { headers: { accept: "text/html", "accept-language": lang } });
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(page.headers.get("content-language")).toBe(lang);
      expect(html).not.toContain(marker);
      expect(html).toContain(`/slogans/${slogan.id}/placards/de-a4-portrait.pdf`);
    }

    expect(missingTranslationKeys().length).toBe(missingBefore);
    expect((await api(`/api/v1/slogans/${slogan.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/v1/slogans/${slogan.id}`)).status).toBe(404);
  });

  it("changes the text one language at a time: languages left out stay, one set to null goes", async () => {
    const created = await api("/api/v1/collectives/lyon/slogans", { method: "POST", json: { text: { fr: "Pas de tri des pauvres", de: "Keine Sortierung der Armen" } } });
    const { id } = (await created.json()) as Json;
    const patch = (json: unknown) => api(`/api/v1/slogans/${id}`, { method: "PATCH", json });

    // A client fixing the German line keeps the French one (it was lost before: the text was replaced).
    let res = await patch({ text: { de: "Kein Sortieren der Armen", nl: "Geen sortering van de armen" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).text).toEqual({ fr: "Pas de tri des pauvres", de: "Kein Sortieren der Armen", nl: "Geen sortering van de armen" });
    res = await patch({ text: { nl: null } });
    expect(res.status).toBe(200);
    const changed = (await res.json()) as Json;
    expect(changed.text).toEqual({ fr: "Pas de tri des pauvres", de: "Kein Sortieren der Armen" });
    expect(Object.keys(changed.text as Json)[0]).toBe("fr");
    // The text keeps one language; a language slogans do not have is named, removed or not.
    const refused: [unknown, string, RegExp][] = [
      [{ text: { fr: null, de: null } }, "text", /cannot lose every language/],
      [{ text: { es: "No a la clasificación" } }, "text.es", /"es" is not a language of slogans/],
      [{ text: { xx: null } }, "text.xx", /"xx" is not a language of slogans/],
    ];
    for (const [json, field, message] of refused) {
      res = await patch(json);
      expect(res.status).toBe(422);
      const details = ((await res.json()) as { details: { field: string; message: string }[] }).details;
      expect(details.map((d) => d.field)).toEqual([field]);
      expect(details[0]?.message).toMatch(message);
    }
    expect(((await (await api(`/api/v1/slogans/${id}`)).json()) as Json).text).toEqual(changed.text);
  });

  it("adopts a partner's slogan by its URL, not a stranger's", async () => {
    const original = (await (await api("/api/v1/collectives/gent/slogans", { method: "POST", token: otherToken, json: { text: { nl: "Geen sortering van de armen" }, tags: ["gent"] } })).json()) as Json;
    const refused = await api("/api/v1/collectives/lyon/slogans/adopt", { method: "POST", json: { url: original.url } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain("is not a partner of");

    const { urls } = relais.runtime;
    const em = relais.runtime.em.fork();
    const actor = em.create(RemoteActorSchema, { apId: urls.collective("gent").href, domain: urls.origin.hostname, type: "Group", inboxUrl: urls.collectiveInbox("gent").href, fetchedAt: new Date() });
    await em.flush();
    const lyon = await relais.runtime.collectives.findBySlug("lyon");
    em.create(PartnerSchema, { collective: lyon?.id as string, actor: actor.id, state: "accepted", followActivityId: `${urls.collective("lyon").href}#follow-gent` });
    await em.flush();

    const adopted = await api("/api/v1/collectives/lyon/slogans/adopt", { method: "POST", json: { url: original.url } });
    expect(adopted.status).toBe(201);
    expect(await adopted.json()).toMatchObject({
      collective: "lyon",
      text: { nl: "Geen sortering van de armen" },
      tags: ["gent"],
      origin: { apId: original.url, actorApId: urls.collective("gent").href, actorName: "Sociale rechten Gent", url: original.url },
    });
    expect((await api("/api/v1/collectives/lyon/slogans/adopt", { method: "POST", json: { url: original.url } })).status).toBe(409);
    const bad = await api("/api/v1/collectives/lyon/slogans/adopt", { method: "POST", json: { url: "not a url" } });
    expect(bad.status).toBe(422);
    // The collective's page lists it, and says it was adopted.
    const collectivePage = await (await fetch(relais.url("/@lyon"), { headers: { accept: "text/html", "accept-language": "en" } })).text();
    expect(collectivePage).toContain("Geen sortering van de armen");
    expect(collectivePage).toContain("adopted from a partner");
  });

  it("are described in the OpenAPI document", async () => {
    const doc = (await (await fetch(relais.url("/api/v1/openapi.json"))).json()) as { paths: Json; components: { schemas: Json } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/collectives/{slug}/slogans", "/api/v1/collectives/{slug}/slogans/adopt", "/api/v1/slogans/{id}"]));
    expect(doc.components.schemas.Slogan).toBeDefined();
  });
});
