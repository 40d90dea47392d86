// Blocks through the JSON API: owners manage their collective's, the instance admin the instance-wide
// ones; targets are normalised and bad ones refused with a message that says what to write; lists are
// paged; every block and its lifting are in the audit log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

type Json = Record<string, unknown>;

describe("blocks API", () => {
  let relais: RelaisInstance;
  let owner: string;
  let editor: string;
  let admin: string;

  const api = (path: string, token: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(relais.url(path), {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${token}`, ...(init.json === undefined ? {} : { "content-type": "application/json" }) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });

  beforeAll(async () => {
    relais = await startRelaisInstance({ env: { RELAIS_BLOCKED_DOMAINS: "configured.example" } });
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    owner = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).token;
    editor = (await createEditor(relais.runtime, "gent", "ana@example.org", "editor")).token;
    await relais.runtime.users.create("root@example.org", "correct horse battery", { admin: true });
    admin = (await relais.runtime.users.createToken("root@example.org")).token;
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("lets an owner block a server for the collective, once", async () => {
    const created = await api("/api/v1/collectives/gent/blocks", owner, { method: "POST", json: { target: " Spam.Example. ", reason: "flood" } });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { block: Json; created: boolean; purged: Json };
    expect(body).toMatchObject({
      created: true,
      block: { collective: "gent", kind: "domain", target: "spam.example", reason: "flood", createdBy: "bram@example.org" },
      purged: { followers: 0, partners: 0, partnerEvents: 0 },
    });
    const again = await api("/api/v1/collectives/gent/blocks", owner, { method: "POST", json: { target: "spam.example" } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false, block: { id: body.block.id } });
  });

  it("keeps blocks to owners, and instance-wide blocks to the instance admin", async () => {
    const byEditor = await api("/api/v1/collectives/gent/blocks", editor, { method: "POST", json: { target: "other.example" } });
    expect(byEditor.status).toBe(403);
    expect(await byEditor.json()).toMatchObject({ error: "forbidden", message: 'only owners of "gent" manage its blocks' });
    expect((await api("/api/v1/collectives/gent/blocks", editor)).status).toBe(403);
    const byOwner = await api("/api/v1/blocks", owner, { method: "POST", json: { target: "other.example" } });
    expect(byOwner.status).toBe(403);
    expect(await byOwner.json()).toMatchObject({ message: "only the instance's operator blocks instance-wide" });
    // Being instance admin gives no right inside a collective.
    expect((await api("/api/v1/collectives/gent/blocks", admin)).status).toBe(403);
  });

  it("lets the instance admin block instance-wide, IDNs in their ASCII form", async () => {
    const res = await api("/api/v1/blocks", admin, { method: "POST", json: { target: "bücher.example" } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ block: { collective: null, target: "xn--bcher-kva.example", createdBy: "root@example.org" } });
    const list = (await (await api("/api/v1/blocks", admin)).json()) as { items: Json[]; configured: string[] };
    expect(list.items.map((b) => b.target)).toEqual(["xn--bcher-kva.example"]);
    expect(list.configured).toEqual(["configured.example"]);
    expect((await relais.runtime.blocks.rules()).blocksHost("www.xn--bcher-kva.example")).toBe(true);
  });

  it.each([
    [{ target: "com" }, /"com" is a top-level domain, not a server: give a server's domain such as spam\.com/],
    [{ target: "spam.example:443" }, /a domain block covers every port, give spam\.example/],
    [{ target: "https://spam.example/" }, /names a whole server: to block it, give its domain \(spam\.example\)/],
    [{ target: "not a domain" }, /contains spaces/],
    [{ target: "127.0.0.1" }, /is this instance's own domain \(127\.0\.0\.1\): it cannot be blocked/],
    [{ target: "{origin}/@gent" }, /is an actor of this instance: it cannot be blocked/],
    [{ target: "spam.example", reason: "a\u0007b" }, /reason: must be printable text/],
    [{ target: "spam.example", extra: 1 }, /unknown field\(s\): extra/],
    [{}, /target: give a domain/],
  ])("refuses %j with 422 and says what to write", async (input, message) => {
    const json = JSON.parse(JSON.stringify(input).replace("{origin}", relais.origin.origin));
    const res = await api("/api/v1/collectives/gent/blocks", owner, { method: "POST", json });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
  });

  it("lists a collective's blocks a page at a time, by target", async () => {
    for (const target of ["b.example", "a.example", "https://c.example/users/x"]) {
      expect((await api("/api/v1/collectives/gent/blocks", owner, { method: "POST", json: { target } })).status).toBe(201);
    }
    const first = (await (await api("/api/v1/collectives/gent/blocks?limit=2", owner)).json()) as { items: Json[]; next: string };
    expect(first.items.map((b) => b.target)).toEqual(["a.example", "b.example"]);
    const second = (await (await api(`/api/v1/collectives/gent/blocks?limit=2&cursor=${first.next}`, owner)).json()) as { items: Json[]; next: null };
    expect(second.items.map((b) => b.target)).toEqual(["https://c.example/users/x", "spam.example"]);
    expect(second.next).toBeNull();
    expect(second.items[0]).toMatchObject({ kind: "actor" });
  });

  it("lifts a block by its id, once; the audit log has both", async () => {
    const list = (await (await api("/api/v1/collectives/gent/blocks?limit=100", owner)).json()) as { items: Json[] };
    const spam = list.items.find((b) => b.target === "spam.example");
    expect((await api(`/api/v1/collectives/gent/blocks/${String(spam?.id)}`, owner, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/v1/collectives/gent/blocks/${String(spam?.id)}`, owner, { method: "DELETE" })).status).toBe(404);
    expect((await relais.runtime.blocks.rules()).collectiveWithBlocks("gent")).toBeDefined();
    const audit = (await relais.runtime.em.fork().getConnection().execute(
      "select a.action, a.actor, a.subject, c.slug from audit_entry a left join collective c on c.id = a.collective_id where a.action like 'block.%' order by a.id",
    )) as Json[];
    expect(audit[0]).toEqual({ action: "block.add", actor: "bram@example.org", subject: "spam.example", slug: "gent" });
    expect(audit).toContainEqual({ action: "block.add", actor: "root@example.org", subject: "xn--bcher-kva.example", slug: null });
    expect(audit.at(-1)).toEqual({ action: "block.remove", actor: "bram@example.org", subject: "spam.example", slug: "gent" });
  });

  it("describes the routes in the OpenAPI document", async () => {
    const doc = (await (await fetch(relais.url("/api/v1/openapi.json"))).json()) as { paths: Json; components: { schemas: Json } };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/blocks", "/api/v1/blocks/{id}", "/api/v1/collectives/{slug}/blocks", "/api/v1/collectives/{slug}/blocks/{id}"]),
    );
    expect(doc.components.schemas).toHaveProperty("Block.properties.target");
    expect(doc.components.schemas).toHaveProperty("BlockInput.required", ["target"]);
  });
});
