// The whole follow flow against Mastodon-shaped peers: repeated, replayed and concurrent Follows, Undo,
// manual approval, the deletion of a remote actor, and the cache of remote actors. Each check reads the
// database (follower, remote_actor, outbox) and what the peers received, signatures verified.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACTIVITY_STREAMS,
  type JsonObject,
  type MastodonPeer,
  PUBLIC_COLLECTION,
  type ReceivedDelivery,
  startMastodonPeer,
} from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { connectTestRedis } from "../support/services.ts";
import { until, untilQueueIdle } from "../support/wait.ts";

const WAIT_MS = 20_000;

type Row = Record<string, unknown>;

async function query(relais: RelaisInstance, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await relais.runtime.orm.em.getConnection().execute(sql, params)) as Row[];
}

/** Follow rows of one actor, as `<collective slug> <state> <follow id>`. */
async function followsOf(relais: RelaisInstance, peer: MastodonPeer): Promise<string[]> {
  const rows = await query(
    relais,
    `select c.slug || ' ' || f.state || ' ' || f.follow_activity_id as x from follower f
     join remote_actor a on a.id = f.actor_id join collective c on c.id = f.collective_id
     where a.ap_id = ? order by 1`,
    [peer.actorId.href],
  );
  return rows.map((r) => String(r.x));
}

async function outboxCount(relais: RelaisInstance): Promise<number> {
  return Number((await query(relais, "select count(*) as n from outbox"))[0]?.n);
}

/** Keys of a test instance's Redis KV store (`relais:kv:<queue>:…`) that mention `peer`. */
async function instanceKvKeys(redis: Redis, peer: MastodonPeer): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", "relais:kv:relais-test-*", "COUNT", 1000);
    cursor = next;
    found.push(...keys.filter((key) => decodeURIComponent(key).includes(peer.origin.host)));
  } while (cursor !== "0");
  return found;
}


/** Signed, verified deliveries of `type` that answer the Follow `followId`. */
function answers(peer: MastodonPeer, type: "Accept" | "Reject", followId?: string): ReceivedDelivery[] {
  return peer.received.filter((d) => {
    if (d.activity?.type !== type || !d.signatureValid) return false;
    const object = d.activity.object as JsonObject | string;
    return followId === undefined || (typeof object === "string" ? object : object.id) === followId;
  });
}

async function waitForAnswer(peer: MastodonPeer, type: "Accept" | "Reject", followId: string): Promise<ReceivedDelivery> {
  return await peer.waitFor(() => answers(peer, type, followId).length > 0, { timeoutMs: WAIT_MS });
}

function deleteOf(peer: MastodonPeer): JsonObject {
  const actor = peer.actorId.href;
  return { "@context": ACTIVITY_STREAMS, id: `${actor}#delete`, type: "Delete", actor, object: actor, to: [PUBLIC_COLLECTION] };
}

describe.each([
  { name: "PostgreSQL only", redis: false },
  { name: "PostgreSQL and Redis", redis: true },
])("follow flow ($name)", ({ redis }) => {
  let relais: RelaisInstance;
  const peers: MastodonPeer[] = [];
  let lyon: URL;
  let lyonInbox: URL;
  let manual: URL;
  let redisClient: Redis | undefined;

  async function peer(host: string, username: string): Promise<MastodonPeer> {
    const p = await startMastodonPeer({ host, username });
    peers.push(p);
    return p;
  }

  /** Waits until everything delivered so far has been handled by the inbox listeners. */
  async function settle(): Promise<void> {
    await untilQueueIdle(relais.runtime.queue);
  }

  beforeAll(async () => {
    relais = await startRelaisInstance({ redis });
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "manual", name: { fr: "Sur invitation" }, primaryLanguage: "fr", manuallyApprovesFollowers: true });
    lyon = relais.url("/@lyon");
    lyonInbox = relais.url("/@lyon/inbox");
    manual = relais.url("/@manual");
    if (redis) ({ redis: redisClient } = await connectTestRedis());
  });

  afterAll(async () => {
    redisClient?.disconnect();
    await Promise.all(peers.map((p) => p.close()));
    await relais?.close();
  });

  it("stores the follower once for repeated Follows and answers each with its own signed Accept", async () => {
    const alice = await peer("127.0.0.2", "alice");
    const first = await alice.follow(lyon);
    const second = await alice.follow(lyon);
    expect([first.response.status, second.response.status]).toEqual([202, 202]);
    const accept = await waitForAnswer(alice, "Accept", first.activityId.href);
    await waitForAnswer(alice, "Accept", second.activityId.href);
    expect(accept.signer).toBe(lyon.href);
    // The latest Follow handled is remembered; BullMQ may handle the two in either order.
    const rows = await followsOf(relais, alice);
    expect(rows).toHaveLength(1);
    expect([first, second].map((f) => `lyon accepted ${f.activityId.href}`)).toContain(rows[0]);
  });

  it("ignores a replayed Follow (same id), on the same and on the shared inbox: no second outbox row, no second Accept", async () => {
    const bob = await peer("127.0.0.3", "bob");
    const { activity, activityId } = await bob.follow(lyon);
    await waitForAnswer(bob, "Accept", activityId.href);
    const rows = await outboxCount(relais);
    expect((await bob.sendSigned(lyonInbox, activity)).status).toBe(202);
    expect((await bob.sendSigned(relais.url("/inbox"), activity)).status).toBe(202);
    await settle();
    expect(await outboxCount(relais)).toBe(rows);
    expect(answers(bob, "Accept", activityId.href)).toHaveLength(1);
    expect(await followsOf(relais, bob)).toEqual([`lyon accepted ${activityId.href}`]);
  });

  it("stores the follower once when five different Follows arrive at once, and accepts each", async () => {
    const carol = await peer("127.0.0.6", "carol");
    const follows = Array.from({ length: 5 }, () => ({
      "@context": ACTIVITY_STREAMS,
      id: carol.newId("follows").href,
      type: "Follow",
      actor: carol.actorId.href,
      object: lyon.href,
    }));
    const responses = await Promise.all(follows.map((f) => carol.sendSigned(lyonInbox, f)));
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    for (const f of follows) await waitForAnswer(carol, "Accept", f.id);
    const rows = await followsOf(relais, carol);
    expect(rows).toHaveLength(1);
    expect(follows.map((f) => `lyon accepted ${f.id}`)).toContain(rows[0]);
    expect(await query(relais, "select count(*)::int as n from remote_actor where ap_id = ?", [carol.actorId.href])).toEqual([{ n: 1 }]);
  });

  it("answers five identical Follows sent at once with one outbox row and one Accept", async () => {
    const dave = await peer("127.0.0.7", "dave");
    const follow = { "@context": ACTIVITY_STREAMS, id: dave.newId("follows").href, type: "Follow", actor: dave.actorId.href, object: lyon.href };
    const rows = await outboxCount(relais);
    const responses = await Promise.all(Array.from({ length: 5 }, () => dave.sendSigned(lyonInbox, follow)));
    expect(responses.every((r) => r.status === 202)).toBe(true);
    await waitForAnswer(dave, "Accept", follow.id);
    await settle();
    expect(answers(dave, "Accept")).toHaveLength(1);
    expect(await outboxCount(relais)).toBe(rows + 1);
    expect(await followsOf(relais, dave)).toEqual([`lyon accepted ${follow.id}`]);
  });

  it("removes the follow on Undo(Follow)", async () => {
    const erin = await peer("127.0.0.8", "erin");
    const { activityId } = await erin.follow(lyon);
    await waitForAnswer(erin, "Accept", activityId.href);
    expect(await followsOf(relais, erin)).toHaveLength(1);
    expect((await erin.undoFollow(lyon)).response.status).toBe(202);
    await until("the follow to be removed", async () => (await followsOf(relais, erin)).length === 0);
  });

  it("keeps a Follow of a collective that approves followers pending, without an Accept, until approve() sends a signed Accept", async () => {
    const frank = await peer("127.0.0.9", "frank");
    const { activityId } = await frank.follow(manual);
    await until("the pending follow", async () => (await followsOf(relais, frank)).length === 1);
    await settle();
    expect(await followsOf(relais, frank)).toEqual([`manual pending ${activityId.href}`]);
    expect(answers(frank, "Accept")).toEqual([]);
    await relais.runtime.followers.approve("manual", frank.actorId.href);
    const accept = await waitForAnswer(frank, "Accept", activityId.href);
    expect(accept.signer).toBe(manual.href);
    expect(await followsOf(relais, frank)).toEqual([`manual accepted ${activityId.href}`]);
  });

  it("removes a pending follow on reject() and sends a signed Reject", async () => {
    const grace = await peer("127.0.0.10", "grace");
    const { activityId } = await grace.follow(manual);
    await until("the pending follow", async () => (await followsOf(relais, grace)).length === 1);
    await relais.runtime.followers.reject("manual", grace.actorId.href);
    const reject = await waitForAnswer(grace, "Reject", activityId.href);
    expect(reject.signer).toBe(manual.href);
    expect(await followsOf(relais, grace)).toEqual([]);
    expect(answers(grace, "Accept")).toEqual([]);
  });

  it("caches a remote actor with its inbox and shared inbox, and refreshes a stale entry when it follows again", async () => {
    const heidi = await peer("127.0.0.11", "heidi");
    const { activityId } = await heidi.follow(lyon);
    await waitForAnswer(heidi, "Accept", activityId.href);
    const actorRow = async () =>
      (await query(relais, "select type, handle, name, inbox_url, shared_inbox_url, fetched_at from remote_actor where ap_id = ?", [heidi.actorId.href]))[0];
    const cached = {
      type: "Person",
      handle: heidi.acct,
      name: "Heidi",
      inbox_url: heidi.inboxUrl.href,
      shared_inbox_url: heidi.sharedInboxUrl.href,
    };
    expect(await actorRow()).toMatchObject(cached);
    await query(
      relais,
      `update remote_actor set fetched_at = now() - interval '30 days', inbox_url = 'http://stale.invalid/inbox',
       shared_inbox_url = null, name = 'Stale' where ap_id = ?`,
      [heidi.actorId.href],
    );
    const refollow = await heidi.follow(lyon);
    await waitForAnswer(heidi, "Accept", refollow.activityId.href);
    const refreshed = await actorRow();
    expect(refreshed).toMatchObject(cached);
    expect(Date.now() - new Date(String(refreshed?.fetched_at)).getTime()).toBeLessThan(5 * 60_000);
  });

  it("refuses an unsigned Delete of an actor whose document still exists (401) and removes nothing", async () => {
    const ivan = await peer("127.0.0.12", "ivan");
    const { activityId } = await ivan.follow(lyon);
    await waitForAnswer(ivan, "Accept", activityId.href);
    const response = await ivan.sendSigned(lyonInbox, deleteOf(ivan), { unsigned: true });
    expect(response.status).toBe(401);
    await settle();
    expect(await followsOf(relais, ivan)).toEqual([`lyon accepted ${activityId.href}`]);
  });

  it.each([
    ["while its key is still in the cache", false],
    ["once its key can no longer be fetched (410)", true],
  ])("removes every follow of a deleted actor %s, answering 202", async (_when, keyGone) => {
    const judy = await peer(keyGone ? "127.0.0.13" : "127.0.0.14", keyGone ? "judy" : "karl");
    const { activityId } = await judy.follow(lyon);
    await waitForAnswer(judy, "Accept", activityId.href);
    await judy.follow(manual);
    await until("both follows", async () => (await followsOf(relais, judy)).length === 2);
    judy.answerActorWith(410);
    // Fedify keeps fetched keys and documents for a while; forget them as if that time had passed.
    if (keyGone) await forgetCachedDocuments(judy);
    const response = await judy.sendSigned(lyonInbox, deleteOf(judy));
    expect(response.status).toBe(202);
    await until("the follows to be removed", async () => (await followsOf(relais, judy)).length === 0);
    expect(await query(relais, "select 1 from remote_actor where ap_id = ?", [judy.actorId.href])).toEqual([]);
  });

  async function forgetCachedDocuments(p: MastodonPeer): Promise<void> {
    if (redisClient) {
      const keys = await instanceKvKeys(redisClient, p);
      expect(keys.length).toBeGreaterThan(0);
      await redisClient.del(...keys);
      return;
    }
    await query(relais, "delete from fedify_kv where array_to_string(key, ' ') like ?", [`%${p.origin.host}%`]);
  }
});
