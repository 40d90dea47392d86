// Outbound delivery failures against a Mastodon-shaped peer: what a 404, a 410 and a 500 from a
// follower's inbox do to the follower and to the delivery. Deliveries are driven by approving follow
// requests of a collective that approves its followers by hand: approve() sends a signed Accept.
// The policy's own numbers (how long we keep trying) are unit-tested in src/federation/retry-policy.test.ts.
// Then the fan-out of an event to followers (one delivery per shared inbox).
import { CircuitBreaker } from "@fedify/fedify";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JsonObject, type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { connectTestRedis } from "../support/services.ts";
import { createEditor } from "../support/editor.ts";
import { seedFollowers } from "../support/followers.ts";
import { until, untilQueueIdle } from "../support/wait.ts";

const WAIT_MS = 20_000;


/** Accept deliveries (whatever the peer answered) of the Follow `followId`. */
function acceptsOf(peer: MastodonPeer, followId: string): ReceivedDelivery[] {
  return peer.received.filter((d) => {
    const object = d.activity?.object as JsonObject | string | undefined;
    return d.activity?.type === "Accept" && (typeof object === "string" ? object : object?.id) === followId;
  });
}

/** A queued retry of a delivery: the message Fedify enqueued and the delay it asked for. */
interface QueuedRetry {
  message: Record<string, unknown>;
  delayMs: number;
}

describe.each([
  { name: "PostgreSQL only", redis: false },
  { name: "PostgreSQL and Redis", redis: true },
])("delivery failures ($name)", ({ redis }) => {
  let relais: RelaisInstance;
  const peers: MastodonPeer[] = [];
  let redisClient: Redis | undefined;

  beforeAll(async () => {
    relais = await startRelaisInstance({ redis });
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "open", name: { fr: "Ouvert" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "manual", name: { fr: "Sur invitation" }, primaryLanguage: "fr", manuallyApprovesFollowers: true });
    if (redis) ({ redis: redisClient } = await connectTestRedis());
  });

  afterAll(async () => {
    redisClient?.disconnect();
    await Promise.all(peers.map((p) => p.close()));
    await relais?.close();
  });

  async function followRows(peer: MastodonPeer): Promise<string[]> {
    const rows = (await relais.runtime.orm.em.getConnection().execute(
      `select c.slug || ' ' || f.state as x from follower f join remote_actor a on a.id = f.actor_id
       join collective c on c.id = f.collective_id where a.ap_id = ? order by 1`,
      [peer.actorId.href],
    )) as { x: string }[];
    return rows.map((r) => r.x);
  }

  /** A peer (own origin, so that circuit breaking cannot mix cases) following "open", and asking "manual". */
  async function followerAwaitingApproval(host: string, username: string): Promise<{ peer: MastodonPeer; followId: string }> {
    const peer = await startMastodonPeer({ host, username });
    peers.push(peer);
    const open = await peer.follow(relais.url("/@open"));
    await peer.waitFor((d) => acceptsOf(peer, open.activityId.href).includes(d) && d.status === 202, { timeoutMs: WAIT_MS });
    const { activityId } = await peer.follow(relais.url("/@manual"));
    await until("the pending follow", async () => (await followRows(peer)).includes("manual pending"));
    return { peer, followId: activityId.href };
  }

  /** Waits until no message is ready or being handled: what is left is scheduled for later. */
  async function idleQueue(): Promise<void> {
    await untilQueueIdle(relais.runtime.queue);
  }

  async function retriesOf(activityId: string): Promise<QueuedRetry[]> {
    const rows = (await relais.runtime.orm.em.getConnection().execute(
      `select payload, extract(epoch from available_at - created_at) * 1000 as delay_ms
       from federation_queue where available_at > now() order by id`,
    )) as { payload: string; delay_ms: string }[];
    return rows
      .map((r) => ({ message: JSON.parse(r.payload) as Record<string, unknown>, delayMs: Number(r.delay_ms) }))
      .filter((r) => r.message.activityId === activityId);
  }

  it("keeps the follower when its inbox answers 404, and does not retry", async () => {
    const { peer, followId } = await followerAwaitingApproval("127.0.0.2", "nora");
    peer.respondToDeliveriesWith(404);
    await relais.runtime.followers.approve("manual", peer.actorId.href);
    const [first] = await until("the Accept to be delivered", async () => acceptsOf(peer, followId).length > 0 && acceptsOf(peer, followId));
    expect(first).toMatchObject({ scheme: "draft-cavage", signatureValid: true, status: 404 });
    await idleQueue();
    expect(await retriesOf(String(first?.activity?.id))).toEqual([]);
    expect(await followRows(peer)).toEqual(["manual accepted", "open accepted"]);
  });

  it("removes the follower when its inbox answers 410, and does not retry", async () => {
    const { peer, followId } = await followerAwaitingApproval("127.0.0.3", "otto");
    peer.respondToDeliveriesWith(410);
    await relais.runtime.followers.approve("manual", peer.actorId.href);
    await until("the follows to be removed", async () => (await followRows(peer)).length === 0);
    const [first] = acceptsOf(peer, followId);
    expect(first).toMatchObject({ scheme: "draft-cavage", signatureValid: true, status: 410 });
    await idleQueue();
    expect(await retriesOf(String(first?.activity?.id))).toEqual([]);
  });

  it("closes a host's circuit again once the host answers, and delivers to it without holding", async () => {
    const { peer, followId } = await followerAwaitingApproval("127.0.0.5", "quinn");
    const host = peer.origin.host;
    // Five failures an hour ago opened the circuit (the state Fedify writes, through the same store).
    const hourAgo = Temporal.Now.instant().subtract({ hours: 1 });
    const past = new CircuitBreaker({ kv: relais.runtime.kv, prefix: ["_fedify", "circuit"], now: () => hourAgo });
    for (let i = 0; i < 5; i++) await past.recordFailure(host);
    const breaker = new CircuitBreaker({ kv: relais.runtime.kv, prefix: ["_fedify", "circuit"] });
    expect((await breaker.getState(host))?.state).toBe("open");

    // The recovery delay is over: the next delivery is the probe, it succeeds, and the circuit closes.
    await relais.runtime.followers.approve("manual", peer.actorId.href);
    await until("the Accept to be delivered", async () => acceptsOf(peer, followId).some((d) => d.status === 202));
    await until("the circuit to close", async () => (await breaker.getState(host)) === undefined);
    // A delivery right after the probe is sent, not held for another recovery delay.
    await relais.runtime.collectives.create({ slug: "after-probe", name: { fr: "Après" }, primaryLanguage: "fr" });
    const { activityId } = await peer.follow(relais.url("/@after-probe"));
    const accepted = await peer.waitFor((d) => acceptsOf(peer, activityId.href).includes(d), { timeoutMs: WAIT_MS });
    expect(accepted).toMatchObject({ signatureValid: true, status: 202 });
    expect(await breaker.getState(host)).toBeUndefined();
  });

  it("keeps the follower when its inbox answers 500, and schedules a retry about a minute later", async () => {
    const { peer, followId } = await followerAwaitingApproval("127.0.0.4", "paula");
    peer.respondToDeliveriesWith(500);
    await relais.runtime.followers.approve("manual", peer.actorId.href);
    const [first] = await until("the Accept to be delivered", async () => acceptsOf(peer, followId).length > 0 && acceptsOf(peer, followId));
    expect(first).toMatchObject({ scheme: "draft-cavage", signatureValid: true, status: 500 });
    const acceptId = String(first?.activity?.id);
    const [retry] = await until("a scheduled retry", async () => {
      const jobs = await retriesOf(acceptId);
      return jobs.length > 0 && jobs;
    });
    expect(retry?.message).toMatchObject({ type: "outbox", activityId: acceptId, inbox: peer.inboxUrl.href, attempt: 1 });
    // The policy's first delay: one minute, with up to 100 % jitter.
    expect(retry?.delayMs).toBeGreaterThanOrEqual(60_000);
    expect(retry?.delayMs).toBeLessThanOrEqual(120_000);
    expect(await followRows(peer)).toEqual(["manual accepted", "open accepted"]);
  });
});

describe("fan-out to followers", () => {
  let relais: RelaisInstance;
  const peers: MastodonPeer[] = [];

  beforeAll(async () => {
    relais = await startRelaisInstance();
  });
  afterAll(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await relais?.close();
  });

  it("delivers an activity once per shared inbox when several followers share one", async () => {
    const { collectives, events } = relais.runtime;
    await collectives.create({ slug: "fanout", name: { fr: "Diffusion" }, primaryLanguage: "fr" });
    const editor = (await createEditor(relais.runtime, "fanout", "eve@example.org")).principal;
    const [big, small] = await Promise.all([
      startMastodonPeer({ host: "127.0.0.2", username: "alice" }),
      startMastodonPeer({ host: "127.0.0.3", username: "zoe" }),
    ]);
    peers.push(big, small);
    for (const p of [big, small]) {
      const { activityId } = await p.follow(relais.url("/@fanout"));
      await p.waitFor((d) => acceptsOf(p, activityId.href).includes(d) && d.signatureValid, { timeoutMs: WAIT_MS });
    }
    // Two more accounts of big's server, behind its shared inbox (as the cache holds them).
    await seedFollowers(relais.runtime, "fanout", ["bob", "carol"].map((u) => ({ actor: new URL(`/users/${u}`, big.origin), sharedInbox: big.sharedInboxUrl })));

    await events.create(editor, "fanout", { name: { fr: "Assemblée" }, startsAt: "2030-05-01T18:00", onlineUrl: "https://meet.example/a", published: true });
    const isCreate = (d: ReceivedDelivery) => d.activity?.type === "Create" && d.signatureValid;
    await big.waitFor(isCreate, { timeoutMs: WAIT_MS });
    await small.waitFor(isCreate, { timeoutMs: WAIT_MS });
    // Once the queue is idle, every delivery queued with the Create has been made.
    await untilQueueIdle(relais.runtime.queue);

    expect(big.received.filter(isCreate).map((d) => d.path)).toEqual([big.sharedInboxUrl.pathname]);
    expect(big.served.filter((r) => r.method === "POST" && /^\/users\/(alice|bob|carol)\/inbox$/.test(r.path))).toHaveLength(1); // alice's Accept
    expect(small.received.filter(isCreate).map((d) => d.path)).toEqual([small.sharedInboxUrl.pathname]);
  });
});
