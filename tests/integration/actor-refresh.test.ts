import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("cached remote actors are refreshed when stale", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  const db = () => relais.runtime.orm.em.getConnection();
  const actorRow = async () =>
    (await db().execute<{ inbox_url: string; fetched_at: Date }[]>("select inbox_url, fetched_at from remote_actor where ap_id = ?", [peer.actorId.href]))[0];
  const age = (apId: string, inbox?: string) =>
    db().execute(
      `update remote_actor set fetched_at = now() - interval '2 days'${inbox ? ", inbox_url = ?" : ""} where ap_id = ?`,
      inbox ? [inbox, apId] : [apId],
    );

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: true });
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "erin" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    await peer.follow(relais.url("/@lyon"));
    await peer.waitFor((d) => d.activity?.type === "Accept", { timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  it("leaves fresh actors alone", async () => {
    expect(await relais.runtime.refresher.refreshStale()).toEqual({ refreshed: 0, removed: 0, failed: 0 });
  });

  it("fetches a day-old actor again and stores its current inbox", async () => {
    await age(peer.actorId.href, "http://127.0.0.2:1/moved-away");
    expect(await relais.runtime.refresher.refreshStale()).toEqual({ refreshed: 1, removed: 0, failed: 0 });
    const row = await actorRow();
    expect(row?.inbox_url).toBe(peer.inboxUrl.href);
    expect(Date.now() - new Date(row!.fetched_at).getTime()).toBeLessThan(60_000);
  });

  it("keeps the follower when its server fails or answers 404, and removes it when the account is gone (410)", async () => {
    for (const status of [500, 404]) {
      peer.answerActorWith(status);
      await age(peer.actorId.href);
      expect(await relais.runtime.refresher.refreshStale()).toEqual({ refreshed: 0, removed: 0, failed: 1 });
      expect(await relais.runtime.followers.list("lyon")).toHaveLength(1);
    }

    peer.answerActorWith(410);
    await age(peer.actorId.href);
    expect(await relais.runtime.refresher.refreshStale()).toEqual({ refreshed: 0, removed: 1, failed: 0 });
    expect(await relais.runtime.followers.list("lyon")).toEqual([]);
  });
});
