// /api/v1/collectives/{slug}/partners over HTTP, between two Relais instances: an editor follows a
// partner by handle, sees its state move to accepted, switches the relay, unfollows; bad input and
// strangers get clear 4xx answers; the OpenAPI document describes the routes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("the partners API", { timeout: 120_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let token: string;
  let stranger: string;

  const api = (path: string, init: { method?: string; json?: unknown; as?: string } = {}) =>
    fetch(a.url(path), {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${init.as ?? token}`, ...(init.json === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    });

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    await a.runtime.collectives.create({ slug: "gent", name: { nl: "Gent solidair" }, primaryLanguage: "nl" });
    await a.runtime.collectives.create({ slug: "liege", name: { fr: "Liège solidaire" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "aachen", name: { de: "Aachen solidarisch" }, primaryLanguage: "de" });
    token = (await createEditor(a.runtime, "gent", "editor@example.org")).token;
    stranger = (await createEditor(a.runtime, "liege", "other@example.org")).token;
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("follows a partner by handle (201), then answers 200 for the same partner; the state becomes accepted", async () => {
    const handle = `@aachen@${b.origin.host}`;
    const created = await api("/api/v1/collectives/gent/partners", { method: "POST", json: { actor: handle } });
    expect(created.status).toBe(201);
    const partner = (await created.json()) as { id: string; state: string; actor: string; relay: boolean };
    expect(partner).toMatchObject({ state: "pending", actor: b.url("/@aachen").href, relay: false });
    const again = await api("/api/v1/collectives/gent/partners", { method: "POST", json: { actor: b.url("/@aachen").href } });
    expect(again.status).toBe(200);
    await until("the partner to accept", async () => {
      const list = (await (await api("/api/v1/collectives/gent/partners")).json()) as { items: { state: string }[] };
      return list.items[0]?.state === "accepted" || undefined;
    }, 60_000);
    const relayed = await api(`/api/v1/collectives/gent/partners/${partner.id}`, { method: "PATCH", json: { relay: true } });
    expect(await relayed.json()).toMatchObject({ relay: true, state: "accepted" });
    expect((await api(`/api/v1/collectives/gent/partners/${encodeURIComponent(`aachen@${b.origin.host}`)}`)).status).toBe(200);
  });

  it("refuses what it cannot use, naming the problem", async () => {
    const noActor = await api("/api/v1/collectives/gent/partners", { method: "POST", json: { relay: true } });
    expect(noActor.status).toBe(422);
    expect(((await noActor.json()) as { message: string }).message).toMatch(/actor/);
    const nobody = await api("/api/v1/collectives/gent/partners", { method: "POST", json: { actor: `@nobody@${b.origin.host}` } });
    expect(nobody.status).toBe(422);
    expect(((await nobody.json()) as { message: string }).message).toMatch(/could not be found/);
    expect((await api("/api/v1/collectives/gent/partners/x", { method: "PATCH", json: { relay: "yes" } })).status).toBe(422);
    expect((await api("/api/v1/collectives/gent/partners", { as: stranger })).status).toBe(403);
    expect((await api("/api/v1/collectives/gent/partners", { method: "POST", json: { actor: `@aachen@${b.origin.host}` }, as: stranger })).status).toBe(403);
    expect((await api("/api/v1/collectives/nowhere/partners")).status).toBe(404);
  });

  it("unfollows (204): the partner is gone from the list and gets an Undo", async () => {
    const list = (await (await api("/api/v1/collectives/gent/partners")).json()) as { items: { id: string }[] };
    expect((await api(`/api/v1/collectives/gent/partners/${list.items[0]?.id}`, { method: "DELETE" })).status).toBe(204);
    expect(((await (await api("/api/v1/collectives/gent/partners")).json()) as { items: unknown[] }).items).toEqual([]);
    const undo = await until("the Undo row to be sent", async () => {
      const rows = await a.runtime.em.fork().getConnection().execute<{ sent_at: Date | null }[]>("select sent_at from outbox where kind = 'undo-follow-partner'");
      return rows[0]?.sent_at ? rows : undefined;
    }, 60_000);
    expect(undo).toHaveLength(1);
  });

  it("is described in the OpenAPI document", async () => {
    const doc = (await (await fetch(a.url("/api/v1/openapi.json"))).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths["/api/v1/collectives/{slug}/partners"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/v1/collectives/{slug}/partners/{id}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
  });
});
