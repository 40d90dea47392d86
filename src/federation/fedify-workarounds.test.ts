// Contract tests of the inbox workarounds in fedify-workarounds.ts: each fails the day Fedify behaves otherwise
// (the outbound ones are in fedify-workarounds.outbound.test.ts).
import { createFederation, generateCryptoKeyPair, InProcessMessageQueue, type KvKey, type KvStore, MemoryKvStore } from "@fedify/fedify";
import { Create, Delete, Follow, Group, Person } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedPostHeaders } from "../../tests/support/http-signatures.ts";
import { type MastodonPeer, startMastodonPeer } from "../../tests/support/mastodon-peer.ts";
import { until } from "../../tests/support/wait.ts";
import { activityIdempotencePrefix, fedifyServesJsonLd, isInboxRecipientCheck, receivedJson, rescueRefusedInboxPosts, withoutActivityIdempotence, withWellKnownNodeInfoLinks } from "./fedify-workarounds.ts";

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

describe("Fedify workaround: the Delete of an actor that is gone (rescueRefusedInboxPosts)", () => {
  let peer: MastodonPeer;
  const groupKeys = generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  beforeAll(async () => {
    peer = await startMastodonPeer({ host: "127.0.0.11", username: "gone" });
  });
  afterAll(() => peer?.close());

  /** A federation with one Group, recording what its listeners and its unverified-activity hook saw. */
  function inboxOf() {
    const seen: string[] = [];
    const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
    federation
      .setActorDispatcher("/users/{identifier}", (ctx, identifier) =>
        identifier === "lyon" ? new Group({ id: ctx.getActorUri(identifier), inbox: ctx.getInboxUri(identifier) }) : null,
      )
      .setKeyPairsDispatcher(async () => [await groupKeys]);
    federation
      .setInboxListeners("/users/{identifier}/inbox", "/inbox")
      .withIdempotency(() => null)
      .on(Follow, (_ctx, a) => void seen.push(`listener ${a.id?.href}`))
      .on(Delete, (_ctx, a) => void seen.push(`listener ${a.id?.href}`))
      .onUnverifiedActivity((_ctx, a, reason) => void seen.push(`unverified ${a.id?.href} ${reason.type}`));
    const post = async (activity: Record<string, unknown>) => {
      const inbox = new URL(`${ORIGIN}/users/lyon/inbox`);
      const body = JSON.stringify({ "@context": AS, ...activity });
      const request = new Request(inbox, { method: "POST", headers: signedPostHeaders(peer.key, inbox, body), body });
      return federation.fetch(request, { contextData: undefined });
    };
    return { federation, seen, post };
  }
  const deleteOfPeer = (n: number) => ({ id: `${peer.actorId.href}#delete-${n}`, type: "Delete", actor: peer.actorId.href, object: peer.actorId.href });

  it("is still needed: Fedify 2.3.8 answers 401 with no hook when the gone actor's key is in its cache", async () => {
    peer.answerActorWith(null);
    const cached = inboxOf();
    expect((await cached.post({ id: `${peer.actorId.href}#follow-1`, type: "Follow", actor: peer.actorId.href, object: `${ORIGIN}/users/lyon` })).status).toBe(202);
    peer.answerActorWith(410);
    const refused = await cached.post(deleteOfPeer(1));
    expect(refused.status).toBe(401);
    // Once this fails, Fedify calls onUnverifiedActivity for this case too, and the wrapper can go.
    expect(await refused.text()).toBe("The signer and the actor do not match.");
    expect(cached.seen).toEqual([`listener ${peer.actorId.href}#follow-1`]);
    // onUnverifiedActivity covers only the other half: the key cannot be fetched any more.
    const uncached = inboxOf();
    expect((await uncached.post(deleteOfPeer(2))).status).toBe(401);
    expect(uncached.seen).toEqual([`unverified ${peer.actorId.href}#delete-2 keyFetchError`]);
  });

  it("hands every inbox POST answered 401 to the rescue, and only those", async () => {
    peer.answerActorWith(410);
    const { federation, post } = inboxOf();
    const handed: string[] = [];
    rescueRefusedInboxPosts(federation, undefined, async (_ctx, refused) => {
      handed.push(String((JSON.parse(await refused.text()) as { id: string }).id));
      return new Response(null, { status: 202 });
    });
    expect((await post(deleteOfPeer(3))).status).toBe(202);
    const follow = { "@context": AS, id: `${peer.actorId.href}#follow-4`, type: "Follow", actor: peer.actorId.href, object: `${ORIGIN}/users/lyon` };
    const unsigned = new Request(`${ORIGIN}/users/lyon/inbox`, {
      method: "POST",
      body: JSON.stringify(follow),
      headers: { "content-type": "application/activity+json" },
    });
    expect((await federation.fetch(unsigned, { contextData: undefined })).status).toBe(202);
    const malformed = new Request(`${ORIGIN}/users/lyon/inbox`, { method: "POST", body: "{}", headers: { "content-type": "application/activity+json" } });
    expect((await federation.fetch(malformed, { contextData: undefined })).status).toBe(400);
    const actor = await federation.fetch(new Request(`${ORIGIN}/users/lyon`, { headers: { accept: "application/activity+json" } }), { contextData: undefined });
    expect(actor.status).toBe(200);
    expect(handed).toEqual([`${peer.actorId.href}#delete-3`, `${peer.actorId.href}#follow-4`]);
  });
});

describe("Fedify workaround: our links at /.well-known/nodeinfo (withWellKnownNodeInfoLinks)", () => {
  const nodeInfoFederation = () => {
    const federation = createFederation<void>({ kv: new MemoryKvStore() });
    federation.setNodeInfoDispatcher("/nodeinfo/2.1", () => ({
      software: { name: "relais", version: "0.1.0" },
      protocols: ["activitypub"],
      usage: { users: {}, localPosts: 0, localComments: 0 },
    }));
    return federation;
  };
  const wellKnown = async (federation: ReturnType<typeof nodeInfoFederation>) =>
    federation.fetch(new Request(`${ORIGIN}/.well-known/nodeinfo`, { headers: { accept: "application/json" } }), { contextData: undefined });

  it("is still needed: Fedify 2.3.8 lists its NodeInfo document only, with no way to add a link", async () => {
    const body = await (await wellKnown(nodeInfoFederation())).json();
    expect(body.links).toEqual([{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: `${ORIGIN}/nodeinfo/2.1`, type: "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"" }]);
  });

  it("answers with our links, and leaves every other request to Fedify", async () => {
    const federation = nodeInfoFederation();
    const links = [
      { rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: `${ORIGIN}/nodeinfo/2.1` },
      { rel: "https://www.w3.org/ns/activitystreams#Application", href: `${ORIGIN}/@relais.instance` },
    ];
    withWellKnownNodeInfoLinks(federation, () => links);
    const response = await wellKnown(federation);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect((await response.json()).links).toEqual(links);
    const document = await federation.fetch(new Request(`${ORIGIN}/nodeinfo/2.1`), { contextData: undefined });
    expect((await document.json()).software.name).toBe("relais");
  });
});

describe("Fedify workaround: the JSON an activity arrived as (receivedJson)", () => {
  // Gancio's shapes (a Place's address as text, an offset time) in a document with a Linked Data
  // signature, as Relais and Mastodon send theirs.
  const sent = {
    "@context": [AS, { Hashtag: "as:Hashtag" }],
    id: "https://gancio.example/federation/m/1#create",
    type: "Create",
    actor: "https://gancio.example/federation/u/relay",
    object: {
      id: "https://gancio.example/federation/m/1",
      type: "Event",
      name: "Demo",
      startTime: "2030-07-14T17:30:00+02:00",
      location: { type: "Place", name: "Colosseo", address: "Piazza del Colosseo, Roma" },
    },
    signature: { type: "RsaSignature2017", creator: "https://gancio.example/federation/u/relay#main-key", created: "2030-01-01T00:00:00Z", signatureValue: "AAAA" },
  };

  async function throughTheQueue(): Promise<{ parsed: Record<string, unknown>; received: Record<string, unknown> | undefined }> {
    let seen: { parsed: Record<string, unknown>; received: Record<string, unknown> | undefined } | undefined;
    const federation = createFederation<void>({ kv: new MemoryKvStore(), queue: new InProcessMessageQueue(), skipSignatureVerification: true, manuallyStartQueue: true });
    federation.setActorDispatcher("/users/{identifier}", (ctx, identifier) => new Group({ id: ctx.getActorUri(identifier), inbox: ctx.getInboxUri(identifier) }));
    federation
      .setInboxListeners("/users/{identifier}/inbox", "/inbox")
      .withIdempotency(() => null)
      .on(Create, async (ctx, create) => {
        seen = { parsed: (await create.toJsonLd()) as Record<string, unknown>, received: receivedJson(ctx) };
      });
    const stop = new AbortController();
    const running = federation.startQueue(undefined, { signal: stop.signal });
    const request = new Request(`${ORIGIN}/inbox`, { method: "POST", headers: { "content-type": "application/activity+json" }, body: JSON.stringify(sent) });
    expect((await federation.fetch(request, { contextData: undefined })).status).toBe(202);
    const result = await until("the Create to be handled", async () => seen, 5_000);
    stop.abort();
    await running;
    return result;
  }

  it("is still needed: Fedify 2.3.8 hands the listener a compaction of a signed activity, where the place's address is renamed", async () => {
    const { parsed } = await throughTheQueue();
    const object = parsed.object as Record<string, unknown>;
    // The term Gancio's context does not define is renamed (`_:address`) in the compaction.
    expect((object.location as Record<string, unknown>).address).toBeUndefined();
    expect(parsed["@context"]).not.toEqual(sent["@context"]);
  });

  it("gives the JSON exactly as its sender wrote it, on the queued path", async () => {
    const { received } = await throughTheQueue();
    expect(received).toEqual(sent);
  });
});

describe("Fedify workaround: the inbox's recipient check answered with the actor's id alone (isInboxRecipientCheck)", () => {
  it("holds: Fedify asks the actor dispatcher during an inbox POST only whether the recipient exists", async () => {
    const asked: { identifier: string; check: boolean }[] = [];
    const followed: string[] = [];
    const federation = createFederation<void>({ kv: new MemoryKvStore(), skipSignatureVerification: true });
    federation.setActorDispatcher("/users/{identifier}", (ctx, identifier) => {
      const check = isInboxRecipientCheck(ctx);
      asked.push({ identifier, check });
      if (identifier !== "lyon") return null;
      // The id alone when Fedify only checks; the whole actor otherwise.
      return check ? new Group({ id: ctx.getActorUri(identifier) }) : new Group({ id: ctx.getActorUri(identifier), inbox: ctx.getInboxUri(identifier), name: "Lyon" });
    }).setKeyPairsDispatcher(() => []);
    federation.setInboxListeners("/users/{identifier}/inbox", "/inbox").on(Follow, (_ctx, follow) => {
      followed.push(follow.id?.href ?? "");
    });
    const post = (identifier: string) =>
      federation.fetch(
        new Request(`${ORIGIN}/users/${identifier}/inbox`, {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body: JSON.stringify({ "@context": AS, id: `https://remote.example/follows/${identifier}`, type: "Follow", actor: "https://remote.example/users/a", object: `${ORIGIN}/users/${identifier}` }),
        }),
        { contextData: undefined },
      );
    expect((await post("lyon")).status).toBe(202);
    expect(followed).toEqual(["https://remote.example/follows/lyon"]);
    expect((await post("nobody")).status).toBe(404);
    expect(followed).toHaveLength(1);
    const doc = await federation.fetch(new Request(`${ORIGIN}/users/lyon`, { headers: { accept: "application/activity+json" } }), { contextData: undefined });
    expect(((await doc.json()) as { name?: string }).name).toBe("Lyon");
    expect(asked).toEqual([
      { identifier: "lyon", check: true },
      { identifier: "nobody", check: true },
      { identifier: "lyon", check: false },
    ]);
  });
});

describe("Fedify workaround: its actor negotiation, copied for the read cache", () => {
  it("gives the JSON-LD to exactly the Accept headers Fedify 2.3.8 gives it to", async () => {
    const federation = createFederation<void>({ kv: new MemoryKvStore() });
    federation.setActorDispatcher("/users/{identifier}", (ctx, identifier) => new Group({ id: ctx.getActorUri(identifier) }));
    const headers = [
      undefined,
      "",
      "*/*",
      "application/activity+json",
      'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
      "application/json",
      "application/json, text/html",
      "text/html, application/json",
      "text/html;q=0.9, application/activity+json",
      "application/activity+json;q=0.5, text/html;q=0.6",
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      "application/xhtml+xml, application/ld+json",
      "application/activity+json;q=0",
      "application/activity+json;q=abc, text/plain",
      "Application/Activity+JSON",
      "text/plain, application/ld+json;q=0.1",
      "image/png",
      "garbage",
      "application/activity+json, application/ld+json, text/html;q=1",
    ];
    for (const accept of headers) {
      const request = new Request(`${ORIGIN}/users/lyon`, { headers: accept === undefined ? {} : { accept } });
      const response = await federation.fetch(request, { contextData: undefined, onNotAcceptable: () => new Response(null, { status: 406 }) });
      expect(response.status === 200, `Accept: ${accept}`).toBe(fedifyServesJsonLd(accept));
    }
  });
});
