// Partners' action kits kept here go when the partnership ends (issue 11): when the last collective that
// follows the author unfollows it (not before), when the author answers our Follow with a Reject, when it
// sends the Delete of itself, and when its actor answers 410 to the refresher. One real instance,
// Mastodon-shaped partners on loopback sending signed activities over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVITY_STREAMS, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("partners' kits removed with the partnership", () => {
  let relais: RelaisInstance;
  let shared: MastodonPeer; // followed by two collectives, unfollowed by both in turn
  let rejecting: MastodonPeer; // answers our Follow with a Reject
  let leaving: MastodonPeer; // deletes itself
  let fading: MastodonPeer; // its actor ends up answering 410
  const sql = <T>(q: string, params: unknown[] = []) => relais.runtime.em.fork().getConnection().execute<T[]>(q, params);
  const kitsOf = async (peer: MastodonPeer) => (await sql<{ ap_id: string }>("select ap_id from partner_action_kit where author_ap_id = ?", [peer.actorId.href])).map((r) => r.ap_id);
  const partnerIds = new Map<string, string>();

  beforeAll(async () => {
    relais = await startRelaisInstance();
    [shared, rejecting, leaving, fading] = await Promise.all([
      startMastodonPeer({ host: "127.0.0.71", username: "shared" }),
      startMastodonPeer({ host: "127.0.0.72", username: "rejecting" }),
      startMastodonPeer({ host: "127.0.0.73", username: "leaving" }),
      startMastodonPeer({ host: "127.0.0.74", username: "fading" }),
    ]);
    for (const slug of ["lyon", "bxl"]) await relais.runtime.collectives.create({ slug, name: { fr: slug }, primaryLanguage: "fr" });
    for (const [slug, peer] of [["lyon", shared], ["bxl", shared], ["lyon", rejecting], ["lyon", leaving], ["lyon", fading]] as const) {
      const found = await relais.runtime.partnerActors.resolve(peer.actorId.href);
      if (!found.ok) throw new Error(found.reason);
      const { partner } = await relais.runtime.partners.follow("cli", slug, found.actor);
      partnerIds.set(`${slug} ${peer.actorId.href}`, partner.id);
    }
    // What the inbox keeps from a followed partner's kit Article (its delivery: partner-kits-two-instances.test.ts).
    for (const peer of [shared, rejecting, leaving, fading]) {
      for (const n of [1, 2]) {
        const apId = new URL(`/kits/0000000${n}-0000-4000-8000-000000000000`, peer.origin).href;
        const outcome = await relais.runtime.actionkits.receivePartnerKit({
          apId,
          url: apId,
          title: { fr: `Kit ${n}` },
          country: "FR",
          authorApId: peer.actorId.href,
          authorName: peer.actorId.href,
          publishedAt: Temporal.Now.instant(),
        });
        expect(outcome).toBe("stored");
      }
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([shared, rejecting, leaving, fading].map((p) => p?.close()));
    await relais?.close();
  });

  it("keeps the kits while another collective follows the author, removes them with the last unfollow", async () => {
    await relais.runtime.partners.unfollow("cli", "lyon", partnerIds.get(`lyon ${shared.actorId.href}`) as string);
    expect(await kitsOf(shared)).toHaveLength(2);
    await relais.runtime.partners.unfollow("cli", "bxl", partnerIds.get(`bxl ${shared.actorId.href}`) as string);
    expect(await kitsOf(shared)).toEqual([]);
    // The others' stay.
    expect(await kitsOf(leaving)).toHaveLength(2);
  });

  it("removes the kits of an author that rejects our Follow", async () => {
    const [follow] = await sql<{ follow_activity_id: string }>("select follow_activity_id from partner where id = ?", [partnerIds.get(`lyon ${rejecting.actorId.href}`)]);
    const reject = {
      "@context": ACTIVITY_STREAMS,
      id: `${rejecting.actorId.href}#reject-1`,
      type: "Reject",
      actor: rejecting.actorId.href,
      object: { id: follow?.follow_activity_id, type: "Follow", actor: relais.url("/@lyon").href, object: rejecting.actorId.href },
    };
    expect((await rejecting.sendSigned(relais.url("/@lyon/inbox"), reject)).status).toBe(202);
    await until("the kits of the rejecting author to go", async () => ((await kitsOf(rejecting)).length === 0 ? true : undefined), 30_000);
    expect(await kitsOf(fading)).toHaveLength(2);
  });

  it("removes the kits of an author that deletes itself", async () => {
    const del = { "@context": ACTIVITY_STREAMS, id: `${leaving.actorId.href}#delete`, type: "Delete", actor: leaving.actorId.href, object: leaving.actorId.href };
    expect((await leaving.sendSigned(relais.url("/inbox"), del)).status).toBe(202);
    await until("the kits of the deleted author to go", async () => ((await kitsOf(leaving)).length === 0 ? true : undefined), 30_000);
    expect(await kitsOf(fading)).toHaveLength(2);
  });

  it("removes the kits of an author whose actor answers 410 to the refresher", async () => {
    const age = () => sql("update remote_actor set fetched_at = now() - interval '2 days' where ap_id = ?", [fading.actorId.href]);
    await age();
    expect(await relais.runtime.refresher.refreshStale()).toMatchObject({ refreshed: 1, removed: 0 });
    expect(await kitsOf(fading)).toHaveLength(2);
    fading.answerActorWith(410);
    await age();
    expect(await relais.runtime.refresher.refreshStale()).toMatchObject({ removed: 1 });
    expect(await kitsOf(fading)).toEqual([]);
    expect(await sql("select ap_id from partner_action_kit")).toEqual([]);
  });
});
