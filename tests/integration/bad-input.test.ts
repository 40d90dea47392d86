// Bad input on every path (issue 13, defect 5): a NUL character, a lone surrogate, 10,000 nested `[`,
// a `@context` that answers 404 or never answers. Each gets a 4xx with a message naming the problem, in
// bounded time; nothing is stored; the inbox logs one line per refusal and never a body above debug.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { captureLogs, type LogCapture } from "../support/log-capture.ts";
import { ACTIVITY_STREAMS, type JsonObject, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const MARKER = "body-marker-7f3a";

describe("bad input", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  let logs: LogCapture;
  let token: string;
  let contexts: Server;
  let contextOrigin: string;

  beforeAll(async () => {
    logs = await captureLogs("info");
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "ana" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    token = (await createEditor(relais.runtime, "lyon", "ana@example.org")).token;
    // A server of JSON-LD contexts that answers 404, or never.
    contexts = createServer((req, res) => {
      if (req.url === "/never") return;
      res.writeHead(404).end();
    });
    contexts.listen(0, "127.0.0.3");
    await once(contexts, "listening");
    contextOrigin = `http://127.0.0.3:${(contexts.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    contexts?.closeAllConnections();
    contexts?.close();
    await peer?.close();
    await relais?.close();
    await logs?.close();
  });

  async function count(table: string): Promise<number> {
    const rows = (await relais.runtime.orm.em.getConnection().execute(`select count(*)::int as n from ${table}`)) as { n: number }[];
    return rows[0]?.n ?? -1;
  }

  describe("through the API", () => {
    const event = { name: { fr: "Rassemblement" }, startsAt: "2030-03-09T14:00:00+01:00", location: { name: "CAF", locality: "Lyon", country: "FR" } };
    const post = (body: string) =>
      fetch(relais.url("/api/v1/collectives/lyon/events"), {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });

    it.each([
      ["a NUL in the description", JSON.stringify({ ...event, description: { fr: "a\u0000b" } }), "description.fr contains a NUL character"],
      ["a NUL in the name", JSON.stringify({ ...event, name: { fr: "a\u0000b" } }), "name.fr contains a NUL character"],
      ["a lone surrogate", JSON.stringify({ ...event, summary: { fr: "a\ud800b" } }), "summary.fr contains a lone UTF-16 surrogate"],
      ["10,000 nested [", `{"name":${"[".repeat(10_000)}${"]".repeat(10_000)}}`, "is nested deeper than 64 levels"],
    ])("answers 400 to %s, naming the field, and stores nothing", async (_what, body, message) => {
      const before = await count("event");
      const response = await post(body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { error: string; message: string };
      expect(answer.error).toBe("unstorable");
      expect(answer.message).toContain(message);
      expect(await count("event")).toBe(before);
    });

    it.each(["/api/v1/events/%00", "/@%00", "/@lyon/events.ics?tag=a%00b", "/events/%00.ics"])("answers 400 to a NUL in the URL %s", async (path) => {
      const response = await fetch(relais.url(path), { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("NUL character");
    });
  });

  describe("through the inbox, signed", () => {
    const inbox = () => relais.url("/@lyon/inbox");
    const follow = (extra: JsonObject = {}) => ({
      "@context": ACTIVITY_STREAMS,
      id: peer.newId("follows").href,
      type: "Follow",
      actor: peer.actorId.href,
      object: relais.url("/@lyon").href,
      summary: MARKER,
      ...extra,
    });

    it.each([
      ["a NUL", () => follow({ content: "a\u0000b" }), "unstorable", "content contains a NUL character"],
      ["10,000 nested [", () => follow({ tag: "DEEP" }), "unstorable", "nested deeper than 64 levels"],
      ["a @context that answers 404", () => follow({ "@context": [ACTIVITY_STREAMS, `${contextOrigin}/missing`] }), "context_unavailable", "/missing could not be loaded"],
      ["a @context that never answers", () => follow({ "@context": [ACTIVITY_STREAMS, `${contextOrigin}/never`] }), "context_unavailable", "/never did not load within 5 s"],
    ])("answers 400 to %s, stores nothing, logs one line without the body", async (_what, build, code, message) => {
      const before = await Promise.all([count("follower"), count("remote_actor")]);
      logs.clear();
      // JSON.stringify cannot write 10,000 levels: the nesting goes into the text itself.
      const text = JSON.stringify(build()).replace('"DEEP"', `${"[".repeat(10_000)}${"]".repeat(10_000)}`);
      const response = await peer.sendSigned(inbox(), {}, { rawBody: text });
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { error: string; message: string };
      expect(answer).toEqual({ error: code, message: expect.stringContaining(message) });
      expect(await Promise.all([count("follower"), count("remote_actor")])).toEqual(before);
      const lines = logs.lines.filter((l) => l.level !== "debug");
      expect(lines.map((l) => l.text)).toEqual([`inbox POST /@lyon/inbox refused: 400 ${code}`]);
      expect(logs.lines.some((l) => JSON.stringify(l.record.properties).includes(MARKER))).toBe(false);
    });
  });
});
