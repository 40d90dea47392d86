// The inbox guard, end to end: a real instance, Mastodon-shaped peers on loopback, hostile requests.
// A refused request must leave no trace: the follower, remote_actor and outbox tables are compared
// before and after, and (with the worker stopped) the queue depth must not move. Activities that pass the
// signature check but mix origins are queued (Fedify has no hook before the queue) and must be dropped
// by the inbox listeners: those are checked once the queue has processed them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresMessageQueue } from "../../src/federation/queue/postgres-message-queue.ts";
import { generateSigningKey } from "../support/http-signatures.ts";
import { ACTIVITY_STREAMS, type JsonObject, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { untilQueueIdle } from "../support/wait.ts";

const WAIT_MS = 20_000;
const BLOCKED_HOST = "127.0.0.4";

interface Tables {
  followers: string[];
  actors: string[];
  outbox: string[];
}

/** The rows an inbox activity can create, as comparable text; rows mentioning `ignore` are left out. */
async function tables(relais: RelaisInstance, ignore: readonly string[]): Promise<Tables> {
  const db = relais.runtime.orm.em.getConnection();
  const col = async (sql: string) =>
    ((await db.execute(sql)) as { x: string }[]).map((r) => r.x).filter((x) => !ignore.some((i) => x.includes(i)));
  return {
    followers: await col(
      `select a.ap_id || ' ' || f.state || ' ' || f.follow_activity_id as x
       from follower f join remote_actor a on a.id = f.actor_id order by 1`,
    ),
    actors: await col("select ap_id || ' ' || inbox_url as x from remote_actor order by 1"),
    outbox: await col("select activity_id || ' ' || kind as x from outbox order by 1"),
  };
}

function followOf(peer: MastodonPeer, target: URL, id: URL = peer.newId("follows")): JsonObject {
  return { "@context": ACTIVITY_STREAMS, id: id.href, type: "Follow", actor: peer.actorId.href, object: target.href };
}

const modes = [
  { name: "PostgreSQL only", redis: false },
  { name: "PostgreSQL and Redis", redis: true },
] as const;

describe.each(modes)("inbox guard ($name)", ({ redis }) => {
  let relais: RelaisInstance;
  let victim: MastodonPeer;
  let mallory: MastodonPeer;
  let spammer: MastodonPeer;
  let target: URL;
  let inbox: URL;
  let victimFollow: JsonObject;
  // Redis mode: the instance starts without its worker, so that anything queued stays visible.
  let queue: PostgresMessageQueue | undefined;
  let baselineDepth = 0;
  let worker: { stop: AbortController; done: Promise<void> } | undefined;

  beforeAll(async () => {
    relais = await startRelaisInstance({
      redis,
      worker: !redis,
      env: { RELAIS_MAX_INBOX_BODY_BYTES: "4096", RELAIS_BLOCKED_DOMAINS: `example.invalid, ${BLOCKED_HOST}` },
    });
    [victim, mallory, spammer] = await Promise.all([
      startMastodonPeer({ host: "127.0.0.2", username: "victim" }),
      startMastodonPeer({ host: "127.0.0.3", username: "mallory" }),
      startMastodonPeer({ host: BLOCKED_HOST, username: "spammer" }),
    ]);
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    await relais.runtime.collectives.create({ slug: "barrier", name: { fr: "Barrière" }, primaryLanguage: "fr" });
    target = relais.url("/@lyon");
    inbox = relais.url("/@lyon/inbox");
    const followed = await victim.follow(target);
    expect(followed.response.status).toBe(202);
    victimFollow = followed.activity;
    victim.serve(victimFollow); // Mastodon serves its Follow activities at their ids
    if (redis) {
      queue = relais.runtime.queue;
      baselineDepth = await depth();
      expect(baselineDepth).toBe(1); // the victim's Follow, waiting for the worker
    } else {
      await victim.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: WAIT_MS });
    }
  });

  afterAll(async () => {
    worker?.stop.abort();
    await worker?.done;
    await Promise.all([victim, mallory, spammer].map((p) => p?.close()));
    await relais?.close();
  });

  /** The rows of the "barrier" collective (a second target for tampered requests) are left out. */
  function rows(): Promise<Tables> {
    return tables(relais, ["/@barrier#"]);
  }

  async function depth(): Promise<number> {
    return (await queue!.getDepth()).queued;
  }

  function startWorker(): void {
    if (worker) return;
    const stop = new AbortController();
    worker = { stop, done: relais.runtime.runWorker(stop.signal) };
  }

  /** Waits until everything sent so far has been handled by the inbox listeners. */
  async function settle(): Promise<void> {
    if (queue) startWorker();
    await untilQueueIdle(relais.runtime.queue);
  }

  /** Sends `request`, expects `status`, and checks that nothing was stored, answered or queued. */
  async function expectRefused(status: number, request: () => Promise<Response>): Promise<void> {
    const before = await rows();
    const depthBefore = queue ? await depth() : 0;
    const response = await request();
    expect(response.status).toBe(status);
    if (queue) expect(await depth()).toBe(depthBefore);
    expect(await rows()).toEqual(before);
  }

  it("refuses an unsigned Follow with 401", async () => {
    await expectRefused(401, () => mallory.sendSigned(inbox, followOf(mallory, target), { unsigned: true }));
  });

  // GHSA-q9f8: mallory serves a key document claiming the victim as its owner; the victim's own actor
  // document does not list that key, so nothing signed with it may speak for the victim.
  it.each([
    ["Follow", () => ({ ...followOf(victim, target, new URL(`/forged-${Date.now()}`, victim.origin)) })],
    ["Undo of the victim's Follow", () => {
      const { "@context": _c, ...follow } = victimFollow;
      return { "@context": ACTIVITY_STREAMS, id: `${victim.actorId.href}#follows/99/undo`, type: "Undo", actor: victim.actorId.href, object: follow };
    }],
    ["Delete of the victim", () => ({
      "@context": ACTIVITY_STREAMS,
      id: `${victim.actorId.href}#delete`,
      type: "Delete",
      actor: victim.actorId.href,
      object: victim.actorId.href,
      to: [`${ACTIVITY_STREAMS}#Public`],
    })],
  ])("refuses a %s signed with a key whose claimed owner does not list it (401)", async (_kind, build) => {
    const forged = await mallory.createForgedKey(victim.actorId);
    await expectRefused(401, () => mallory.sendSigned(inbox, build(), { key: forged }));
  });

  it("refuses a Delete of an actor that still exists, signed with a key id on its origin that does not resolve (401)", async () => {
    const missing = await generateSigningKey(new URL("/keys/does-not-exist", victim.origin));
    const del = { "@context": ACTIVITY_STREAMS, id: `${victim.actorId.href}#delete`, type: "Delete", actor: victim.actorId.href, object: victim.actorId.href };
    await expectRefused(401, () => mallory.sendSigned(inbox, del, { key: missing }));
  });

  it("refuses a body altered under a valid signature (401)", async () => {
    const follow = followOf(mallory, target);
    await expectRefused(401, () =>
      mallory.sendSigned(inbox, follow, { mutateBodyAfterSigning: (body) => body.replace(target.href, relais.url("/@barrier").href) }),
    );
  });

  it("refuses a body over the configured cap (413)", async () => {
    const follow = { ...followOf(mallory, target), summary: "x".repeat(5000) };
    await expectRefused(413, () => mallory.sendSigned(inbox, follow));
  });

  it("refuses a signed Follow from a blocked domain (403), on the collective's and the shared inbox", async () => {
    await expectRefused(403, () => spammer.sendSigned(inbox, followOf(spammer, target)));
    await expectRefused(403, () => spammer.sendSigned(relais.url("/inbox"), followOf(spammer, target)));
  });

  it.runIf(redis)("processes what passed the guard once the worker runs (the queue check above can fail)", async () => {
    expect(await depth()).toBe(baselineDepth);
    startWorker();
    await victim.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: WAIT_MS });
    const { followers } = await rows();
    expect(followers).toEqual([`${victim.actorId.href} accepted ${String(victimFollow.id)}`]);
  });

  it("refuses a Follow whose id is on another origin than its actor (400): nothing stored, nothing queued, no Accept", async () => {
    const follow = followOf(mallory, target, new URL(`/follows/${Date.now()}`, victim.origin));
    await expectRefused(400, () => mallory.sendSigned(inbox, follow));
    await settle();
    expect(mallory.received.filter((d) => d.activity?.type === "Accept")).toEqual([]);
  });

  it.each([
    ["its own origin (trusted as embedded)", () => new URL(`/follows/${Date.now()}`, mallory.origin)],
    ["the victim's origin (re-fetched from there: the victim's real Follow)", () => new URL(String(victimFollow.id))],
    ["the victim's origin (re-fetched from there: not found)", () => new URL(`/follows/${Date.now()}`, victim.origin)],
  ])("drops an Undo whose embedded Follow claims another actor, with an id on %s", async (_where, followId) => {
    const before = await rows();
    expect(before.followers.some((f) => f.startsWith(`${victim.actorId.href} accepted`))).toBe(true);
    const undo = {
      "@context": ACTIVITY_STREAMS,
      id: `${mallory.actorId.href}#undo-${Date.now()}`,
      type: "Undo",
      actor: mallory.actorId.href,
      object: { id: followId().href, type: "Follow", actor: victim.actorId.href, object: target.href },
    };
    const response = await mallory.sendSigned(inbox, undo);
    expect(response.status).toBe(202);
    await settle();
    expect(await rows()).toEqual(before);
    // Dropped for good: an object its origin does not serve is not retried.
    if (queue) expect((await queue.getDepth()).delayed).toBe(0);
  });

  it("refuses an Undo whose id is on another origin than its actor; the same Undo from its own origin is applied", async () => {
    const { activity: follow } = await mallory.follow(target);
    mallory.serve(follow); // so that only the Undo's own origin can make it fail
    await mallory.waitFor((d) => d.activity?.type === "Accept" && JSON.stringify(d.activity).includes(String(follow.id)), {
      timeoutMs: WAIT_MS,
    });
    const before = await rows();
    expect(before.followers.some((f) => f.startsWith(`${mallory.actorId.href} accepted`))).toBe(true);
    const { "@context": _c, ...object } = follow;
    const undo = (id: URL) => ({ "@context": ACTIVITY_STREAMS, id: id.href, type: "Undo", actor: mallory.actorId.href, object });
    await expectRefused(400, () => mallory.sendSigned(inbox, undo(new URL(`/undo-${Date.now()}`, victim.origin))));
    await settle();
    expect(await rows()).toEqual(before);
    expect((await mallory.sendSigned(inbox, undo(new URL(`${mallory.actorId.href}#undo-${Date.now()}`)))).status).toBe(202);
    await settle();
    expect((await rows()).followers.filter((f) => f.startsWith(mallory.actorId.href))).toEqual([]);
  });
});
