// The Mastodon-shaped peer against a small real Fedify server on loopback: Fedify must accept the
// peer's draft-cavage signatures, the peer must verify Fedify's, and both must reject the hostile cases.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createFederation, generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import { Accept, Endpoints, Follow, Group, type Object as APObject, Undo } from "@fedify/fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MastodonPeer, startMastodonPeer } from "./mastodon-peer.ts";

interface FedifyServer {
  origin: URL;
  groupId: URL;
  inbox: URL;
  /** Activities that reached an inbox listener, i.e. whose signature Fedify accepted. */
  heard: APObject[];
  errors: unknown[];
  close: () => Promise<void>;
}

async function startFedifyServer(): Promise<FedifyServer> {
  const keyPair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
  const heard: APObject[] = [];
  const errors: unknown[] = [];
  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== "collective") return null;
      const keys = await ctx.getActorKeyPairs(identifier);
      return new Group({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: keys[0]?.cryptographicKey ?? null,
        assertionMethods: keys.map((key) => key.multikey),
      });
    })
    .setKeyPairsDispatcher((_ctx, identifier) => (identifier === "collective" ? [keyPair] : []));
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Follow, async (ctx, follow) => {
      heard.push(follow);
      const follower = await follow.getActor(ctx);
      const target = follow.objectId === null ? null : ctx.parseUri(follow.objectId);
      if (follower === null || target?.type !== "actor" || follow.id === null) return;
      const accept = new Accept({
        id: new URL(`#accepts/${encodeURIComponent(follow.id.href)}`, ctx.getActorUri(target.identifier)),
        actor: ctx.getActorUri(target.identifier),
        object: follow,
      });
      await ctx.sendActivity({ identifier: target.identifier }, follower, accept);
    })
    .on(Undo, (_ctx, undo) => {
      heard.push(undo);
    })
    .onError((_ctx, error) => {
      errors.push(error);
    });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new Request(new URL(req.url ?? "/", origin), {
        method: req.method ?? "GET",
        headers,
        ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
      });
      const response = await federation.fetch(request, { contextData: undefined });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      errors.push(error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    origin,
    groupId: new URL("/users/collective", origin),
    inbox: new URL("/users/collective/inbox", origin),
    heard,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let fedify: FedifyServer;
let alice: MastodonPeer;
let bob: MastodonPeer;
let mallory: MastodonPeer;

beforeAll(async () => {
  fedify = await startFedifyServer();
  alice = await startMastodonPeer({ host: "127.0.0.2", username: "alice" });
  bob = await startMastodonPeer({ host: "127.0.0.3", username: "bob" });
  mallory = await startMastodonPeer({ host: "127.0.0.4", username: "mallory" });
});

afterAll(async () => {
  await Promise.all([fedify?.close(), alice?.close(), bob?.close(), mallory?.close()]);
});

describe("Mastodon peer documents", () => {
  it("serves WebFinger and a Person with publicKey, owner, sharedInbox, featured and discoverable", async () => {
    const finger = await bob.resolveWebFinger(alice.acct);
    expect(finger.ok && finger.self?.href).toBe(alice.actorId.href);
    expect(finger.ok && finger.jrd.subject).toBe(`acct:alice@${alice.origin.host}`);

    const response = await fetch(alice.actorId, { headers: { accept: "application/activity+json" } });
    expect(response.headers.get("content-type")).toBe("application/activity+json; charset=utf-8");
    const actor = (await response.json()) as Record<string, unknown>;
    expect(actor["@context"]).toEqual(
      expect.arrayContaining(["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]),
    );
    expect(actor).toMatchObject({
      id: alice.actorId.href,
      type: "Person",
      inbox: alice.inboxUrl.href,
      featured: `${alice.actorId.href}/collections/featured`,
      discoverable: true,
      endpoints: { sharedInbox: `${alice.origin.origin}/inbox` },
      publicKey: { id: `${alice.actorId.href}#main-key`, owner: alice.actorId.href },
    });
  });

  it("resolves a Fedify account by WebFinger", async () => {
    const finger = await alice.resolveWebFinger(`collective@${fedify.origin.host}`);
    expect(finger.ok && finger.self?.href).toBe(fedify.groupId.href);
    const missing = await alice.resolveWebFinger(`nobody@${fedify.origin.host}`);
    expect(missing).toMatchObject({ ok: false, status: 404 });
  });
});

describe("following a Fedify group", () => {
  it("Fedify accepts the draft-cavage Follow and the peer verifies the signed Accept", async () => {
    const { activityId, response } = await alice.follow(fedify.groupId);
    expect(response.status).toBe(202);
    expect(fedify.heard.map((a) => a.id?.href)).toContain(activityId.href);

    const accepted = await alice.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid);
    expect(accepted).toMatchObject({
      scheme: "draft-cavage",
      signer: fedify.groupId.href,
      keyId: `${fedify.groupId.href}#main-key`,
      status: 202,
      path: "/users/alice/inbox",
    });
    expect(accepted.activity?.object).toMatchObject({ id: activityId.href, type: "Follow" });
    // Fedify knocks with RFC 9421 first; like a default Mastodon, the peer refuses it and Fedify retries.
    const accepts = alice.received.filter((d) => d.activity?.type === "Accept");
    expect(accepts.map((d) => [d.scheme, d.status, d.signatureProblem])).toEqual([
      ["rfc9421", 401, "rfc9421-unsupported"],
      ["draft-cavage", 202, undefined],
    ]);
    // Fedify dereferenced the peer's key id to check the Follow.
    expect(alice.served.some((r) => r.method === "GET" && r.path === "/users/alice")).toBe(true);
    expect(fedify.errors).toEqual([]);
  });

  it("delivers Undo(Follow) with Mastodon's #follows/<n>/undo id", async () => {
    await bob.follow(fedify.groupId);
    const { activityId, response } = await bob.undoFollow(fedify.groupId);
    expect(response.status).toBe(202);
    expect(activityId.href).toMatch(/\/users\/bob#follows\/\d+\/undo$/);
    expect(fedify.heard.some((a) => a instanceof Undo && a.id?.href === activityId.href)).toBe(true);
  });
});

describe("hostile requests", () => {
  const reject = async (send: () => Promise<Response>): Promise<number> => {
    const before = fedify.heard.length;
    const response = await send();
    expect(fedify.heard.length).toBe(before);
    return response.status;
  };

  it("a real Fedify inbox refuses them", async () => {
    const follow = { "@context": "https://www.w3.org/ns/activitystreams", id: `${bob.origin.origin}/h1`, type: "Follow", actor: bob.actorId.href, object: fedify.groupId.href };
    const forged = await mallory.createForgedKey(bob.actorId);
    expect(await reject(() => mallory.sendSigned(fedify.inbox, follow, { key: forged }))).toBe(401);
    expect(await reject(() => bob.sendSigned(fedify.inbox, follow, { unsigned: true }))).toBe(401);
    const mutate = (body: string) => body.replace("/h1", "/h2");
    expect(await reject(() => bob.sendSigned(fedify.inbox, follow, { mutateBodyAfterSigning: mutate }))).toBe(401);
    // Control: the same Follow, correctly signed, gets through.
    expect((await bob.sendSigned(fedify.inbox, follow)).status).toBe(202);
    expect(fedify.heard.at(-1)?.id?.href).toBe(follow.id);
  });

  it("the peer's own verifier refuses them too, and records each with its reason", async () => {
    const create = bob.buildCreateNote({ content: "<p>hello</p>" });
    expect((await bob.sendSigned(alice.sharedInboxUrl, create)).status).toBe(202);
    const forged = await mallory.createForgedKey(bob.actorId);
    const cases: [string, () => Promise<Response>][] = [
      ["key-not-listed-by-owner", () => mallory.sendSigned(alice.inboxUrl, create, { key: forged })],
      ["bad-signature", () => mallory.sendSigned(alice.inboxUrl, create, { key: { ...mallory.key, keyId: bob.key.keyId } })],
      ["unsigned", () => bob.sendSigned(alice.inboxUrl, create, { unsigned: true })],
      ["digest-mismatch", () => bob.sendSigned(alice.inboxUrl, create, { mutateBodyAfterSigning: (b) => b.replace("hello", "bye") })],
      ["date-out-of-window", () => bob.sendSigned(alice.inboxUrl, create, { date: new Date(Date.now() - 3 * 3600_000) })],
      ["actor-mismatch", () => mallory.sendSigned(alice.inboxUrl, create)],
    ];
    for (const [problem, send] of cases) {
      expect((await send()).status, problem).toBe(401);
      expect(alice.received.at(-1), problem).toMatchObject({ signatureValid: false, signatureProblem: problem, status: 401 });
    }
    expect(alice.received.find((d) => d.activity?.id === create.id && d.signatureValid)).toMatchObject({
      path: "/inbox",
      signer: bob.actorId.href,
    });
  });

  it("builds a Create whose object lives on another origin than its actor", async () => {
    const create = bob.buildCreateNote({ content: "x", objectId: new URL("/notes/1", alice.origin) });
    expect(new URL(String((create.object as { id: string }).id)).origin).toBe(alice.origin.origin);
    expect(create.actor).toBe(bob.actorId.href);
    expect((await bob.sendSigned(alice.inboxUrl, create)).status).toBe(202);
  });

  it("answers a configured status to deliveries and still records them", async () => {
    alice.respondToDeliveriesWith(410);
    try {
      const note = bob.buildCreateNote({ content: "gone?" });
      expect((await bob.sendSigned(alice.inboxUrl, note)).status).toBe(410);
      expect(alice.received.at(-1)).toMatchObject({ signatureValid: true, status: 410 });
    } finally {
      alice.respondToDeliveriesWith(null);
    }
  });
});
