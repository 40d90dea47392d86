import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createFederation, MemoryKvStore } from "@fedify/fedify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityReader, idOf, signatureKeyId } from "./activity-document.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const VICTIM = "https://victim.example/users/v#delete";
const MALLORY = "https://mallory.example/users/m";

// The federation's real context loader: preloaded contexts offline, others fetched over HTTP.
const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
const contextLoader = federation.createContext(new URL("https://relais.example"), undefined).contextLoader;
const read = activityReader(contextLoader, { timeoutMs: 1_000 });

let contextHost = "";
let server: http.Server;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/missing") return void res.writeHead(404).end();
    if (req.url === "/hang") return; // never answers
    if (req.url === "/aliasing") {
      return void res.writeHead(200, { "content-type": "application/ld+json" }).end(JSON.stringify({ "@context": { ident: "@id" } }));
    }
    res.writeHead(404).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  contextHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe("reading an inbox body the way Fedify will", () => {
  it.each([
    ["a plain id", { "@context": AS, id: VICTIM, type: "Delete", actor: MALLORY, object: MALLORY }],
    ["@id", { "@context": AS, "@id": VICTIM, type: "Delete", actor: MALLORY, object: MALLORY }],
    ["an inline alias of @id", { "@context": [AS, { ident: "@id" }], ident: VICTIM, type: "Delete", actor: MALLORY, object: MALLORY }],
    [
      "the expanded form",
      [{ "@id": VICTIM, "@type": [`${AS}#Delete`], [`${AS}#actor`]: [{ "@id": MALLORY }], [`${AS}#object`]: [{ "@id": MALLORY }] }],
    ],
    ["@graph", { "@context": AS, "@graph": [{ id: VICTIM, type: "Delete", actor: MALLORY, object: MALLORY }] }],
    ["@nest", { "@context": AS, "@nest": { id: VICTIM }, type: "Delete", actor: MALLORY, object: MALLORY }],
  ])("reads the id spelt as %s", async (_spelling, document) => {
    const reading = await read(body(document));
    expect(reading.ok && reading.activity).toEqual({ id: new URL(VICTIM), type: "Delete", actorIds: [new URL(MALLORY)], objectIds: [new URL(MALLORY)] });
  });

  it("reads an alias defined by a remote context as that context says", async () => {
    const reading = await read(body({ "@context": [AS, `${contextHost}/aliasing`], ident: VICTIM, type: "Follow", actor: MALLORY, object: MALLORY }));
    expect(reading.ok && reading.activity.id?.href).toBe(VICTIM);
  });

  it("does not read a compact IRI key as a link, as JSON-LD does not", async () => {
    const reading = await read(body({ "@context": AS, id: `${MALLORY}#1`, type: "Follow", "as:actor": "https://victim.example/users/v", object: MALLORY }));
    expect(reading.ok && reading.activity.actorIds).toEqual([]);
  });

  it.each([
    ["both id and @id", { "@context": AS, id: `${MALLORY}#1`, "@id": VICTIM, type: "Delete", actor: MALLORY }, "invalid_activity"],
    ["an id that is a list", { "@context": AS, id: [VICTIM], type: "Delete", actor: MALLORY }, "invalid_activity"],
    ["a NUL character", { "@context": AS, id: `${MALLORY}#1`, type: "Follow", actor: MALLORY, summary: "a\u0000b" }, "unstorable"],
    ["a lone surrogate", { "@context": AS, id: `${MALLORY}#1`, type: "Follow", actor: MALLORY, summary: "a\ud800b" }, "unstorable"],
  ])("refuses %s", async (_what, document, code) => {
    const reading = await read(body(document));
    expect(reading.ok ? "read" : reading.code).toBe(code);
  });

  it("refuses deep nesting before any recursive code sees it", async () => {
    const reading = await read(Buffer.from(`{"@context":"${AS}","type":"Follow","tag":${"[".repeat(10_000)}${"]".repeat(10_000)}}`));
    expect(reading).toMatchObject({ ok: false, code: "unstorable", message: expect.stringContaining("nested deeper than 64 levels") });
  });

  it("refuses what is not JSON", async () => {
    expect(await read(Buffer.from("{not json"))).toMatchObject({ ok: false, code: "invalid_json" });
  });

  it("refuses an activity whose @context answers 404, naming it", async () => {
    const url = `${contextHost}/missing`;
    const reading = await read(body({ "@context": [AS, url], id: `${MALLORY}#1`, type: "Follow", actor: MALLORY, object: MALLORY }));
    expect(reading).toMatchObject({ ok: false, code: "context_unavailable", message: expect.stringContaining(url) });
  });

  it("refuses an activity whose @context never answers, within the deadline", async () => {
    const url = `${contextHost}/hang`;
    const reading = await read(body({ "@context": [AS, url], id: `${MALLORY}#1`, type: "Follow", actor: MALLORY, object: MALLORY }));
    expect(reading).toMatchObject({ ok: false, code: "context_unavailable", message: `its @context ${url} did not load within 1 s` });
  });
});

describe("raw helpers", () => {
  it("reads an id from a string, `id` or `@id`, and nothing from both", () => {
    expect([idOf("a"), idOf({ id: "b" }), idOf({ "@id": "c" }), idOf({ id: "d", "@id": "e" }), idOf(["f"])]).toEqual(["a", "b", "c", undefined, undefined]);
  });

  it("finds the keyId of either signature header", () => {
    const cavage = new Headers({ signature: 'keyId="https://a.example/k#1",algorithm="rsa-sha256",signature="x"' });
    const rfc9421 = new Headers({ "signature-input": 'sig1=("@method");keyid="https://b.example/k";alg="rsa-v1_5-sha256"' });
    expect([signatureKeyId(cavage)?.href, signatureKeyId(rfc9421)?.href, signatureKeyId(new Headers())]).toEqual([
      "https://a.example/k#1",
      "https://b.example/k",
      undefined,
    ]);
  });
});
