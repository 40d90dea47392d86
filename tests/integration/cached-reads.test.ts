// Federated reads served from the read cache (ADR 0022), over real HTTP: every write that changes a
// document shows on the very next request, a 304 never hides a change, a deletion answers 410 at once,
// browsers never get a cached AS2 body (nor servers an HTML page), instance-wide blocks apply to cached
// documents, and web processes sharing the cache through Redis invalidate each other.
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { appFor } from "../../src/web/routers.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { testRedisUrl } from "../support/services.ts";
import { WebClient } from "../support/web-client.ts";

const as2 = { accept: "application/activity+json" };
const browser = { accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8" };
const password = "correct horse battery";

const get = (url: URL | string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: "manual" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GETs until the answer carries a Last-Modified (it is left out until its second is past). */
async function dated(url: URL, headers: Record<string, string>): Promise<Response> {
  for (let i = 0; i < 30; i++) {
    const res = await get(url, headers);
    if (res.headers.get("last-modified")) return res;
    await res.arrayBuffer();
    await sleep(200);
  }
  throw new Error(`${url.href} never sent a Last-Modified`);
}

function api(relais: { url(path: string): URL }, token: string) {
  return (method: string, path: string, body?: unknown) =>
    fetch(relais.url(path), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : null,
    });
}

const eventBody = {
  name: { fr: "Rassemblement au CPAS" },
  startsAt: "2030-05-04T14:00",
  timezone: "Europe/Brussels",
  location: { name: "CPAS", locality: "Namur", country: "BE" },
  published: true,
};

describe("cached federated reads (memory)", () => {
  let relais: RelaisInstance;
  let call: ReturnType<typeof api>;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    await relais.runtime.collectives.create({ slug: "namur", name: { fr: "Collectif de Namur" }, primaryLanguage: "fr" });
    const { token } = await createEditor(relais.runtime, "namur", "lea@example.org", "owner");
    call = api(relais, token);
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("shows an event's edit on the very next request; its old ETag and date get the new document, the current ones a 304", async () => {
    const created = await call("POST", "/api/v1/collectives/namur/events", eventBody);
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    const url = relais.url(`/events/${id}`);

    const first = await dated(url, as2);
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag") as string;
    const lastModified = first.headers.get("last-modified") as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect((await first.json()).name).toBe("Rassemblement au CPAS");
    // Served from the cache: the same bytes, the same validators, and a 304 for the client that has them.
    const again = await get(url, as2);
    expect(again.headers.get("etag")).toBe(etag);
    expect((await get(url, { ...as2, "if-none-match": etag })).status).toBe(304);
    expect((await get(url, { ...as2, "if-modified-since": lastModified })).status).toBe(304);

    // Two edits within the same second: each shows at once, and neither old validator hides it.
    for (const name of ["Rassemblement devant le CPAS", "Rassemblement place d'Armes"]) {
      expect((await call("PATCH", `/api/v1/events/${id}`, { name: { fr: name } })).status).toBe(200);
      const byTag = await get(url, { ...as2, "if-none-match": etag });
      expect(byTag.status).toBe(200);
      expect((await byTag.json()).name).toBe(name);
      const byDate = await get(url, { ...as2, "if-modified-since": lastModified });
      expect(byDate.status).toBe(200);
      expect((await byDate.json()).name).toBe(name);
      expect(byTag.headers.get("etag")).not.toBe(etag);
    }
    const latest = await dated(url, as2);
    expect(new Date(latest.headers.get("last-modified") as string).getTime()).toBeGreaterThan(new Date(lastModified).getTime());
    expect((await get(url, { ...as2, "if-modified-since": latest.headers.get("last-modified") as string })).status).toBe(304);
  });

  it("answers 410 with a Tombstone right after a deletion, for the event and its Note, even when both were cached", async () => {
    const created = await call("POST", "/api/v1/collectives/namur/events", { ...eventBody, name: { fr: "Assemblée" } });
    const id = ((await created.json()) as { id: string }).id;
    const urls = [relais.url(`/events/${id}`), relais.url(`/events/${id}/note`)];
    const etags: string[] = [];
    for (const url of urls) {
      const res = await get(url, as2);
      expect(res.status).toBe(200);
      etags.push(res.headers.get("etag") as string);
      await res.arrayBuffer();
      expect((await get(url, as2)).status).toBe(200);
    }
    expect((await call("DELETE", `/api/v1/events/${id}`)).status).toBe(204);
    for (const [i, url] of urls.entries()) {
      const gone = await get(url, { ...as2, "if-none-match": etags[i] as string });
      expect(gone.status, url.href).toBe(410);
      expect(await gone.json()).toMatchObject({ type: "Tombstone" });
      expect(gone.headers.get("etag")).toBeNull();
    }
    // Browsers still get the page (410), not the Tombstone.
    const page = await get(urls[0] as URL, browser);
    expect(page.status).toBe(410);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("never serves a cached AS2 body to a browser, nor the page to a server, whichever was asked first", async () => {
    const created = await call("POST", "/api/v1/collectives/namur/events", { ...eventBody, name: { fr: "Ciné-débat" } });
    const id = ((await created.json()) as { id: string }).id;
    for (const url of [relais.url("/@namur"), relais.url(`/events/${id}`)]) {
      for (const order of [
        [as2, browser, as2, browser],
        [browser, as2, browser, as2],
      ]) {
        for (const headers of order) {
          const res = await get(url, headers);
          expect(res.status, `${url.pathname} ${headers.accept}`).toBe(200);
          expect(res.headers.get("vary"), url.pathname).toMatch(/Accept/i);
          if (headers === as2) {
            expect(res.headers.get("content-type")).toMatch(/^application\/(activity|ld)\+json/);
            expect(res.headers.get("etag")).not.toBeNull();
            await res.json();
          } else {
            expect(res.headers.get("content-type")).toMatch(/^text\/html/);
            expect(await res.text()).toMatch(/<html/i);
          }
        }
      }
    }
    // The actor follows Fedify's own negotiation: application/json gets JSON-LD, */* and no Accept the page.
    expect((await get(relais.url("/@namur"), { accept: "application/json" })).headers.get("content-type")).toMatch(/json/);
    expect((await get(relais.url("/@namur"), { accept: "*/*" })).headers.get("content-type")).toMatch(/^text\/html/);
    expect((await get(relais.url("/@namur"))).headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("shows a collective's new name and avatar setting in its actor document at once", async () => {
    const url = relais.url("/@namur");
    const before = await get(url, as2);
    const etag = before.headers.get("etag") as string;
    expect((await before.json()).name).toBe("Collectif de Namur");
    expect((await get(url, { ...as2, "if-none-match": etag })).status).toBe(304);

    const owner = new WebClient(relais.origin);
    await owner.login("lea@example.org", password);
    await owner.get("/manage/@namur/settings");
    const form = { languages: "fr,de,nl,en", primaryLanguage: "fr", "name.fr": "Collectif namurois", "name.de": "", "name.nl": "", "name.en": "", "summary.fr": "", "summary.de": "", "summary.nl": "", "summary.en": "", manual: "1" };
    // Kept again right before the change (memory entries are also re-rendered after a second).
    expect((await get(url, { ...as2, "if-none-match": etag })).status).toBe(304);
    const saved = await owner.postMultipart("/manage/@namur/settings", form, null);
    expect(saved.status).toBe(303);

    const after = await get(url, { ...as2, "if-none-match": etag });
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ name: "Collectif namurois", manuallyApprovesFollowers: true });
  });

  it("refuses signed fetches from a server blocked instance-wide, cached documents included; others still get them", async () => {
    const created = await call("POST", "/api/v1/collectives/namur/events", { ...eventBody, name: { fr: "Piquet de grève" } });
    const id = ((await created.json()) as { id: string }).id;
    const targets = [
      relais.url(`/events/${id}`),
      relais.url(`/events/${id}/note`),
      relais.url(`/.well-known/webfinger?resource=${encodeURIComponent(`acct:namur@${relais.origin.host}`)}`),
      relais.url("/nodeinfo/2.1"),
    ];
    const signedBy = (host: string) => ({ ...as2, signature: `keyId="https://${host}/users/troll#main-key",algorithm="rsa-sha256",headers="(request-target) host date",signature="AAAA"` });
    for (const url of targets) {
      for (let i = 0; i < 2; i++) expect((await get(url, signedBy("spam.example"))).status, url.href).toBe(200);
    }
    await relais.runtime.blocks.add("cli", "instance", "spam.example");
    for (const url of targets) {
      const refused = await get(url, signedBy("spam.example"));
      expect(refused.status, url.href).toBe(403);
      expect(await refused.json()).toMatchObject({ error: "blocked" });
      expect((await get(url, signedBy("friendly.example"))).status, url.href).toBe(200);
      expect((await get(url, as2)).status, url.href).toBe(200);
    }
    // Actors stay readable: the blocked server verifies the block's Reject and Undo with their keys.
    expect((await get(relais.url("/@namur"), signedBy("spam.example"))).status).toBe(200);
    await relais.runtime.blocks.remove("cli", "instance", "spam.example");
  });

  it("counts a new collective in NodeInfo and finds it by WebFinger at once", async () => {
    const nodeInfo = async () => ((await (await get(relais.url("/nodeinfo/2.1"))).json()) as { usage: { users: { total: number } } }).usage.users.total;
    const webfinger = relais.url(`/.well-known/webfinger?resource=${encodeURIComponent(`acct:dinant@${relais.origin.host}`)}`);
    const before = await nodeInfo();
    expect(await nodeInfo()).toBe(before);
    expect((await get(webfinger)).status).toBe(404);
    await relais.runtime.collectives.create({ slug: "dinant", name: { fr: "Dinant solidaire" }, primaryLanguage: "fr" });
    expect(await nodeInfo()).toBe(before + 1);
    const found = await get(webfinger);
    expect(found.status).toBe(200);
    expect(found.headers.get("etag")).not.toBeNull();
    expect(await found.json()).toMatchObject({ subject: `acct:dinant@${relais.origin.host}` });
  });
});

describe("cached federated reads shared through Redis by two web processes", () => {
  let relais: RelaisInstance;
  let second: { runtime: Runtime; server: Server; url(path: string): URL };
  let callA: ReturnType<typeof api>;

  beforeAll(async () => {
    relais = await startRelaisInstance({ redis: true });
    // A second web process over the same database and Redis, behind the same public origin.
    const config = loadConfig(
      {
        RELAIS_ORIGIN: relais.origin.href,
        DATABASE_URL: relais.runtime.config.databaseUrl as string,
        REDIS_URL: testRedisUrl,
        RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
        RELAIS_MEDIA_DIR: relais.mediaDir,
      },
      [{ port: 0, dataDir: "./data", maxInboxBodyBytes: 1048576 }],
    );
    const runtime = await createRuntime(config, "web", { migrations: "skip", queueName: relais.queueName });
    const server = createServer(appFor(runtime));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as AddressInfo).port;
    second = { runtime, server, url: (path) => new URL(path, `http://127.0.0.1:${port}`) };
    await relais.runtime.collectives.create({ slug: "liege", name: { fr: "Collectif de Liège" }, primaryLanguage: "fr" });
    const { token } = await createEditor(relais.runtime, "liege", "noe@example.org", "owner");
    callA = api(relais, token);
  });
  afterAll(async () => {
    if (second) {
      second.server.closeAllConnections();
      await new Promise((r) => second.server.close(r));
      await second.runtime.close();
    }
    await relais?.close();
  });

  it("an edit through one process is what the other serves next, and a deletion its 410", async () => {
    const created = await callA("POST", "/api/v1/collectives/liege/events", { ...eventBody, name: { fr: "Manifestation" } });
    const id = ((await created.json()) as { id: string }).id;
    const onA = relais.url(`/events/${id}`);
    const onB = second.url(`/events/${id}`);

    const fromB = await get(onB, as2);
    expect((await fromB.json()).name).toBe("Manifestation");
    const etag = fromB.headers.get("etag") as string;
    // Rendered once: the other process serves the same bytes and tag from the shared cache.
    expect((await get(onA, as2)).headers.get("etag")).toBe(etag);
    expect((await get(onB, { ...as2, "if-none-match": etag })).status).toBe(304);

    expect((await callA("PATCH", `/api/v1/events/${id}`, { name: { fr: "Grande manifestation" } })).status).toBe(200);
    const afterEdit = await get(onB, { ...as2, "if-none-match": etag });
    expect(afterEdit.status).toBe(200);
    expect((await afterEdit.json()).name).toBe("Grande manifestation");

    // And the other way round: written through B, read through A.
    const { token } = await createEditor(second.runtime, "liege", "sam@example.org", "editor");
    const callB = api(second, token);
    expect((await get(onA, as2)).status).toBe(200);
    expect((await callB("PATCH", `/api/v1/events/${id}`, { name: { fr: "Manifestation nationale" } })).status).toBe(200);
    expect((await (await get(onA, as2)).json()).name).toBe("Manifestation nationale");

    expect((await callB("DELETE", `/api/v1/events/${id}`)).status).toBe(204);
    expect((await get(onA, as2)).status).toBe(410);
    expect((await get(onB, as2)).status).toBe(410);
  });

  it("an API list kept by one process: an event edited through the other is in its next answer, never a 304", async () => {
    const created = await callA("POST", "/api/v1/collectives/liege/events", { ...eventBody, name: { fr: "Piquet" } });
    const id = ((await created.json()) as { id: string }).id;
    const { token } = await createEditor(second.runtime, "liege", "lou@example.org", "editor");
    const listOnB = () => api(second, token)("GET", "/api/v1/collectives/liege/events");
    const first = await listOnB();
    const etag = first.headers.get("etag") as string;
    expect(await first.text()).toContain("Piquet");
    // Kept: the same request again (its token kept too, so answered in front of the bridge) is a 304.
    const again = await fetch(second.url("/api/v1/collectives/liege/events"), { headers: { authorization: `Bearer ${token}`, "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await callA("PATCH", `/api/v1/events/${id}`, { name: { fr: "Piquet de grève" } })).status).toBe(200);
    const afterEdit = await fetch(second.url("/api/v1/collectives/liege/events"), { headers: { authorization: `Bearer ${token}`, "if-none-match": etag } });
    expect(afterEdit.status).toBe(200);
    expect(await afterEdit.text()).toContain("Piquet de grève");
    expect((await listOnB()).headers.get("etag")).not.toBe(etag);
  });

  it("a collective's new name through one process is in the actor document the other serves", async () => {
    const before = await get(second.url("/@liege"), as2);
    expect((await before.json()).name).toBe("Collectif de Liège");
    const owner = new WebClient(relais.origin);
    await owner.login("noe@example.org", password);
    await owner.get("/manage/@liege/settings");
    const form = { languages: "fr,de,nl,en", primaryLanguage: "fr", "name.fr": "Liège en lutte", "name.de": "", "name.nl": "", "name.en": "", "summary.fr": "", "summary.de": "", "summary.nl": "", "summary.en": "" };
    expect((await owner.postMultipart("/manage/@liege/settings", form, null)).status).toBe(303);
    expect((await (await get(second.url("/@liege"), as2)).json()).name).toBe("Liège en lutte");
  });
});
