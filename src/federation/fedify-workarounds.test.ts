// Contract tests of the workarounds in fedify-workarounds.ts: each fails the day Fedify behaves otherwise.
import { createFederation, generateCryptoKeyPair, InProcessMessageQueue, type KvKey, type KvStore, MemoryKvStore } from "@fedify/fedify";
import { Create, Endpoints, Follow, Note, Person } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlowPeer, startPlainPeer } from "../../tests/support/slow-peers.ts";
import { until } from "../../tests/support/wait.ts";
import { activityIdempotencePrefix, withoutActivityIdempotence } from "./fedify-workarounds.ts";

const ORIGIN = "https://relais.example";
const AS = "https://www.w3.org/ns/activitystreams";

/**
 * Delivers the Follow `activityId` twice, then another Follow, through a federation with an in-process
 * queue and `withIdempotency(() => null)` (signatures unchecked: only what Fedify remembers matters).
 * The queue handles one message at a time, in order: once the last Follow is handled, so are the two
 * before it. Returns the ids the listener saw.
 */
async function deliverTwiceThroughTheQueue(kv: KvStore, activityId: string): Promise<string[]> {
  const handled: string[] = [];
  const federation = createFederation<void>({ kv, queue: new InProcessMessageQueue(), skipSignatureVerification: true, manuallyStartQueue: true });
  federation.setActorDispatcher("/users/{identifier}", (ctx, identifier) =>
    identifier === "lyon" ? new Person({ id: ctx.getActorUri(identifier), inbox: ctx.getInboxUri(identifier) }) : null,
  );
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .withIdempotency(() => null)
    .on(Follow, (_ctx, follow) => {
      handled.push(follow.id?.href ?? "");
    });
  const stop = new AbortController();
  const running = federation.startQueue(undefined, { signal: stop.signal });
  const last = `${activityId}/last`;
  for (const id of [activityId, activityId, last]) {
    const follow = { "@context": AS, id, type: "Follow", actor: "https://remote.example/users/a", object: `${ORIGIN}/users/lyon` };
    const request = new Request(`${ORIGIN}/inbox`, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: JSON.stringify(follow),
    });
    expect((await federation.fetch(request, { contextData: undefined })).status).toBe(202);
  }
  await until("the last Follow to be handled", async () => handled.includes(last), 5_000);
  stop.abort();
  await running;
  return handled.filter((id) => id !== last);
}

async function keysUnder(kv: KvStore, prefix: KvKey): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of kv.list(prefix)) keys.push(entry.key.join(" "));
  return keys;
}

describe("Fedify workaround: no inbox idempotency records", () => {
  it("is still needed: Fedify 2.3.8 remembers a queued activity's id whatever the idempotency strategy", async () => {
    const kv = new MemoryKvStore();
    const id = "https://remote.example/follows/1";
    // Once this fails, Fedify honours withIdempotency on its queue and withoutActivityIdempotence can go.
    expect(await deliverTwiceThroughTheQueue(kv, id)).toEqual([id]);
    expect(await keysUnder(kv, activityIdempotencePrefix)).toContain(`${activityIdempotencePrefix.join(" ")} ${ORIGIN} ${id}`);
  });

  it("lets every delivery through and keeps no record, leaving other keys alone", async () => {
    const inner = new MemoryKvStore();
    const id = "https://remote.example/follows/2";
    expect(await deliverTwiceThroughTheQueue(withoutActivityIdempotence(inner), id)).toEqual([id, id]);
    expect(await keysUnder(inner, activityIdempotencePrefix)).toEqual([]);
    await withoutActivityIdempotence(inner).set(["_fedify", "publicKey", "k"], 1);
    expect(await inner.get(["_fedify", "publicKey", "k"])).toBe(1);
  });
});

let peer: SlowPeer;
beforeAll(async () => {
  peer = await startPlainPeer((req, res) => {
    const url = new URL(req.url ?? "/", peer.origin);
    const json = (body: unknown, type = "application/json") => {
      res.writeHead(200, { "content-type": type });
      res.end(JSON.stringify(body));
    };
    req.resume();
    if (req.method === "POST") {
      res.writeHead(202).end();
    } else if (url.pathname === "/.well-known/webfinger") {
      const resource = url.searchParams.get("resource") ?? "";
      const name = resource.replace(/^acct:/, "").split("@")[0];
      json({ subject: resource, links: [{ rel: "self", type: "application/activity+json", href: peer.url(`/users/${name}`).href }] });
    } else if (url.pathname === "/.well-known/nodeinfo") {
      json({ links: [{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: peer.url("/nodeinfo/2.1").href }] });
    } else if (url.pathname === "/nodeinfo/2.1") {
      json({ version: "2.1", software: { name: "peer", version: "1.0.0" }, protocols: ["activitypub"], services: { inbound: [], outbound: [] }, openRegistrations: false, usage: { users: {} }, metadata: {} });
    } else {
      json({ "@context": "https://www.w3.org/ns/activitystreams", id: url.href, type: "Person", inbox: peer.url("/inbox").href }, "application/activity+json");
    }
  });
});
afterAll(() => peer?.close());

/**
 * The requests made through `globalThis.fetch` while `run` runs; `answer` (when given) answers them
 * without any network, else they go on to the real fetch.
 */
async function throughGlobalFetch(run: () => Promise<unknown>, answer?: (url: URL) => Response): Promise<string[]> {
  const seen: string[] = [];
  const previous = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    seen.push(`${init?.method ?? (input instanceof Request ? input.method : "GET")} ${url.pathname}`);
    return answer ? answer(url) : previous(input, init);
  }) as typeof fetch;
  try {
    await run();
  } finally {
    globalThis.fetch = previous;
  }
  return seen;
}

describe("installOutboundFetch: every outbound request of Fedify goes through globalThis.fetch, read at call time", () => {
  const origin = new URL("http://relais.test");
  let keys: CryptoKeyPair;
  const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
  beforeAll(async () => {
    keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    federation
      .setActorDispatcher("/users/{identifier}", (ctx, identifier) => new Person({ id: ctx.getActorUri(identifier), inbox: new URL("/inbox", origin) }))
      .setKeyPairsDispatcher(() => [keys]);
  });
  const ctx = () => federation.createContext(origin, undefined);

  it("deliveries (sendActivity)", async () => {
    const activity = new Create({
      id: new URL("/users/me#create-1", origin),
      actor: new URL("/users/me", origin),
      object: new Note({ id: new URL("/notes/1", origin), content: "hello" }),
    });
    const recipient = { id: peer.url("/users/a"), inboxId: peer.url("/inbox"), endpoints: new Endpoints({}) };
    const seen = await throughGlobalFetch(() => ctx().sendActivity({ identifier: "me" }, recipient, activity, { immediate: true }));
    expect(seen).toContain("POST /inbox");
  });

  it("documents, keys and @context (the document loader), unsigned and signed", async () => {
    expect(await throughGlobalFetch(() => ctx().documentLoader(peer.url("/users/a").href))).toEqual(["GET /users/a"]);
    const signed = await ctx().getDocumentLoader({ identifier: "me" });
    expect(await throughGlobalFetch(() => signed(peer.url("/users/b").href))).toEqual(["GET /users/b"]);
    expect(await throughGlobalFetch(() => ctx().contextLoader(peer.url("/contexts/x").href))).toEqual(["GET /contexts/x"]);
  });

  it("WebFinger and NodeInfo", async () => {
    const acct = `acct:w@${peer.origin.host}`;
    expect(await throughGlobalFetch(() => ctx().lookupWebFinger(acct))).toEqual(["GET /.well-known/webfinger"]);
    // Fedify's NodeInfo client refuses private addresses whatever allowPrivateAddress says, so this one is
    // answered without a network, for a public address literal.
    const nodeInfo = (url: URL) =>
      Response.json(
        url.pathname === "/.well-known/nodeinfo"
          ? { links: [{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: new URL("/nodeinfo/2.1", url).href }] }
          : { version: "2.1", software: { name: "peer", version: "1.0.0" }, protocols: ["activitypub"], usage: { users: {} } },
      );
    const seen = await throughGlobalFetch(async () => expect(await ctx().lookupNodeInfo("https://93.184.215.14/")).toMatchObject({ software: { name: "peer" } }), nodeInfo);
    expect(seen).toEqual(["GET /.well-known/nodeinfo", "GET /nodeinfo/2.1"]);
  });
});
