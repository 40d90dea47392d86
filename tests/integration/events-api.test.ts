import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { jsonApi, lyonAndGent } from "../support/json-api.ts";

describe("events JSON API", () => {
  let relais: RelaisInstance;
  let token: string;
  let otherToken: string;

  const api = jsonApi(() => relais, () => token);

  beforeAll(async () => {
    relais = await startRelaisInstance();
    ({ token, otherToken } = await lyonAndGent(relais.runtime));
  });
  afterAll(async () => {
    await relais?.close();
  });

  const body = {
    name: { de: "Kundgebung", fr: "Rassemblement devant la CAF" },
    summary: { fr: "Contre le contrôle algorithmique" },
    description: { fr: "**Venez** nombreux·ses <script>alert(1)</script>" },
    startsAt: "2030-03-09T14:00:00+01:00",
    endsAt: "2030-03-09T16:00",
    location: { name: "CAF", streetAddress: "67 boulevard Vivier-Merle", postalCode: "69003", locality: "Lyon", country: "FR", latitude: 45.76, longitude: 4.86 },
    category: "MOVEMENTS_POLITICS",
    tags: ["#Contrôle", "CAF"],
    published: true,
  };

  it("creates an event and answers with the model's names, id, url and apId", async () => {
    const res = await api("/api/v1/collectives/lyon/events", { method: "POST", json: body });
    expect(res.status).toBe(201);
    const e = await res.json();
    expect(Object.keys(e.name)).toEqual(["fr", "de"]);
    expect(e.startsAt).toBe("2030-03-09T14:00:00+01:00");
    expect(e.endsAt).toBe("2030-03-09T16:00:00+01:00");
    expect(e.timezone).toBe("Europe/Paris");
    expect(e.location.country).toBe("FR");
    expect(e.descriptionHtml.fr).toContain("<strong>Venez</strong>");
    expect(e.descriptionHtml.fr).not.toContain("<script");
    expect(e.url).toBe(relais.url(`/events/${e.id}`).href);
    expect(e.apId).toBe(e.url);
    expect(res.headers.get("location")).toBe(e.url);
    expect(e.status).toBe("scheduled");
  });

  it("answers 422 with one entry per invalid field", async () => {
    const res = await api("/api/v1/collectives/lyon/events", {
      method: "POST",
      json: { name: {}, startsAt: "next tuesday", timezone: "Mars/Olympus", location: { country: "XX" }, category: "PICNIC", extra: 1 },
    });
    expect(res.status).toBe(422);
    const err = await res.json();
    expect(err.error).toBe("invalid");
    const fields = err.details.map((d: { field: string }) => d.field);
    for (const f of ["startsAt", "timezone", "location.country", "category"]) expect(fields).toContain(f);
    for (const d of err.details) expect(d.message.length).toBeGreaterThan(5);
  });

  it("requires a token (401), membership (403) and known ids (404)", async () => {
    expect((await api("/api/v1/collectives/lyon/events", { token: null })).status).toBe(401);
    expect((await api("/api/v1/collectives/lyon/events", { token: "relais_nope" })).status).toBe(401);
    const forbidden = await api("/api/v1/collectives/lyon/events", { method: "POST", json: body, token: otherToken });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toBe("forbidden");
    expect((await api("/api/v1/events/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await api("/api/v1/events/not-a-uuid")).status).toBe(404);
    expect((await api("/api/v1/collectives/nowhere/events")).status).toBe(404);
  });

  it("lists upcoming events, filters by window and status, and refuses bad filters with 400", async () => {
    const past = await api("/api/v1/collectives/lyon/events", {
      method: "POST",
      json: { ...body, name: { fr: "Passé" }, startsAt: "2020-01-01T10:00", endsAt: "2020-01-01T12:00" },
    });
    expect(past.status).toBe(201);
    const upcoming = await (await api("/api/v1/collectives/lyon/events")).json();
    expect(upcoming.items.map((e: { name: { fr: string } }) => e.name.fr)).not.toContain("Passé");
    const all = await (await api("/api/v1/collectives/lyon/events?from=2019-01-01&to=2031-01-01")).json();
    expect(all.items.map((e: { name: { fr: string } }) => e.name.fr)).toContain("Passé");
    const cancelledOnly = await (await api("/api/v1/collectives/lyon/events?from=2019-01-01&status=cancelled")).json();
    expect(cancelledOnly.items).toEqual([]);
    const bad = await api("/api/v1/collectives/lyon/events?from=yesterday&status=maybe");
    expect(bad.status).toBe(400);
    const err = await bad.json();
    expect(err.message).toMatch(/from/);
    expect(err.message).toMatch(/status/);
  });

  it("patches, cancels with a reason, and deletes (the page then answers 410)", async () => {
    const created = await (await api("/api/v1/collectives/lyon/events", { method: "POST", json: body })).json();
    const patched = await api(`/api/v1/events/${created.id}`, { method: "PATCH", json: { startsAt: "2030-03-09T15:00", tags: ["caf"] } });
    expect(patched.status).toBe(200);
    const p = await patched.json();
    expect(p.startsAt).toBe("2030-03-09T15:00:00+01:00");
    expect(p.sequence).toBe(created.sequence + 1);
    expect(p.name).toEqual(created.name);

    const unpublish = await api(`/api/v1/events/${created.id}`, { method: "PATCH", json: { published: false } });
    expect(unpublish.status).toBe(422);
    expect((await unpublish.json()).details[0].field).toBe("published");

    const badPatch = await api(`/api/v1/events/${created.id}`, { method: "PATCH", json: { endsAt: "2030-03-09T10:00" } });
    expect(badPatch.status).toBe(422);
    expect((await badPatch.json()).details[0].field).toBe("endsAt");

    const cancelled = await api(`/api/v1/events/${created.id}/cancel`, { method: "POST", json: { reason: { fr: "Interdiction préfectorale" } } });
    expect(cancelled.status).toBe(200);
    const c = await cancelled.json();
    expect(c.status).toBe("cancelled");
    expect(c.statusReason).toEqual({ fr: "Interdiction préfectorale" });

    expect((await api(`/api/v1/events/${created.id}`, { method: "DELETE", token: otherToken })).status).toBe(403);
    expect((await api(`/api/v1/events/${created.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/v1/events/${created.id}`)).status).toBe(404);
    const page = await fetch(relais.url(`/events/${created.id}`), { headers: { accept: "text/html" } });
    expect(page.status).toBe(410);
  });

  it("changes a language map one language at a time: languages left out stay, one set to null goes", async () => {
    const created = await api("/api/v1/collectives/lyon/events", {
      method: "POST",
      json: {
        name: { fr: "Marche solidaire", de: "Solidaritätsmarsch" },
        summary: { fr: "Départ place Bellecour", de: "Start am Place Bellecour" },
        description: { fr: "Venez **nombreux**", de: "Kommt **zahlreich**" },
        startsAt: "2030-06-02T14:00",
        location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
      },
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const patch = async (json: unknown) => api(`/api/v1/events/${id}`, { method: "PATCH", json });

    // A client fixing the German name keeps the French one (it was lost before: the map was replaced).
    let res = await patch({ name: { de: "Marsch der Solidarität" } });
    expect(res.status).toBe(200);
    let e = await res.json();
    expect(e.name).toEqual({ fr: "Marche solidaire", de: "Marsch der Solidarität" });
    expect(Object.keys(e.name)[0]).toBe("fr");

    res = await patch({ summary: { de: null }, description: { de: "Kommt *alle*" } });
    expect(res.status).toBe(200);
    e = await res.json();
    expect(e.summary).toEqual({ fr: "Départ place Bellecour" });
    expect(e.description).toEqual({ fr: "Venez **nombreux**", de: "Kommt *alle*" });
    expect(e.descriptionHtml.fr).toContain("<strong>nombreux</strong>");
    expect(e.descriptionHtml.de).toContain("<em>alle</em>");

    // The last language of an optional map clears it; the name keeps at least one; unknown codes are named.
    e = await (await patch({ summary: { fr: null } })).json();
    expect(e.summary).toBeNull();
    for (const json of [{ name: { fr: null, de: null } }, { description: { "??": null } }]) {
      res = await patch(json);
      expect(res.status).toBe(422);
      expect((await res.json()).details.map((x: { field: string }) => x.field)).toEqual([Object.keys(json)[0] === "name" ? "name" : "description.??"]);
    }
    e = await (await api(`/api/v1/events/${id}`)).json();
    expect(e.name).toEqual({ fr: "Marche solidaire", de: "Marsch der Solidarität" });
    // The whole field set to null still clears it.
    e = await (await patch({ description: null })).json();
    expect(e.description).toBeNull();
  });

  it("keeps drafts private and federates them only once published", async () => {
    const draft = await (await api("/api/v1/collectives/lyon/events", { method: "POST", json: { ...body, published: false } })).json();
    expect(draft.published).toBe(false);
    const publicList = await (await api("/api/v1/collectives/lyon/events")).json();
    expect(publicList.items.map((e: { id: string }) => e.id)).not.toContain(draft.id);
    const withDrafts = await (await api("/api/v1/collectives/lyon/events?drafts=true")).json();
    expect(withDrafts.items.map((e: { id: string }) => e.id)).toContain(draft.id);
    expect((await fetch(relais.url(`/events/${draft.id}`), { headers: { accept: "text/html" } })).status).toBe(404);
    const outboxRows = async () =>
      (
        await relais.runtime.orm.em
          .getConnection()
          .execute<{ activity_id: string }[]>("select activity_id from outbox where activity_id like ?", [`%${draft.id}%`])
      ).map((r) => r.activity_id);
    expect(await outboxRows()).toEqual([]);
    const published = await api(`/api/v1/events/${draft.id}`, { method: "PATCH", json: { published: true } });
    expect(published.status).toBe(200);
    expect(await outboxRows()).toEqual([`${draft.url}#create`]);
    expect((await fetch(relais.url(`/events/${draft.id}`), { headers: { accept: "text/html" } })).status).toBe(200);
  });

  it("answers another collective's draft exactly like an unknown id, and changes nothing", async () => {
    const draft = await (await api("/api/v1/collectives/lyon/events", { method: "POST", json: { ...body, published: false } })).json();
    const unknown = "00000000-0000-4000-8000-000000000000";
    const requests: [string, string, unknown][] = [
      ["GET", "", undefined],
      ["PATCH", "", { name: { fr: "Piraté" } }],
      ["POST", "/cancel", { reason: { fr: "Piraté" } }],
      ["DELETE", "", undefined],
    ];
    for (const [method, suffix, json] of requests) {
      const answer = async (id: string) => {
        const res = await api(`/api/v1/events/${id}${suffix}`, { method, json, token: otherToken });
        return { status: res.status, type: res.headers.get("content-type"), body: (await res.text()).replaceAll(id, "<id>") };
      };
      const forDraft = await answer(draft.id);
      expect(forDraft.status, method).toBe(404);
      expect(forDraft, method).toEqual(await answer(unknown));
    }
    const after = await (await api(`/api/v1/events/${draft.id}`)).json();
    expect(after.name.fr).toBe(draft.name.fr);
    expect(after.status).toBe("scheduled");
  });

  it("serves its OpenAPI document", async () => {
    const res = await fetch(relais.url("/api/v1/openapi.json"));
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/collectives/{slug}/events", "/api/v1/events/{id}", "/api/v1/events/{id}/cancel"]),
    );
  });
});
