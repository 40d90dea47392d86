// The press kits part of the JSON API over real HTTP: a PATCH changes the release's title, lead and
// body one language at a time (the others stay, one set to null goes, the body's HTML follows its
// Markdown), none of them can lose its last language, unknown language codes are named; another
// collective's editor cannot change a draft kit (nor see it). A file's caption changes the same way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonApi, lyonAndGent } from "../support/json-api.ts";
import { gpsJpeg } from "../support/press-files.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

type Json = Record<string, unknown>;
type Details = { details: { field: string; message: string }[] };

describe("press kits JSON API", () => {
  let relais: RelaisInstance;
  let token: string;
  let otherToken: string;

  const api = jsonApi(() => relais, () => token);

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    ({ token, otherToken } = await lyonAndGent(relais.runtime));
  });
  afterAll(async () => {
    await relais?.close();
  });

  const kit = {
    title: { fr: "Journée d'action du 8 mars", de: "Aktionstag am 8. März" },
    lead: { fr: "Le collectif appelle à manifester.", de: "Das Kollektiv ruft zur Demonstration auf." },
    body: { fr: "Le **8 mars**, rendez-vous place Bellecour.", de: "Am **8. März** treffen wir uns am Place Bellecour." },
    contact: { label: { fr: "Service presse" }, email: "presse@collectif.example" },
  };

  it("changes a language map one language at a time: languages left out stay, one set to null goes", async () => {
    const created = await api("/api/v1/collectives/lyon/presskits", { method: "POST", json: kit });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Json;
    const patch = (json: unknown, t?: string) => api(`/api/v1/presskits/${id}`, { method: "PATCH", json, token: t });

    // A client fixing the German title keeps the French one (it was lost before: the map was replaced).
    let res = await patch({ title: { de: "Aktionstag zum 8. März" } });
    expect(res.status).toBe(200);
    let k = (await res.json()) as Json;
    expect(k.title).toEqual({ fr: kit.title.fr, de: "Aktionstag zum 8. März" });
    expect(Object.keys(k.title as Json)[0]).toBe("fr");
    // The body by language: its HTML follows the Markdown.
    k = (await (await patch({ body: { de: "Am *8. März* alle zum Place Bellecour." } })).json()) as Json;
    expect(k.body).toEqual({ fr: kit.body.fr, de: "Am *8. März* alle zum Place Bellecour." });
    expect(k.bodyHtml).toEqual({ fr: "<p>Le <strong>8 mars</strong>, rendez-vous place Bellecour.</p>", de: "<p>Am <em>8. März</em> alle zum Place Bellecour.</p>" });
    // null removes a language (from the whole release: each language has its title, lead and body).
    res = await patch({ title: { de: null }, lead: { de: null }, body: { de: null } });
    expect(res.status).toBe(200);
    k = (await res.json()) as Json;
    expect([k.title, k.lead, k.body, Object.keys(k.bodyHtml as Json)]).toEqual([{ fr: kit.title.fr }, { fr: kit.lead.fr }, { fr: kit.body.fr }, ["fr"]]);
    expect(k.contact).toMatchObject(kit.contact);

    // None of them loses its last language; unknown codes are named; a removal in one map only is
    // refused (the release would miss a part in that language).
    const refused: [unknown, string[]][] = [
      [{ lead: { fr: null } }, ["lead"]],
      [{ title: { fr: null }, body: { fr: null } }, ["body", "title"]],
      [{ lead: { "fr!": "x" }, body: { "??": null } }, ["body.??", "lead.fr!"]],
      [{ title: { en: "Action day on 8 March" } }, ["body.en", "lead.en"]],
    ];
    for (const [json, fields] of refused) {
      res = await patch(json);
      expect(res.status).toBe(422);
      const details = ((await res.json()) as Details).details;
      expect(details.map((d) => d.field).sort()).toEqual(fields);
      if (!fields[0]?.includes(".")) expect(details[0]?.message).toMatch(/cannot lose every language/);
      if (fields[0] === "body.??") expect(details.map((d) => d.message).join()).toMatch(/"\?\?" is not a language code/);
    }
    // Not published: another collective's editor is answered as for an unknown kit.
    expect((await patch({ title: { fr: "Piraté" } }, otherToken)).status).toBe(404);
    k = (await (await api(`/api/v1/presskits/${id}`)).json()) as Json;
    expect([k.title, k.lead, k.body]).toEqual([{ fr: kit.title.fr }, { fr: kit.lead.fr }, { fr: kit.body.fr }]);
  });

  it("changes a file's caption one language at a time, and keeps one", async () => {
    const { id } = (await (await api("/api/v1/collectives/lyon/presskits", { method: "POST", json: kit })).json()) as Json;
    const uploaded = await api(`/api/v1/presskits/${id}/files?kind=photo&credit=Photo%3A%20Collectif&licence=cc-by&caption.fr=Place%20Bellecour&caption.de=Platz`, {
      method: "POST",
      body: new Uint8Array(await gpsJpeg(200, 150)),
      headers: { "content-type": "image/jpeg" },
    });
    expect(uploaded.status).toBe(201);
    const file = (await uploaded.json()) as Json;
    const patch = (json: unknown) => api(`/api/v1/presskits/${id}/files/${file.id}`, { method: "PATCH", json });

    let res = await patch({ caption: { de: "Place Bellecour in Lyon" }, credit: "Photo: Droits sociaux Lyon" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ caption: { fr: "Place Bellecour", de: "Place Bellecour in Lyon" }, credit: "Photo: Droits sociaux Lyon" });
    res = await patch({ caption: { de: null } });
    expect(((await res.json()) as Json).caption).toEqual({ fr: "Place Bellecour" });
    // An empty map changes nothing (it emptied the caption before); the last language stays; codes are named.
    expect(((await (await patch({ caption: {} })).json()) as Json).caption).toEqual({ fr: "Place Bellecour" });
    for (const [json, field] of [
      [{ caption: { fr: null } }, "caption"],
      [{ caption: { "en-!": null } }, "caption.en-!"],
    ] as const) {
      res = await patch(json);
      expect(res.status).toBe(422);
      expect(((await res.json()) as Details).details.map((d) => d.field)).toEqual([field]);
    }
  });
});
