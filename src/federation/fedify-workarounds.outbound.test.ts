// Contract tests of the outbound workarounds in fedify-workarounds.ts (the process-wide fetch, one
// knock, prebuilt activities): each fails the day Fedify behaves otherwise.
import {
  createFederation,
  detachSignature,
  generateCryptoKeyPair,
  type KvKey,
  type KvStore,
  MemoryKvStore,
  verifyJsonLd,
  verifyObject,
} from "@fedify/fedify";
import { Create, Endpoints, Note, Person } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlowPeer, startPlainPeer } from "../../tests/support/slow-peers.ts";
import {
  dataIntegrityContext,
  installOutboundFetch,
  prebuiltActivity,
  signatureSpecPrefix,
  withTrustedSignatureSpecs,
} from "./fedify-workarounds.ts";

const AS = "https://www.w3.org/ns/activitystreams";

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

describe("one knock where one is enough (installOutboundFetch and withTrustedSignatureSpecs)", () => {
  const platformFetch = globalThis.fetch;
  const limits = { connectTimeoutMs: 2000, headersTimeoutMs: 5000, responseTimeoutMs: 5000, maxResponseBytes: 1 << 20, connectionsPerOrigin: 4 };
  const origin = new URL("http://relais.test");
  let keys: CryptoKeyPair;
  let gancioLike: SlowPeer;
  let rfc9421Only: SlowPeer;
  const knocks = new Map<SlowPeer, string[]>();
  /** Answers a POST by its signature: `cavage` for a draft-cavage one, `rfc9421` for an RFC 9421 one. */
  const peerAnswering = async (cavage: number, rfc9421: number) => {
    const seen: string[] = [];
    const p = await startPlainPeer((req, res) => {
      req.resume();
      const scheme = req.headers["signature-input"] ? "rfc9421" : "draft-cavage";
      seen.push(scheme);
      res.writeHead(scheme === "rfc9421" ? rfc9421 : cavage).end(`${scheme} answered`);
    });
    knocks.set(p, seen);
    return p;
  };
  beforeAll(async () => {
    keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    // Gancio 1.21: 404 to activities it does not handle, 500 to any RFC 9421 signature.
    gancioLike = await peerAnswering(404, 500);
    rfc9421Only = await peerAnswering(401, 202);
  });
  afterAll(async () => {
    globalThis.fetch = platformFetch;
    await Promise.all([gancioLike, rfc9421Only].map((p) => p?.close()));
  });

  function federationWith(kv: KvStore) {
    const federation = createFederation<void>({ kv, allowPrivateAddress: true, firstKnock: "draft-cavage-http-signatures-12" });
    federation
      .setActorDispatcher("/users/{identifier}", (ctx, identifier) => new Person({ id: ctx.getActorUri(identifier), inbox: new URL("/inbox", origin) }))
      .setKeyPairsDispatcher(() => [keys]);
    return federation;
  }
  /** Sends one Note to `peer`'s inbox; resolves with the status it failed with, or 202. */
  async function send(kv: KvStore, peer: SlowPeer, n: number): Promise<number> {
    const ctx = federationWith(kv).createContext(origin, undefined);
    const activity = new Create({ id: new URL(`/users/me#create-${n}`, origin), actor: new URL("/users/me", origin), object: new Note({ content: "x" }) });
    const recipient = { id: peer.url("/users/a"), inboxId: peer.url("/inbox"), endpoints: null };
    try {
      await ctx.sendActivity({ identifier: "me" }, recipient, activity, { immediate: true });
      return 202;
    } catch (error) {
      return (error as { statusCode?: number }).statusCode ?? -1;
    }
  }
  const specKey = (peer: SlowPeer) => [...signatureSpecPrefix, peer.origin.origin] as KvKey;

  it("is still needed: Fedify 2.3.8 knocks again after a 404 and remembers the spec of a knock that failed", async () => {
    globalThis.fetch = platformFetch;
    const kv = new MemoryKvStore();
    // Once this fails (one knock, or a 404 kept), Fedify knocks once by itself and the workaround can go.
    expect(await send(kv, gancioLike, 1)).toBe(500);
    expect(knocks.get(gancioLike)!.splice(0)).toEqual(["draft-cavage", "rfc9421"]);
    expect(await kv.get(specKey(gancioLike))).toBe("rfc9421");
  });

  it("sends once when the first answer is no signature failure, keeps its status, and remembers nothing", async () => {
    installOutboundFetch(limits);
    const kv = withTrustedSignatureSpecs(new MemoryKvStore());
    expect(await send(kv, gancioLike, 2)).toBe(404);
    expect(await send(kv, gancioLike, 3)).toBe(404);
    expect(knocks.get(gancioLike)!.splice(0)).toEqual(["draft-cavage", "draft-cavage"]);
    expect(await kv.get(specKey(gancioLike))).toBeUndefined();
  });

  it("knocks again after a signature failure, then remembers the spec that the server accepted", async () => {
    installOutboundFetch(limits);
    const kv = withTrustedSignatureSpecs(new MemoryKvStore());
    expect(await send(kv, rfc9421Only, 4)).toBe(202);
    expect(await kv.get(specKey(rfc9421Only))).toBe("rfc9421");
    expect(await send(kv, rfc9421Only, 5)).toBe(202);
    expect(knocks.get(rfc9421Only)!.splice(0)).toEqual(["draft-cavage", "rfc9421", "rfc9421"]);
  });

  it("recovers a server wrongly remembered as RFC 9421: its 500 to RFC 9421 lets draft-cavage through", async () => {
    installOutboundFetch(limits);
    const inner = new MemoryKvStore();
    await inner.set(specKey(gancioLike), "rfc9421");
    expect(await send(withTrustedSignatureSpecs(inner), gancioLike, 6)).toBe(404);
    expect(knocks.get(gancioLike)!.splice(0)).toEqual(["rfc9421", "draft-cavage"]);
  });
});

describe("prebuilt activities (prebuiltActivity) go out as built, with a proof and a Linked Data signature", () => {
  const origin = new URL("http://relais.test");
  const received: unknown[] = [];
  let inbox: SlowPeer;
  beforeAll(async () => {
    inbox = await startPlainPeer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.writeHead(202).end();
      });
    });
  });
  afterAll(() => inbox?.close());

  it("keeps terms Fedify's vocabulary lacks, and its proof and signature verify as a Fedify receiver checks them", async () => {
    const [rsa, ed25519] = await Promise.all([generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), generateCryptoKeyPair("Ed25519")]);
    // Fedify's default activity transformers included: they clone too, and keep the document.
    const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
    federation
      .setActorDispatcher("/users/{identifier}", (ctx, identifier) => new Person({ id: ctx.getActorUri(identifier) }))
      .setKeyPairsDispatcher(() => [rsa, ed25519]);
    const ctx = federation.createContext(origin, undefined);
    const pairs = await ctx.getActorKeyPairs("me");
    const person = new Person({ id: ctx.getActorUri("me"), publicKey: pairs[0]?.cryptographicKey, assertionMethods: pairs.map((p) => p.multikey) });
    const actor = ctx.getActorUri("me").href;
    const doc = {
      "@context": [AS, { mz: "https://joinmobilizon.org/ns#", timezone: { "@id": "mz:timezone", "@type": "xsd:string" } }],
      id: `${origin.href}events/1#create`,
      type: "Create",
      actor,
      to: `${AS}#Public`,
      object: { id: `${origin.href}events/1`, type: "Event", name: "Grève", startTime: "2030-03-08T10:00:00+01:00", timezone: "Europe/Paris", attributedTo: actor },
    };
    const recipient = { id: inbox.url("/users/a"), inboxId: inbox.url("/inbox"), endpoints: null };
    await ctx.sendActivity({ identifier: "me" }, recipient, await prebuiltActivity(Create, doc), { immediate: true });

    const delivered = received.at(-1) as Record<string, unknown>;
    // Once this fails, Fedify rebuilt the activity from its vocabulary: the prototype swap no longer works.
    expect(delivered.object).toEqual(doc.object);
    expect(delivered["@context"]).toEqual([AS, dataIntegrityContext, doc["@context"][1]]);
    expect(delivered.proof).toMatchObject({ type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022", proofPurpose: "assertionMethod" });
    expect(delivered.signature).toMatchObject({ type: "RsaSignature2017" });
    const actorDocument = await person.toJsonLd({ format: "compact" });
    const documentLoader = async (url: string) => ({ contextUrl: null, documentUrl: url, document: actorDocument });
    expect(await verifyObject(Create, detachSignature(delivered), { documentLoader })).not.toBeNull();
    expect(await verifyJsonLd(delivered, { documentLoader })).toBe(true);
    const tampered = { ...delivered, object: { ...doc.object, timezone: "Europe/Berlin" } };
    expect(await verifyObject(Create, detachSignature(tampered), { documentLoader })).toBeNull();
  });
});
