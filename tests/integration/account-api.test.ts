// API tokens (list, expiry, revoke) and members (list, removal by owners) through the JSON API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";

type Json = Record<string, unknown>;

describe("API tokens and members", () => {
  let relais: RelaisInstance;
  let owner: string;
  let editor: string;
  let otherOwner: string;

  const api = (path: string, token: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(relais.url(path), {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${token}`, ...(init.json === undefined ? {} : { "content-type": "application/json" }) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
  const items = async (res: Response) => {
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Json[] }).items;
  };

  beforeAll(async () => {
    relais = await startRelaisInstance();
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    owner = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).token;
    editor = (await createEditor(relais.runtime, "gent", "ana@example.org", "editor")).token;
    otherOwner = (await createEditor(relais.runtime, "lyon", "chloe@example.org", "owner")).token;
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("lists the caller's tokens with their expiry, never the tokens themselves", async () => {
    const laptop = await relais.runtime.users.createToken("bram@example.org", { name: "laptop", expiresInDays: 7 });
    const listed = await items(await api("/api/v1/tokens", owner));
    expect(listed).toHaveLength(2);
    const entry = listed.find((t) => t.id === laptop.id);
    expect(entry).toMatchObject({ name: "laptop", lastUsedAt: null, expiresAt: laptop.expiresAt.toISOString() });
    const days = (Date.parse(String(entry?.expiresAt)) - Date.parse(String(entry?.createdAt))) / 86_400_000;
    expect(Math.round(days)).toBe(7);
    // The token made by createEditor got the default lifetime.
    const other = listed.find((t) => t.id !== laptop.id);
    expect(Math.round((Date.parse(String(other?.expiresAt)) - Date.parse(String(other?.createdAt))) / 86_400_000)).toBe(90);
    expect(JSON.stringify(listed)).not.toMatch(/relais_|tokenHash|[0-9a-f]{64}/);
    // Another user's tokens are not in the list.
    expect((await items(await api("/api/v1/tokens", editor))).map((t) => t.id)).not.toContain(laptop.id);
  });

  it("revokes a token at once; another user's token id answers 404 and stays valid", async () => {
    const spare = await relais.runtime.users.createToken("bram@example.org", { name: "spare" });
    expect((await api("/api/v1/tokens", spare.token)).status).toBe(200);
    const foreign = await api(`/api/v1/tokens/${spare.id}`, editor, { method: "DELETE" });
    expect(foreign.status).toBe(404);
    expect((await api("/api/v1/tokens", spare.token)).status).toBe(200);
    expect((await api(`/api/v1/tokens/${spare.id}`, owner, { method: "DELETE" })).status).toBe(204);
    const refused = await api("/api/v1/tokens", spare.token);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as Json).message).toMatch(/unknown, expired or revoked/);
    expect((await items(await api("/api/v1/tokens", owner))).map((t) => t.id)).not.toContain(spare.id);
    expect((await api("/api/v1/tokens/not-a-uuid", owner, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses a token once it has expired", async () => {
    const shortLived = await relais.runtime.users.createToken("ana@example.org", { expiresInDays: 1 });
    expect((await api("/api/v1/tokens", shortLived.token)).status).toBe(200);
    // A day later, as far as the database is concerned.
    await relais.runtime.orm.em
      .getConnection()
      .execute("update api_token set expires_at = now() - interval '1 second' where id = ?", [shortLived.id]);
    expect((await api("/api/v1/tokens", shortLived.token)).status).toBe(401);
    await expect(relais.runtime.users.createToken("ana@example.org", { expiresInDays: 0 })).rejects.toThrow(/at least 1 day/);
    await expect(relais.runtime.users.createToken("ana@example.org", { expiresInDays: 10_000 })).rejects.toThrow(/at most 730 days/);
    await expect(relais.runtime.users.createToken("ana@example.org", { name: "a\u001b]0;x\u0007" })).rejects.toThrow(/printable/);
  });

  it("lets owners remove members; the removed member loses the collective at once", async () => {
    // Members see each other; nobody else does.
    expect((await items(await api("/api/v1/collectives/gent/members", editor))).length).toBe(2);
    expect((await api("/api/v1/collectives/gent/members", otherOwner)).status).toBe(403);
    const members = await items(await api("/api/v1/collectives/gent/members", owner));
    expect(members.map((m) => [m.email, m.role])).toEqual([
      ["bram@example.org", "owner"],
      ["ana@example.org", "editor"],
    ]);
    const ana = members.find((m) => m.email === "ana@example.org") as Json;
    const bram = members.find((m) => m.email === "bram@example.org") as Json;

    const event = { name: { nl: "Betoging" }, startsAt: "2030-10-25T10:00", onlineUrl: "https://meet.example/b", published: false };
    expect((await api("/api/v1/collectives/gent/events", editor, { method: "POST", json: event })).status).toBe(201);

    // An editor removes nobody but themselves (anyone may leave).
    expect((await api(`/api/v1/collectives/gent/members/${bram.userId}`, editor, { method: "DELETE" })).status).toBe(403);
    expect((await api(`/api/v1/collectives/gent/members/${ana.userId}`, otherOwner, { method: "DELETE" })).status).toBe(403);
    expect((await api(`/api/v1/collectives/gent/members/${ana.userId}`, owner, { method: "DELETE" })).status).toBe(204);
    expect((await api("/api/v1/collectives/gent/events", editor, { method: "POST", json: event })).status).toBe(403);
    expect((await api(`/api/v1/collectives/gent/members/${ana.userId}`, owner, { method: "DELETE" })).status).toBe(404);
    expect((await api("/api/v1/collectives/gent/members/not-a-uuid", owner, { method: "DELETE" })).status).toBe(404);

    const last = await api(`/api/v1/collectives/gent/members/${bram.userId}`, owner, { method: "DELETE" });
    expect(last.status).toBe(409);
    expect(((await last.json()) as Json).message).toMatch(/at least one owner/);
    expect((await items(await api("/api/v1/collectives/gent/members", owner))).map((m) => m.email)).toEqual(["bram@example.org"]);
  });

  it("describes tokens and members in the OpenAPI document", async () => {
    const doc = (await (await fetch(relais.url("/api/v1/openapi.json"))).json()) as { paths: Json; components: { schemas: Json } };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/tokens", "/api/v1/tokens/{id}", "/api/v1/collectives/{slug}/members", "/api/v1/collectives/{slug}/members/{userId}"]),
    );
    expect(doc.components.schemas).toHaveProperty("Token.properties.expiresAt");
  });
});
