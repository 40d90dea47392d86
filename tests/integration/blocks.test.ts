// Blocks end to end (issue 7 item 5): a real instance, Mastodon-shaped peers on loopback signing for
// real. An instance-wide block of a server or an actor, or a collective's block: its follows go (with a
// Reject), its deliveries are refused before anything is stored or queued (rows and queue counted),
// nothing is fetched from it (the peer counts every request it serves), subdomains included, and the
// others — unblocked servers, other collectives — are not touched. On the embedded default and on
// PostgreSQL + Redis.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlockedFetchError } from "../../src/federation/fedify-workarounds.ts";
import { generateSigningKey } from "../support/http-signatures.ts";
import { ACTIVITY_STREAMS, type JsonObject, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { untilQueueIdle } from "../support/wait.ts";

const WAIT_MS = 30_000;
const SPAM_HOST = "127.0.0.41";
const FRIEND_HOST = "127.0.0.42";
const RIVAL_HOST = "127.0.0.43";

const modes = [
  { name: "the embedded default", redis: false, embedded: true },
  { name: "PostgreSQL + Redis", redis: true, embedded: false },
] as const;

function followOf(peer: MastodonPeer, target: URL): JsonObject {
  return { "@context": ACTIVITY_STREAMS, id: peer.newId("follows").href, type: "Follow", actor: peer.actorId.href, object: target.href };
}

const answerTo = (peer: MastodonPeer, type: "Accept" | "Reject", follow: JsonObject) =>
  peer.waitFor((d) => d.activity?.type === type && d.signatureValid && JSON.stringify(d.activity).includes(String(follow.id)), { timeoutMs: WAIT_MS });

describe.each(modes)("blocks ($name)", ({ redis, embedded }) => {
  let relais: RelaisInstance;
  let spammer: MastodonPeer;
  let friend: MastodonPeer;
  let neighbour: MastodonPeer; // on the friend's server: an actor block must leave it alone
  let rival: MastodonPeer;
  const follows: Record<string, JsonObject> = {};

  beforeAll(async () => {
    relais = await startRelaisInstance({ redis, embedded });
    [spammer, friend, neighbour, rival] = await Promise.all([
      startMastodonPeer({ host: SPAM_HOST, username: "spammer" }),
      startMastodonPeer({ host: FRIEND_HOST, username: "friend" }),
      startMastodonPeer({ host: FRIEND_HOST, username: "neighbour" }),
      startMastodonPeer({ host: RIVAL_HOST, username: "rival" }),
    ]);
    for (const slug of ["lyon", "bxl"]) await relais.runtime.collectives.create({ slug, name: { fr: slug }, primaryLanguage: "fr" });
    const follow = async (name: string, peer: MastodonPeer, target: string) => {
      const sent = await peer.follow(relais.url(target));
      expect(sent.response.status).toBe(202);
      follows[name] = sent.activity;
      await answerTo(peer, "Accept", sent.activity);
    };
    await follow("spammer-lyon", spammer, "/@lyon");
    await follow("spammer-instance", spammer, "/@relais.instance");
    await follow("friend-lyon", friend, "/@lyon");
    await follow("rival-lyon", rival, "/@lyon");
    await follow("rival-bxl", rival, "/@bxl");
  }, 120_000);

  afterAll(async () => {
    await Promise.all([spammer, friend, neighbour, rival].map((p) => p?.close()));
    await relais?.close();
  });

  const sql = async <T>(query: string, params: unknown[] = []) => (await relais.runtime.em.fork().getConnection().execute(query, params)) as T[];

  /** Every row an inbox delivery could leave, as text. */
  async function rows(): Promise<string[]> {
    const followers = await sql<{ x: string }>(
      `select coalesce(c.slug, 'instance') || ' ' || a.ap_id || ' ' || f.state as x
       from follower f join remote_actor a on a.id = f.actor_id left join collective c on c.id = f.collective_id order by 1`,
    );
    const actors = await sql<{ x: string }>("select ap_id as x from remote_actor order by 1");
    const outbox = await sql<{ x: string }>("select activity_id || ' ' || kind as x from outbox order by 1");
    return [...followers.map((r) => `follower ${r.x}`), ...actors.map((r) => `actor ${r.x}`), ...outbox.map((r) => `outbox ${r.x}`)];
  }

  const followersOf = async (peer: MastodonPeer) =>
    (await rows()).filter((r) => r.startsWith("follower ") && r.includes(peer.actorId.href)).map((r) => r.split(" ")[1]);

  async function queued(): Promise<number> {
    return (await relais.runtime.queue.getDepth()).queued;
  }

  /** Sends, expects `status`, and checks that no row and no queued message appeared. */
  async function expectNothingKept(status: number, request: () => Promise<Response>): Promise<Response> {
    await untilQueueIdle(relais.runtime.queue);
    const [before, depthBefore] = [await rows(), await queued()];
    const response = await request();
    expect(response.status).toBe(status);
    expect(await queued()).toBe(depthBefore);
    expect(await rows()).toEqual(before);
    return response;
  }

  it("blocks a server instance-wide: its follows of every collective and of the instance actor go, each with a Reject, and the block is audited", async () => {
    expect(await followersOf(spammer)).toEqual(["instance", "lyon"]);
    const result = await relais.runtime.blocks.add("cli", "instance", ` ${SPAM_HOST} `, { reason: "spam wave" });
    expect(result).toMatchObject({ created: true, purged: { followers: 2 }, block: { kind: "domain", target: SPAM_HOST, collective: null, createdBy: "cli" } });
    expect(await followersOf(spammer)).toEqual([]);
    await answerTo(spammer, "Reject", follows["spammer-lyon"]!);
    await answerTo(spammer, "Reject", follows["spammer-instance"]!);
    const audit = await sql<{ collective_id: string | null; actor: string; subject: string; detail: string }>(
      "select collective_id, actor, subject, detail from audit_entry where action = 'block.add'",
    );
    expect(audit).toEqual([{ collective_id: null, actor: "cli", subject: SPAM_HOST, detail: "spam wave" }]);
    // Blocking again changes nothing.
    expect(await relais.runtime.blocks.add("cli", "instance", SPAM_HOST)).toMatchObject({ created: false, purged: { followers: 0 } });
  });

  it("refuses what a blocked server sends (403) before anything is stored or queued, on every inbox", async () => {
    for (const inbox of ["/@lyon/inbox", "/@bxl/inbox", "/inbox"]) {
      const refused = await expectNothingKept(403, () => spammer.sendSigned(relais.url(inbox), followOf(spammer, relais.url("/@bxl"))));
      expect(await refused.json()).toMatchObject({ error: "blocked" });
      const create = spammer.buildCreateNote({ content: "<p>buy now</p>" });
      await expectNothingKept(403, () => spammer.sendSigned(relais.url(inbox), create));
    }
  });

  it("fetches nothing from a blocked server, whoever asks for it, and still fetches from the others and from itself", async () => {
    await untilQueueIdle(relais.runtime.queue);
    const served = spammer.served.length;
    // An Undo from an unblocked server whose Follow would have to be fetched from the blocked one.
    const undo = {
      "@context": ACTIVITY_STREAMS,
      id: `${friend.actorId.href}#undo-${Date.now()}`,
      type: "Undo",
      actor: friend.actorId.href,
      object: new URL("/follows/1", spammer.origin).href,
    };
    expect((await friend.sendSigned(relais.url("/@lyon/inbox"), undo)).status).toBe(202);
    // A remote @context on the blocked server: the inbox cannot read the activity, and says so.
    const withContext = { ...followOf(friend, relais.url("/@bxl")), "@context": [ACTIVITY_STREAMS, new URL("/context.jsonld", spammer.origin).href] };
    const unreadable = await friend.sendSigned(relais.url("/@bxl/inbox"), withContext);
    expect(unreadable.status).toBe(400);
    expect(await unreadable.json()).toMatchObject({ error: "context_unavailable", message: expect.stringContaining("blocked") });
    // The federation's own loaders, as every Fedify path uses them.
    const ctx = relais.runtime.federation.createContext(relais.origin, undefined);
    await expect(ctx.documentLoader(spammer.actorId.href)).rejects.toBeInstanceOf(BlockedFetchError);
    const signed = await ctx.getDocumentLoader({ identifier: "relais.instance" });
    await expect(signed(spammer.actorId.href)).rejects.toBeInstanceOf(BlockedFetchError);
    await expect(ctx.contextLoader(new URL("/context.jsonld", spammer.origin).href)).rejects.toBeInstanceOf(BlockedFetchError);
    await untilQueueIdle(relais.runtime.queue);
    expect(spammer.served.slice(served).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    // Unblocked servers and our own documents load as before.
    expect((await signed(friend.actorId.href)).document).toMatchObject({ id: friend.actorId.href });
    expect((await ctx.documentLoader(relais.url("/@lyon").href)).document).toMatchObject({ type: "Group" });
    expect(await followersOf(friend)).toEqual(["lyon"]);
  });

  it("leaves unblocked servers alone: a new follow is accepted", async () => {
    const sent = await friend.follow(relais.url("/@bxl"));
    expect(sent.response.status).toBe(202);
    await answerTo(friend, "Accept", sent.activity);
    expect(await followersOf(friend)).toEqual(["bxl", "lyon"]);
  });

  it("blocks subdomains with their domain, however the domain is written", async () => {
    const result = await relais.runtime.blocks.add("cli", "instance", "*.Blocked.EXAMPLE.");
    expect(result.block.target).toBe("blocked.example");
    // Signed by a key on a subdomain: refused on the signature's key alone, before any lookup.
    const key = await generateSigningKey(new URL("http://social.blocked.example/users/x#main-key"));
    const follow = { ...followOf(friend, relais.url("/@lyon")), actor: "http://social.blocked.example/users/x" };
    await expectNothingKept(403, () => friend.sendSigned(relais.url("/@lyon/inbox"), follow, { key }));
    // Signed by an unblocked server, for an actor on a subdomain: refused once the body is read.
    const forActor = { ...followOf(friend, relais.url("/@lyon")), actor: "http://a.b.blocked.example/users/y" };
    const refused = await expectNothingKept(403, () => friend.sendSigned(relais.url("/@lyon/inbox"), forActor));
    expect(await refused.json()).toMatchObject({ error: "blocked", message: "activities of a.b.blocked.example are refused by this instance" });
  });

  it("blocks one actor instance-wide and not its server's other actors", async () => {
    const sent = await neighbour.follow(relais.url("/@lyon"));
    await answerTo(neighbour, "Accept", sent.activity);
    const result = await relais.runtime.blocks.add("cli", "instance", `${neighbour.actorId.href}#main-key`);
    expect(result).toMatchObject({ created: true, purged: { followers: 1 }, block: { kind: "actor", target: neighbour.actorId.href } });
    await answerTo(neighbour, "Reject", sent.activity);
    await expectNothingKept(403, () => neighbour.sendSigned(relais.url("/@bxl/inbox"), followOf(neighbour, relais.url("/@bxl"))));
    // The friend shares its server and keeps its follows and its say.
    expect(await followersOf(friend)).toEqual(["bxl", "lyon"]);
    const again = followOf(friend, relais.url("/@bxl"));
    expect((await friend.sendSigned(relais.url("/@bxl/inbox"), again)).status).toBe(202);
    await answerTo(friend, "Accept", again);
  });

  it("applies a collective's block to that collective only: its follow goes, its deliveries to it are accepted and dropped, other collectives still get theirs", async () => {
    expect(await followersOf(rival)).toEqual(["bxl", "lyon"]);
    const result = await relais.runtime.blocks.add("cli", { slug: "lyon" }, RIVAL_HOST);
    expect(result).toMatchObject({ created: true, purged: { followers: 1 }, block: { collective: "lyon", target: RIVAL_HOST } });
    await answerTo(rival, "Reject", follows["rival-lyon"]!);
    expect(await followersOf(rival)).toEqual(["bxl"]);
    // To the collective's own inbox: 202 (the blocked learn nothing), nothing kept, nothing answered.
    const toLyon = followOf(rival, relais.url("/@lyon"));
    await expectNothingKept(202, () => rival.sendSigned(relais.url("/@lyon/inbox"), toLyon));
    // Dropped before Fedify reads it: even a body altered under its signature gets 202 there (401 elsewhere).
    const tampered = { mutateBodyAfterSigning: (body: string) => body.replace("Follow", "Follow ") };
    await expectNothingKept(202, () => rival.sendSigned(relais.url("/@lyon/inbox"), followOf(rival, relais.url("/@lyon")), tampered));
    await expectNothingKept(401, () => rival.sendSigned(relais.url("/@bxl/inbox"), followOf(rival, relais.url("/@bxl")), tampered));
    // Through the shared inbox (which serves every collective): queued, then refused for lyon.
    const shared = followOf(rival, relais.url("/@lyon"));
    expect((await rival.sendSigned(relais.url("/inbox"), shared)).status).toBe(202);
    await untilQueueIdle(relais.runtime.queue);
    expect(await followersOf(rival)).toEqual(["bxl"]);
    // Another collective is not concerned: its follow is accepted.
    const toBxl = followOf(rival, relais.url("/@bxl"));
    expect((await rival.sendSigned(relais.url("/@bxl/inbox"), toBxl)).status).toBe(202);
    await answerTo(rival, "Accept", toBxl);
    expect(rival.received.filter((d) => d.activity?.type === "Accept" && [toLyon.id, shared.id].some((id) => JSON.stringify(d.activity).includes(String(id))))).toEqual([]);
    // Lifting the block lets it follow again (what was purged is not restored).
    await relais.runtime.blocks.remove("cli", { slug: "lyon" }, RIVAL_HOST);
    expect((await relais.runtime.blocks.rules()).collectiveWithBlocks("lyon")).toBeUndefined();
    const back = await rival.follow(relais.url("/@lyon"));
    await answerTo(rival, "Accept", back.activity);
    expect(await followersOf(rival)).toEqual(["bxl", "lyon"]);
  });
});
