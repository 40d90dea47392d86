// Security headers on every kind of response: HTML pages, AS2 documents served by Fedify and by our
// routes, iCal feeds, the JSON API, errors, 404s and inbox answers (Fedify's and the precheck's).
// HSTS only when the public origin is https. Pages carry no inline script, style or event handler.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";

function expectSecurityHeaders(res: Response, what: string, https = false): void {
  const h = res.headers;
  const csp = h.get("content-security-policy") ?? "";
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).toContain("default-src 'none'");
  expect(csp, what).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(h.get("x-content-type-options"), what).toBe("nosniff");
  expect(h.get("referrer-policy"), what).toBe("no-referrer");
  expect(h.get("x-frame-options"), what).toBe("DENY");
  if (https) expect(h.get("strict-transport-security"), what).toMatch(/^max-age=\d{7,}/);
  else expect(h.get("strict-transport-security"), what).toBeNull();
}

const as2 = { accept: "application/activity+json" };
const htmlAccept = { accept: "text/html" };

describe("security headers on every response", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  let token: string;
  let eventUrl: URL;
  let goneUrl: URL;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "carla" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    const editor = await createEditor(relais.runtime, "lyon", "ana@example.org");
    token = editor.token;
    const { events } = relais.runtime;
    const event = { startsAt: "2030-03-09T14:00", onlineUrl: "https://meet.example/a", published: true };
    eventUrl = (await events.create(editor.principal, "lyon", { name: { fr: "Rassemblement" }, ...event })).event.apId;
    const gone = await events.create(editor.principal, "lyon", { name: { fr: "Annulé" }, ...event });
    await events.delete(editor.principal, gone.event.id);
    goneUrl = gone.event.apId;
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  const get = (path: string | URL, headers: Record<string, string> = {}) => fetch(relais.url(String(path)), { headers, redirect: "manual" });
  const api = (path: string, init: { method?: string; body?: string; auth?: boolean } = {}) =>
    fetch(relais.url(path), {
      method: init.method ?? "GET",
      headers: { ...(init.auth === false ? {} : { authorization: `Bearer ${token}` }), "content-type": "application/json" },
      body: init.body,
    });

  it("on HTML pages, which hold no inline script, style or handler", async () => {
    for (const path of ["/", "/@lyon", eventUrl.pathname, `${eventUrl.pathname}?lang=de`]) {
      const res = await get(path, htmlAccept);
      expect(res.status, path).toBe(200);
      expectSecurityHeaders(res, path);
      const text = await res.text();
      expect(text, path).not.toMatch(/<script|<style|\son[a-z]+\s*=|\sstyle\s*=/i);
      const sheet = /<link rel="stylesheet" href="([^"]+)"/.exec(text)?.[1];
      expect(sheet, path).toMatch(/^\/assets\/relais-[0-9a-f]+\.css$/);
      const css = await get(String(sheet));
      expect(css.status).toBe(200);
      expect(css.headers.get("content-type")).toMatch(/^text\/css/);
      expectSecurityHeaders(css, String(sheet));
    }
  });

  it("on AS2 documents, from Fedify and from the event routes", async () => {
    const cases: [string, Record<string, string>][] = [
      ["/@lyon", as2],
      ["/@lyon/outbox", as2],
      ["/@lyon/outbox?cursor=0", as2],
      ["/@lyon/followers", as2],
      [`/.well-known/webfinger?resource=acct:lyon@${relais.origin.host}`, {}],
      ["/.well-known/nodeinfo", {}],
      ["/nodeinfo/2.1", {}],
      [eventUrl.pathname, as2],
    ];
    for (const [path, headers] of cases) {
      const res = await get(path, headers);
      expect(res.status, path).toBe(200);
      expectSecurityHeaders(res, path);
    }
    const tombstone = await get(goneUrl.pathname, as2);
    expect(tombstone.status).toBe(410);
    expectSecurityHeaders(tombstone, "Tombstone");
  });

  it("on iCal feeds, their 304s and their errors", async () => {
    const feed = await get("/@lyon/events.ics");
    expect(feed.status).toBe(200);
    expectSecurityHeaders(feed, "feed");
    const etag = feed.headers.get("etag") ?? "";
    const again = await get("/@lyon/events.ics", { "if-none-match": etag });
    expect(again.status).toBe(304);
    expectSecurityHeaders(again, "304");
    for (const path of ["/events.ics", `${eventUrl.pathname}.ics`]) expectSecurityHeaders(await get(path), path);
    const missing = await get("/@nowhere/events.ics");
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing, "missing feed");
  });

  it("on the JSON API, its errors and the OpenAPI document", async () => {
    const cases: [string, Response, number][] = [
      ["openapi", await api("/api/v1/openapi.json", { auth: false }), 200],
      ["list", await api("/api/v1/collectives/lyon/events"), 200],
      ["no token", await api("/api/v1/collectives/lyon/events", { auth: false }), 401],
      ["invalid", await api("/api/v1/collectives/lyon/events", { method: "POST", body: JSON.stringify({ name: 3 }) }), 422],
      ["bad JSON", await api("/api/v1/collectives/lyon/events", { method: "POST", body: "{" }), 400],
      ["unknown route", await api("/api/v1/nothing"), 404],
    ];
    for (const [what, res, status] of cases) {
      expect(res.status, what).toBe(status);
      expectSecurityHeaders(res, what);
    }
  });

  it("on error pages and health checks", async () => {
    const cases: [string, Response, number][] = [
      ["404 page", await get("/nowhere/x", htmlAccept), 404],
      ["410 page", await get(goneUrl.pathname, htmlAccept), 410],
      ["healthz", await get("/healthz"), 200],
      ["readyz", await get("/readyz"), 200],
    ];
    for (const [what, res, status] of cases) {
      expect(res.status, what).toBe(status);
      expectSecurityHeaders(res, what);
    }
  });

  it("on inbox answers: accepted, unsigned, refused by the precheck, too large", async () => {
    const inbox = relais.url("/@lyon/inbox");
    const follow = await peer.follow(relais.url("/@lyon"));
    expect(follow.response.status).toBe(202);
    expectSecurityHeaders(follow.response, "accepted Follow");
    const unsigned = await peer.sendSigned(inbox, { ...follow.activity, id: `${peer.origin.origin}/x` }, { unsigned: true });
    expect(unsigned.status).toBe(401);
    expectSecurityHeaders(unsigned, "unsigned");
    const foreign = await peer.sendSigned(inbox, { ...follow.activity, id: "https://elsewhere.example/follow" });
    expect(foreign.status).toBe(400);
    expectSecurityHeaders(foreign, "foreign id");
    const large = await fetch(inbox, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: "x".repeat(relais.runtime.config.maxInboxBodyBytes + 1),
    });
    expect(large.status).toBe(413);
    expectSecurityHeaders(large, "too large");
  });
});

describe("HSTS when the public origin is https", () => {
  let relais: RelaisInstance;
  let base: string;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false, env: { RELAIS_ORIGIN: "https://relais.example" } });
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    // The origin is the public one behind a TLS proxy; the test talks to the server itself.
    base = `http://127.0.0.1:${(relais.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("sends Strict-Transport-Security and upgrade-insecure-requests on every kind of response", async () => {
    const cases: [string, RequestInit][] = [
      ["/", { headers: htmlAccept }],
      ["/@gent", { headers: as2 }],
      ["/@gent/events.ics", {}],
      ["/api/v1/collectives/gent/events", {}],
      ["/nowhere", { headers: htmlAccept }],
      ["/@gent/inbox", { method: "POST", headers: { "content-type": "application/activity+json" }, body: "{}" }],
    ];
    for (const [path, init] of cases) {
      const res = await fetch(base + path, init);
      expectSecurityHeaders(res, path, true);
      expect(res.headers.get("content-security-policy"), path).toContain("upgrade-insecure-requests");
    }
  });
});
