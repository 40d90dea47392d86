// Contract tests of the moderation workarounds in fedify-workarounds.ts (nothing fetched from, nor
// delivered to, what is blocked): each fails the day Fedify behaves otherwise. A real loopback peer
// counts the requests that reach it.
import { createFederation, generateCryptoKeyPair, InProcessMessageQueue, MemoryKvStore } from "@fedify/fedify";
import { Create, Endpoints, Follow, Note, Person, Reject } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlowPeer, startPlainPeer } from "../../tests/support/slow-peers.ts";
import { until } from "../../tests/support/wait.ts";
import { BlockedFetchError, refuseBlockedFetches, withoutDeliveriesToBlocked } from "./fedify-workarounds.ts";

const origin = new URL("http://relais.test");

let blocked: SlowPeer;
let open: SlowPeer;
beforeAll(async () => {
  const serve = (peer: () => SlowPeer) => (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    req.resume();
    if (req.method === "POST") return void res.writeHead(202).end();
    const url = new URL(req.url ?? "/", peer().origin);
    res.writeHead(200, { "content-type": "application/activity+json" });
    res.end(JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams", id: url.href, type: "Person", inbox: new URL("/inbox", url).href }));
  };
  blocked = await startPlainPeer(serve(() => blocked), "127.0.0.51");
  open = await startPlainPeer(serve(() => open), "127.0.0.52");
});
afterAll(async () => {
  await blocked?.close();
  await open?.close();
});

const allows = async (url: URL) => url.hostname !== "127.0.0.51" && url.hostname !== "www.w3.org";

describe("refuseBlockedFetches", () => {
  it("is still needed: Fedify 2.3.8 refuses loader factories next to userAgent or allowPrivateAddress", () => {
    const loaderFactory = () => async (url: string) => ({ contextUrl: null, documentUrl: url, document: {} });
    expect(() => createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true, documentLoaderFactory: loaderFactory })).toThrow(
      /Cannot set documentLoaderFactory with allowPrivateAddress or userAgent/,
    );
  });

  it("refuses documents, keys (signed fetches) and @context documents of blocked servers without a request; others load", async () => {
    const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true, userAgent: { software: "Relais/test" } });
    federation.setActorDispatcher("/users/{identifier}", (ctx, id) => new Person({ id: ctx.getActorUri(id), inbox: new URL("/inbox", origin) })).setKeyPairsDispatcher(() => [keys]);
    refuseBlockedFetches(federation, allows);
    const ctx = federation.createContext(origin, undefined);
    const signed = await ctx.getDocumentLoader({ identifier: "me" });
    for (const [name, load] of Object.entries({ document: ctx.documentLoader, context: ctx.contextLoader, signed })) {
      await expect(load(blocked.url(`/${name}`).href)).rejects.toBeInstanceOf(BlockedFetchError);
      expect((await load(open.url(`/${name}`).href)).document).toMatchObject({ type: "Person" });
    }
    expect(blocked.requests).toEqual([]);
    expect(open.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /document", "GET /context", "GET /signed"]);
    // The contexts Fedify ships are never fetched, so they load whatever is blocked (www.w3.org here).
    expect((await ctx.contextLoader("https://www.w3.org/ns/activitystreams")).document).toHaveProperty("@context");
  });
});

describe("withoutDeliveriesToBlocked", () => {
  it("drops queued deliveries to blocked inboxes, lets a first Reject through, and delivers to the others", async () => {
    const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const queue = new InProcessMessageQueue({ pollInterval: { milliseconds: 50 } });
    const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true, queue: withoutDeliveriesToBlocked(queue, allows), manuallyStartQueue: true });
    federation.setActorDispatcher("/users/{identifier}", (ctx, id) => new Person({ id: ctx.getActorUri(id), inbox: new URL("/inbox", origin) })).setKeyPairsDispatcher(() => [keys]);
    const stop = new AbortController();
    const running = federation.startQueue(undefined, { signal: stop.signal });
    try {
      const ctx = federation.createContext(origin, undefined);
      const me = new URL("/users/me", origin);
      const to = (peer: SlowPeer) => ({ id: peer.url("/users/a"), inboxId: peer.url("/users/a/inbox"), endpoints: new Endpoints({}) });
      const create = (n: number) => new Create({ id: new URL(`/notes/${n}#create`, origin), actor: me, object: new Note({ id: new URL(`/notes/${n}`, origin), content: "hi" }) });
      const reject = new Reject({ id: new URL("/users/me#reject-1", origin), actor: me, object: new Follow({ id: blocked.url("/follows/1"), actor: blocked.url("/users/a"), object: me }) });
      await ctx.sendActivity({ identifier: "me" }, to(blocked), create(1));
      await ctx.sendActivity({ identifier: "me" }, to(blocked), reject);
      await ctx.sendActivity({ identifier: "me" }, to(open), create(2));
      await until("the delivery to the open server", async () => open.requests.some((r) => r.method === "POST"), 10_000);
      await until("the Reject to the blocked server", async () => blocked.requests.length > 0, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      // The Create never went; the Reject went once.
      expect(blocked.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /users/a/inbox"]);
    } finally {
      stop.abort();
      await running;
    }
  });
});
