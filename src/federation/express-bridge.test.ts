import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  type ActorKeyPair,
  createFederation,
  type Federation,
  generateCryptoKeyPair,
  MemoryKvStore,
  signRequest,
} from "@fedify/fedify";
import { Create, Note, Person } from "@fedify/fedify/vocab";
import express, { type ErrorRequestHandler, type Express } from "express";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { federationMiddleware, keepRawBody, sendFetchResponse } from "./express-bridge.ts";

const ORIGIN = new URL("https://relais.example");
const AS2 = "application/activity+json";
const MAX_BODY = 64 * 1024;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Serves `handler` on 127.0.0.1 until the test ends; resolves to its origin. */
async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// RSA key generation is slow: one pair per role for the whole file.
let keyPairs: Promise<CryptoKeyPair[]> | undefined;
function testKeyPairs(): Promise<CryptoKeyPair[]> {
  keyPairs ??= Promise.all([generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), generateCryptoKeyPair("RSASSA-PKCS1-v1_5")]);
  return keyPairs;
}

/** Our instance: actor `alice` (and `boom`, whose dispatcher throws), an inbox recording Creates. */
async function createLocalFederation(received: string[]): Promise<Federation<void>> {
  const [keyPair] = await testKeyPairs(); // signs alice's fetches of remote keys
  const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
  federation
    .setActorDispatcher("/users/{identifier}", (ctx, identifier) => {
    if (identifier === "boom") throw new Error("dispatcher exploded");
    if (identifier !== "alice") return null;
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      inbox: ctx.getInboxUri(identifier),
    });
    })
    .setKeyPairsDispatcher(() => [keyPair!]);
  federation.setInboxListeners("/users/{identifier}/inbox", "/inbox").on(Create, (_ctx, create) => {
    received.push(`${create.id?.href} by ${create.actorId?.href}`);
  });
  return federation;
}

/** A remote instance on loopback serving actor `bob` with a public key, and bob's key pair. */
async function startRemote(): Promise<{ actor: URL; keyPair: ActorKeyPair }> {
  const [, keyPair] = await testKeyPairs();
  const remote = createFederation<void>({ kv: new MemoryKvStore() });
  remote
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== "bob") return null;
      const keys = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        inbox: ctx.getInboxUri(identifier),
        publicKey: keys[0]?.cryptographicKey ?? null,
      });
    })
    .setKeyPairsDispatcher(() => [keyPair!]);
  remote.setInboxListeners("/users/{identifier}/inbox");
  let app: Express | undefined;
  const origin = new URL(await listen((req, res) => app?.(req, res)));
  app = express();
  app.use(federationMiddleware(remote, { origin, contextData: () => undefined, maxBodyBytes: MAX_BODY }));
  const [bobKeys] = await remote.createContext(origin, undefined).getActorKeyPairs("bob");
  return { actor: new URL("/users/bob", origin), keyPair: bobKeys! };
}

/** Bob's signed Create for alice's inbox; its JSON is indented, so re-serialising it breaks the digest. */
async function signedCreate(remote: { actor: URL; keyPair: ActorKeyPair }, note: string) {
  const create = new Create({
    id: new URL(`${remote.actor.href}/creates/${note}`),
    actor: remote.actor,
    object: new Note({ id: new URL(`${remote.actor.href}/notes/${note}`), content: "Bonjour" }),
  });
  const body = JSON.stringify(await create.toJsonLd(), null, 2);
  const signed = await signRequest(
    new Request(new URL("/users/alice/inbox", ORIGIN), {
      method: "POST",
      headers: { "content-type": AS2, accept: AS2 },
      body,
    }),
    remote.keyPair.privateKey,
    remote.keyPair.keyId,
    { spec: "draft-cavage-http-signatures-12" },
  );
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => {
    if (name !== "host") headers[name] = value;
  });
  expect(headers["signature"]).toBeDefined();
  expect(headers["digest"]).toBeDefined();
  return { headers, body: Buffer.from(body), id: `${create.id?.href} by ${remote.actor.href}` };
}

/** Posts exact bytes (supertest would JSON-encode a Buffer sent as activity+json). */
async function postInbox(base: string, headers: Record<string, string>, body: Buffer) {
  const res = await fetch(`${base}/users/alice/inbox`, { method: "POST", headers, body: new Uint8Array(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith("{") ? JSON.parse(text) : text };
}

/** Writes `chunks` to the inbox and never ends the request: only an early answer can arrive. */
async function postWithoutEnding(base: string, headers: Record<string, string>, chunks: Buffer[]) {
  const req = http.request(new URL("/users/alice/inbox", base), { method: "POST", headers });
  req.on("error", () => {}); // the server closes the connection after answering
  const responded = once(req, "response") as Promise<[http.IncomingMessage]>;
  for (const chunk of chunks) req.write(chunk);
  const [res] = await responded;
  const body = Buffer.concat(await res.toArray()).toString();
  req.destroy();
  return { status: res.statusCode, connection: res.headers["connection"], body };
}

const renderError: ErrorRequestHandler = (err, _req, res, _next) => {
  res.status(err.status ?? 500).json({ code: err.code ?? "internal", message: String(err.message) });
};

/** An app like ours: a global JSON parser, the bridge, then HTML pages and an API route. */
function createApp(federation: Federation<void>, mountBefore: express.RequestHandler = express.json()): Express {
  const app = express();
  app.use(mountBefore);
  app.use(federationMiddleware(federation, { origin: ORIGIN, contextData: () => undefined, maxBodyBytes: MAX_BODY }));
  app.get("/users/:id", (req, res) => {
    res.type("html").send(`<h1>${req.params.id}</h1>`);
  });
  app.post("/api/echo", (req, res) => {
    res.json({ echoed: req.body });
  });
  app.use(renderError);
  return app;
}

describe("federationMiddleware", () => {
  it("builds URLs from the configured origin, whatever Host and X-Forwarded-* say", async () => {
    const base = await listen(createApp(await createLocalFederation([])));
    const res = await request(base)
      .get("/users/alice?x=1")
      .set("Host", "evil.example")
      .set("X-Forwarded-Host", "evil2.example")
      .set("X-Forwarded-Proto", "http")
      .set("Accept", AS2);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/activity\+json/);
    expect(res.headers["vary"]).toMatch(/Accept/);
    const actor = JSON.parse(res.text);
    expect(actor.id).toBe("https://relais.example/users/alice");
    expect(actor.inbox).toBe("https://relais.example/users/alice/inbox");
    // WebFinger compares the acct: host with the request URL's host: ours, not the Host header.
    const finger = await request(base).get("/.well-known/webfinger?resource=acct:alice@relais.example");
    expect(finger.status).toBe(200);
    expect(JSON.parse(finger.text).links).toContainEqual(
      expect.objectContaining({ rel: "self", href: "https://relais.example/users/alice" }),
    );
  });

  it("serves AS2 to servers and lets the HTML route answer browsers on the same URL", async () => {
    const base = await listen(createApp(await createLocalFederation([])));
    const html = await request(base).get("/users/alice").set("Accept", "text/html");
    expect(html.status).toBe(200);
    expect(html.headers["content-type"]).toMatch(/^text\/html/);
    expect(html.text).toBe("<h1>alice</h1>");
    const as2 = await request(base).get("/users/alice").set("Accept", AS2);
    expect(JSON.parse(as2.text).type).toBe("Person");
  });

  it("passes requests Fedify does not serve on, with their body unread", async () => {
    const base = await listen(createApp(await createLocalFederation([]), (_req, _res, next) => next()));
    const unknownActor = await request(base).get("/users/nobody").set("Accept", AS2);
    expect(unknownActor.text).toBe("<h1>nobody</h1>"); // onNotFound fell through to the page route
    const nowhere = await request(base).get("/nowhere").set("Accept", AS2);
    expect(nowhere.status).toBe(404);
    // express.json() runs *after* the bridge here: the bridge leaves the stream alone (not even
    // switched to flowing or paused), so the parser gets the whole body, even past a tiny cap.
    for (const maxBodyBytes of [4, MAX_BODY]) {
      const app = express();
      const untouched: boolean[] = [];
      app.use(federationMiddleware(await createLocalFederation([]), { origin: ORIGIN, contextData: () => undefined, maxBodyBytes }));
      app.use((req, _res, next) => {
        setImmediate(() => {
          untouched.push(req.readableFlowing === null && !req.readableDidRead && req.listenerCount("data") === 0);
          next();
        });
      });
      app.use(express.json());
      app.post("/api/echo", (req, res) => {
        res.json({ echoed: req.body });
      });
      const echo = await request(await listen(app)).post("/api/echo").send({ text: "longer than the federation cap" });
      expect(echo.status).toBe(200);
      expect(echo.body).toEqual({ echoed: { text: "longer than the federation cap" } });
      expect(untouched).toEqual([true]);
    }
  });

  it("hands errors from dispatchers and context data to Express's error handler", async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      const base = await listen(createApp(await createLocalFederation([])));
      const res = await request(base).get("/users/boom").set("Accept", AS2);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: "internal", message: "dispatcher exploded" });

      const app = express();
      app.use(
        federationMiddleware(await createLocalFederation([]), {
          origin: ORIGIN,
          contextData: async () => {
            throw new Error("no database");
          },
          maxBodyBytes: MAX_BODY,
        }),
      );
      app.use(renderError);
      const failing = await request(await listen(app)).get("/users/alice").set("Accept", AS2);
      expect(failing.body).toEqual({ code: "internal", message: "no database" });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rejections).toEqual([]);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });

  it("delivers a signed activity byte for byte with express.json() mounted before it", async () => {
    const received: string[] = [];
    const base = await listen(createApp(await createLocalFederation(received)));
    const activity = await signedCreate(await startRemote(), "a1");
    const res = await postInbox(base, activity.headers, activity.body);
    expect(res.status).toBe(202);
    expect(received).toEqual([activity.id]);
  });

  it("rejects a signed activity whose body was altered", async () => {
    const received: string[] = [];
    const base = await listen(createApp(await createLocalFederation(received)));
    const activity = await signedCreate(await startRemote(), "a2");
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(activity.body.toString())));
    const res = await postInbox(base, activity.headers, reserialised);
    expect(res.status).toBe(401);
    expect(received).toEqual([]);
  });

  it("uses the raw bytes kept by a parser that consumed an AS2 body first", async () => {
    const received: string[] = [];
    const parser = express.json({ type: ["application/json", AS2], verify: keepRawBody });
    const base = await listen(createApp(await createLocalFederation(received), parser));
    const activity = await signedCreate(await startRemote(), "a3");
    const res = await postInbox(base, activity.headers, activity.body);
    expect(res.status).toBe(202);
    expect(received).toEqual([activity.id]);
  });

  it("fails loudly when a parser consumed an AS2 body and kept no raw bytes", async () => {
    const received: string[] = [];
    const base = await listen(createApp(await createLocalFederation(received), express.json({ type: AS2 })));
    const activity = await signedCreate(await startRemote(), "a4");
    const res = await postInbox(base, activity.headers, activity.body);
    expect(res.status).toBe(500);
    expect(res.body.code).toBe("federation_body_consumed");
    expect(received).toEqual([]);
  });

  it("answers 413 from Content-Length alone, before reading the body", async () => {
    const received: string[] = [];
    const base = await listen(createApp(await createLocalFederation(received)));
    const activity = await signedCreate(await startRemote(), "a5");
    // Declares more than the cap but sends only a valid activity: only the header can trigger 413.
    const headers = { ...activity.headers, "content-length": String(MAX_BODY + 1) };
    const res = await postWithoutEnding(base, headers, [activity.body]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).code).toBe("payload_too_large");
    expect(res.connection).toBe("close");
    expect(received).toEqual([]);
  });

  it("answers 413 while a chunked body is still arriving, as soon as the cap is passed", async () => {
    const received: string[] = [];
    const base = await listen(createApp(await createLocalFederation(received)));
    const activity = await signedCreate(await startRemote(), "a6");
    const headers = { ...activity.headers, "transfer-encoding": "chunked" };
    const res = await postWithoutEnding(base, headers, [activity.body, Buffer.alloc(MAX_BODY, " ")]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).code).toBe("payload_too_large");
    expect(res.connection).toBe("close");
    expect(received).toEqual([]);
  });
});

describe("sendFetchResponse", () => {
  it("copies status, every header and the streamed body onto Express's response", async () => {
    const app = express();
    app.get("/", (_req, res, next) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("{\"part\":"));
          controller.enqueue(new TextEncoder().encode("1}"));
          controller.close();
        },
      });
      const headers = new Headers({ "content-type": AS2, vary: "Accept", link: '<https://x.example/a>; rel="alternate"' });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      sendFetchResponse(res, new Response(body, { status: 201, headers })).catch(next);
    });
    const res = await request(await listen(app)).get("/");
    expect(res.status).toBe(201);
    expect(res.text).toBe('{"part":1}');
    expect(res.headers["content-type"]).toBe(AS2);
    expect(res.headers["vary"]).toBe("Accept");
    expect(res.headers["link"]).toBe('<https://x.example/a>; rel="alternate"');
    expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
  });
});
