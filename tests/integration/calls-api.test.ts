// The calls part of the JSON API over real HTTP, and the calls' public pages in fr, de, nl and en:
// create, change with If-Match, the life of a call, versions, errors that say what to fix; pages that
// answer 404 before launch and 410 after deletion, show the current version and the history with what
// changed, in every interface language with no key missing, and never the editor's e-mail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { jsonApi } from "../support/json-api.ts";

const marker = "zq-api-editor-marker";

describe("calls JSON API and pages", () => {
  let relais: RelaisInstance;
  let token: string;
  let otherToken: string;
  let eventId: string;

  const api = jsonApi(() => relais, () => token);
  const page = (url: string, lang: string) => fetch(url, { headers: { accept: "text/html", "accept-language": lang } });

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    const editor = await createEditor(relais.runtime, "lyon", `${marker}@example.org`);
    token = editor.token;
    otherToken = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).token;
    eventId = (
      await relais.runtime.events.create(editor.principal, "lyon", {
        name: { fr: "Journée d'action", de: "Aktionstag" },
        startsAt: "2030-03-08T14:00",
        location: { name: "Place Bellecour", locality: "Lyon" },
        published: true,
      })
    ).event.id;
  });
  afterAll(async () => {
    await relais?.close();
  });

  const body = {
    title: { de: "Schluss mit der Algorithmen-Kontrolle", fr: "Stop au contrôle algorithmique" },
    pitch: { fr: "Les CAF notent nos vies.", de: "Die Kassen benoten unser Leben." },
    body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
    demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    deadline: "2030-03-01",
  };

  it("creates, changes with If-Match, launches, versions and deletes a call", async () => {
    const created = await api("/api/v1/collectives/lyon/calls", { method: "POST", json: { ...body, relatedEvents: [eventId] } });
    expect(created.status).toBe(201);
    expect(created.headers.get("etag")).toBe('"v0"');
    const call = await created.json();
    expect(created.headers.get("location")).toBe(call.url);
    expect(call).toMatchObject({ status: "draft", version: 0, deadline: "2030-03-01T23:59:00+01:00", relatedEvents: [eventId], body: body.body });
    expect(Object.keys(call.title)).toEqual(["fr", "de"]);
    expect(call.bodyHtml.fr).toBe("<p>Nous <strong>exigeons</strong> la fin du score.</p>");

    // Not public yet: the page and the document are not found, by anyone.
    expect((await page(call.url, "fr")).status).toBe(404);
    expect((await api(`/api/v1/calls/${call.id}`, { token: otherToken })).status).toBe(404);
    expect((await api("/api/v1/collectives/lyon/calls?drafts=true", { token: otherToken }).then((r) => r.json())).items).toEqual([]);
    expect((await api("/api/v1/collectives/lyon/calls?drafts=true").then((r) => r.json())).items.map((c: { id: string }) => c.id)).toEqual([call.id]);

    const opened = await api(`/api/v1/calls/${call.id}/open`, { method: "POST" });
    expect(opened.status).toBe(200);
    expect(opened.headers.get("etag")).toBe('"v1"');
    expect((await opened.json()).status).toBe("open");

    const stale = await api(`/api/v1/calls/${call.id}`, { method: "PATCH", headers: { "if-match": '"v0"' }, json: { pitch: null } });
    expect(stale.status).toBe(409);
    expect((await stale.json()).message).toMatch(/changed since you read it/);
    const changed = await api(`/api/v1/calls/${call.id}`, {
      method: "PATCH",
      headers: { "if-match": '"v1"' },
      json: { body: { fr: "Nous **exigeons** la fin immédiate du score.", de: body.body.de } },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).toBe('"v2"');
    const versions = await (await api(`/api/v1/calls/${call.id}/versions`)).json();
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect((await (await api(`/api/v1/calls/${call.id}/versions/1`)).json()).body.fr).toBe("Nous **exigeons** la fin du score.");
    expect((await api(`/api/v1/calls/${call.id}/versions/9`)).status).toBe(404);

    // Someone else's call once public: readable, not changeable.
    expect((await api(`/api/v1/calls/${call.id}`, { token: otherToken })).status).toBe(200);
    expect((await api(`/api/v1/calls/${call.id}/close`, { method: "POST", token: otherToken })).status).toBe(403);
    expect((await api(`/api/v1/calls/${call.id}/consult`, { method: "POST" })).status).toBe(409);

    // Pages: the current version, then the history with what changed, in every interface language.
    const before = missingTranslationKeys().length;
    for (const lang of ["fr", "de", "nl", "en"]) {
      const res = await page(call.url, lang);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-language")).toBe(lang);
      const text = await res.text();
      expect(text).not.toContain(marker);
      if (lang === "fr") {
        expect(text).toContain("<h1>Stop au contrôle algorithmique</h1>");
        expect(text).toContain("la fin immédiate du score");
        expect(text).toContain("<li>Fin du score de risque</li>");
        expect(text).toContain("Journée d&#39;action");
        expect(text).toContain("1 mars 2030 à 23:59");
      }
      if (lang === "de") expect(text).toContain("<h1>Schluss mit der Algorithmen-Kontrolle</h1>");
      if (lang === "nl") expect(text).toMatch(/lang="fr">Stop au contrôle algorithmique<\/h1>/);
      const history = await (await page(`${call.url}/versions`, lang)).text();
      expect(history).not.toContain(marker);
      if (lang === "fr") {
        expect(history).toContain("Versions de « Stop au contrôle algorithmique »");
        expect(history).toContain("<ins>immédiate </ins>");
        expect(history).toContain("La première version.");
      }
      if (lang === "de") expect(history).toContain("Fassungen von „Schluss mit der Algorithmen-Kontrolle“");
      const v1 = await (await page(`${call.url}/versions/1`, lang)).text();
      expect(v1).toContain(lang === "de" ? "Wir <strong>fordern</strong> das Ende des Scores." : "Nous <strong>exigeons</strong> la fin du score.");
    }
    expect(missingTranslationKeys().length).toBe(before);
    expect((await page(`${call.url}/versions/7`, "fr")).status).toBe(404);

    expect((await api(`/api/v1/calls/${call.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await page(call.url, "fr")).status).toBe(410);
    expect((await page(`${call.url}/versions`, "fr")).status).toBe(410);
    expect((await api(`/api/v1/calls/${call.id}`)).status).toBe(404);
  });

  it("changes a language map one language at a time: languages left out stay, one set to null goes", async () => {
    const { id } = await (await api("/api/v1/collectives/lyon/calls", { method: "POST", json: body })).json();
    const patch = (json: unknown) => api(`/api/v1/calls/${id}`, { method: "PATCH", json });

    // A client fixing the German title keeps the French one (it was lost before: the map was replaced).
    let res = await patch({ title: { de: "Schluss mit dem Algorithmus" } });
    expect(res.status).toBe(200);
    let c = await res.json();
    expect(c.title).toEqual({ fr: body.title.fr, de: "Schluss mit dem Algorithmus" });
    expect(Object.keys(c.title)[0]).toBe("fr");
    // The body by language: its HTML follows the Markdown.
    c = await (await patch({ body: { de: "Wir *fordern* alles" } })).json();
    expect(c.body).toEqual({ fr: body.body.fr, de: "Wir *fordern* alles" });
    expect(c.bodyHtml).toEqual({ fr: "<p>Nous <strong>exigeons</strong> la fin du score.</p>", de: "<p>Wir <em>fordern</em> alles</p>" });
    // null removes a language (from title and body together: each language of a call has both).
    res = await patch({ title: { de: null }, body: { de: null }, pitch: { de: null } });
    expect(res.status).toBe(200);
    c = await res.json();
    expect([c.title, c.body, c.bodyHtml, c.pitch]).toEqual([{ fr: body.title.fr }, { fr: body.body.fr }, { fr: c.bodyHtml.fr }, { fr: body.pitch.fr }]);
    expect(c.demands).toEqual(body.demands);
    // The last language of the pitch clears it; the title and the body keep one; unknown codes are named.
    expect((await (await patch({ pitch: { fr: null } })).json()).pitch).toBeNull();
    const refused: [unknown, string[]][] = [
      [{ title: { fr: null } }, ["title"]],
      [{ body: { fr: null } }, ["body"]],
      [{ title: { klingon: "Titel" }, pitch: { "??": null } }, ["title.klingon", "pitch.??"]],
    ];
    for (const [json, fields] of refused) {
      res = await patch(json);
      expect(res.status).toBe(422);
      const error = await res.json();
      expect(error.details.map((d: { field: string }) => d.field)).toEqual(fields);
      if (fields[0] === "title") expect(error.details[0].message).toMatch(/cannot lose every language/);
      if (fields[0] === "title.klingon") expect(error.details[0].message).toMatch(/"klingon" is not a language code/);
    }
    c = await (await api(`/api/v1/calls/${id}`)).json();
    expect([c.title, c.body]).toEqual([{ fr: body.title.fr }, { fr: body.body.fr }]);
  });

  it("says what is wrong with a call, field by field", async () => {
    const res = await api("/api/v1/collectives/lyon/calls", {
      method: "POST",
      json: { title: { fr: "Titre" }, body: { fr: "Texte", de: "Text" }, deadline: "bientôt", relatedEvents: ["nope"], colour: "rouge" },
    });
    expect(res.status).toBe(422);
    const error = await res.json();
    expect(error.error).toBe("invalid");
    expect(error.details.map((d: { field: string }) => d.field).sort()).toEqual(["colour", "relatedEvents.0"]);
    const second = await api("/api/v1/collectives/lyon/calls", { method: "POST", json: { title: { fr: "Titre" }, body: { fr: "Texte", de: "Text" }, deadline: "bientôt" } });
    expect((await second.json()).details.map((d: { field: string }) => d.field).sort()).toEqual(["deadline", "title.de"]);
    expect((await api("/api/v1/collectives/nowhere/calls", { method: "POST", json: body })).status).toBe(404);
    expect((await api("/api/v1/collectives/lyon/calls", { method: "POST", json: body, token: otherToken })).status).toBe(403);
    expect((await api("/api/v1/collectives/lyon/calls", { method: "POST", json: body, token: null })).status).toBe(401);
    const badMatch = await api("/api/v1/calls/00000000-0000-4000-8000-000000000000", { method: "PATCH", headers: { "if-match": "yesterday" }, json: {} });
    expect(badMatch.status).toBe(400);
  });

  it("documents the calls in the OpenAPI document", async () => {
    const doc = await (await api("/api/v1/openapi.json")).json();
    for (const path of ["/api/v1/collectives/{slug}/calls", "/api/v1/calls/{id}", "/api/v1/calls/{id}/open", "/api/v1/calls/{id}/versions"]) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(doc.components.schemas.Call).toBeDefined();
  });
});
