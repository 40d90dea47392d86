// The action kits part of the JSON API over real HTTP: create (a draft), a blank that names no field
// refused with the field's path and what to do, publish with If-Match, versions, adoption by a partner
// by URL with the origin kept (refused from a stranger), the country list, the count on one kit,
// deletion; the kit's pages in fr, de, nl and en without a missing key or the editor's e-mail; the
// OpenAPI document lists the routes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PartnerSchema } from "../../src/modules/partner/partner.entity.ts";
import { RemoteActorSchema } from "../../src/modules/remote-actor/remote-actor.entity.ts";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { jsonApi } from "../support/json-api.ts";

const marker = "zq-kit-api-editor";
type Json = Record<string, unknown>;

describe("action kits JSON API", () => {
  let relais: RelaisInstance;
  let token: string;
  let partnerToken: string;

  const api = jsonApi(() => relais, () => token);

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    token = (await createEditor(relais.runtime, "lyon", `${marker}@example.org`)).token;
    partnerToken = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).token;
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("creates a draft, refuses an unknown blank, publishes with If-Match, keeps versions, lists by country, deletes", async () => {
    const letters = [{ ...cafAccessRequest.letters[0], body: { fr: "{{name}} {{nom}}", en: "{{name}}" } }];
    const refused = await api("/api/v1/collectives/lyon/kits", { method: "POST", json: { ...cafAccessRequest, letters } });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { details: unknown }).details).toEqual([
      { field: "letters.0.body.fr", message: 'refers to the field "{{nom}}", which does not exist: add a field named "nom" or correct the name (fields: name, address, file_number, date, details)' },
    ]);
    expect((await api("/api/v1/collectives/lyon/kits", { method: "POST", token: partnerToken, json: cafAccessRequest })).status).toBe(403);
    expect((await api("/api/v1/collectives/lyon/kits", { method: "POST", token: null, json: cafAccessRequest })).status).toBe(401);

    const created = await api("/api/v1/collectives/lyon/kits", { method: "POST", json: cafAccessRequest });
    expect(created.status).toBe(201);
    expect(created.headers.get("etag")).toBe('"v0"');
    const kit = (await created.json()) as Json;
    expect(kit).toMatchObject({ collective: "lyon", country: "FR", published: false, version: 0, origin: null });
    expect(kit.pages).toEqual({ fr: relais.url(`/kits/${kit.id}/fr`).href, en: relais.url(`/kits/${kit.id}/en`).href });

    expect((await api(`/api/v1/kits/${kit.id}`, { method: "PATCH", headers: { "if-match": '"v3"' }, json: { published: true } })).status).toBe(409);
    const published = await api(`/api/v1/kits/${kit.id}`, { method: "PATCH", headers: { "if-match": '"v0"' }, json: { published: true } });
    expect(published.status).toBe(200);
    expect(published.headers.get("etag")).toBe('"v1"');
    const changed = await api(`/api/v1/kits/${kit.id}`, { method: "PATCH", headers: { "if-match": '"v1"' }, json: { institution: { fr: "CAF du Rhône", en: "CAF of the Rhône" } } });
    expect(((await changed.json()) as Json).version).toBe(2);
    const versions = (await (await api(`/api/v1/kits/${kit.id}/versions`)).json()) as { items: Json[] };
    expect(versions.items.map((v) => [v.version, (v.institution as Json).fr])).toEqual([
      [1, "Caisse d'allocations familiales (CAF)"],
      [2, "CAF du Rhône"],
    ]);
    expect(((await (await api(`/api/v1/kits/${kit.id}/versions/1`)).json()) as Json).version).toBe(1);
    expect((await api(`/api/v1/kits/${kit.id}/versions/9`)).status).toBe(404);

    const one = (await (await api(`/api/v1/kits/${kit.id}`, { token: partnerToken })).json()) as Json;
    expect(one.count).toEqual({ total: 0, byLanguage: {}, otherServers: 0 });
    const country = (await (await api("/api/v1/kits?country=fr")).json()) as { items: Json[] };
    expect(country.items.map((k) => k.id)).toEqual([kit.id]);
    expect((await api("/api/v1/kits")).status).toBe(422);
    expect((await api("/api/v1/kits?country=France")).status).toBe(422);

    // Every page of the kit, in each interface language: no missing key, never the editor's address.
    const missingBefore = missingTranslationKeys().length;
    for (const lang of ["fr", "de", "nl", "en"]) {
      const page = await fetch(relais.url(`/kits/${kit.id}/fr?lang=${lang}`), { headers: { "accept-language": lang } });
      expect(page.status).toBe(200);
      expect(await page.text()).not.toContain(marker);
      expect((await fetch(relais.url("/@lyon/kits"), { headers: { "accept-language": lang } })).status).toBe(200);
    }
    expect(missingTranslationKeys().length).toBe(missingBefore);

    expect((await api(`/api/v1/kits/${kit.id}`, { method: "DELETE", token: partnerToken })).status).toBe(403);
    expect((await api(`/api/v1/kits/${kit.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(relais.url(`/kits/${kit.id}`))).status).toBe(410);
  });

  it("changes a language map one language at a time: languages left out stay, one set to null goes", async () => {
    const { id } = (await (await api("/api/v1/collectives/lyon/kits", { method: "POST", json: { ...cafAccessRequest, published: true } })).json()) as Json;
    const patch = (json: unknown) => api(`/api/v1/kits/${id}`, { method: "PATCH", json });

    // A client fixing the English institution keeps the French one (it was lost before: the map was replaced).
    let res = await patch({ institution: { en: "Family allowance office (CAF)" } });
    expect(res.status).toBe(200);
    let kit = (await res.json()) as Json;
    expect(kit.institution).toEqual({ fr: cafAccessRequest.institution.fr, en: "Family allowance office (CAF)" });
    expect(kit.version).toBe(2);
    // null removes a language; the primary language stays first.
    res = await patch({ title: { en: null, fr: "Demander vos données à la CAF" }, legalBasis: { en: null } });
    expect(res.status).toBe(200);
    kit = (await res.json()) as Json;
    expect(kit.title).toEqual({ fr: "Demander vos données à la CAF" });
    expect(kit.legalBasis).toEqual({ fr: cafAccessRequest.legalBasis.fr });
    expect(Object.keys(kit.explanation as Json)).toEqual(["fr", "en"]);
    // Every map of a kit is required: none loses its last language; unknown codes are named.
    const refused: [unknown, string[]][] = [
      [{ title: { fr: null } }, ["title"]],
      [{ legalBasis: { fr: null }, institution: { fr: null, en: null } }, ["institution", "legalBasis"]],
      [{ explanation: { français: "…" }, institution: { "??": null } }, ["explanation.français", "institution.??"]],
    ];
    for (const [json, fields] of refused) {
      res = await patch(json);
      expect(res.status).toBe(422);
      const details = ((await res.json()) as { details: { field: string; message: string }[] }).details;
      expect(details.map((d) => d.field).sort()).toEqual(fields);
      expect(details[0]?.message).toMatch(fields[0]?.includes(".") ? /is not a language code/ : /cannot lose every language/);
    }
    expect(((await (await api(`/api/v1/kits/${id}`)).json()) as Json).version).toBe(3);
  });

  it("lets a partner adopt a kit by its URL, keeping the origin, and refuses a stranger", async () => {
    const created = (await (await api("/api/v1/collectives/lyon/kits", { method: "POST", json: { ...cafAccessRequest, published: true } })).json()) as Json;
    const adopt = (t: string, json: unknown) => api("/api/v1/collectives/gent/kits/adopt", { method: "POST", token: t, json });
    expect((await adopt(partnerToken, { url: created.url })).status).toBe(403);
    expect((await adopt(partnerToken, { url: "https://elsewhere.example/kits/1" })).status).toBe(422);
    expect((await adopt(partnerToken, { url: created.url, extra: 1 })).status).toBe(422);

    const { urls } = relais.runtime;
    const em = relais.runtime.em.fork();
    const actor = em.create(RemoteActorSchema, { apId: urls.collective("lyon").href, domain: urls.origin.hostname, type: "Group", inboxUrl: urls.collectiveInbox("lyon").href, fetchedAt: new Date() });
    await em.flush();
    const gent = ((await relais.runtime.em.getConnection().execute("select id from collective where slug = 'gent'")) as { id: string }[])[0]?.id as string;
    em.create(PartnerSchema, { collective: gent, actor: actor.id, state: "accepted", followActivityId: `${urls.collective("gent").href}#follow-lyon` });
    await em.flush();

    const adopted = await adopt(partnerToken, { url: created.url });
    expect(adopted.status).toBe(201);
    const copy = (await adopted.json()) as Json;
    expect(copy).toMatchObject({ collective: "gent", published: false, version: 0, origin: { apId: created.url, actorApId: urls.collective("lyon").href, actorName: "Droits sociaux Lyon", url: created.url } });
    expect((await adopt(partnerToken, { url: created.url })).status).toBe(409);
    // Published, its page says where it comes from (a kit's page speaks the kit's language when it can).
    await api(`/api/v1/kits/${copy.id}`, { method: "PATCH", token: partnerToken, json: { published: true } });
    const page = await (await fetch(relais.url(`/kits/${copy.id}/fr`), { headers: { "accept-language": "nl" } })).text();
    expect(page).toContain(`Adopté de <a href="${created.url}" rel="nofollow noopener">Droits sociaux Lyon</a>`);
  });

  it("describes every route in the OpenAPI document", async () => {
    const doc = (await (await fetch(relais.url("/api/v1/openapi.json"))).json()) as { paths: Json; components: { schemas: Json } };
    for (const path of ["/api/v1/collectives/{slug}/kits", "/api/v1/collectives/{slug}/kits/adopt", "/api/v1/kits", "/api/v1/kits/{id}", "/api/v1/kits/{id}/versions", "/api/v1/kits/{id}/versions/{version}"]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["ActionKit", "ActionKitInput"]));
  });
});
