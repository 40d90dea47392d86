// Undo(Follow) as servers really send it (issue 14, item 2): Gancio embeds its Follow without `actor`,
// with ids that are the same every time (`…/federation/m/<followed>#follow`, `…#unfollow`). The Undo is
// matched by the stored Follow id when that Follow is the Undo actor's, on its origin; any Undo that is
// ignored says why in the log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogs, type LogCapture } from "../support/log-capture.ts";
import { ACTIVITY_STREAMS, type JsonObject, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

const WAIT_MS = 20_000;

describe("Undo(Follow) from servers that do not repeat the Follow's actor", () => {
  let relais: RelaisInstance;
  let gancio: MastodonPeer;
  let other: MastodonPeer;
  let logs: LogCapture;
  let target: URL;
  let inbox: URL;

  beforeAll(async () => {
    logs = await captureLogs();
    relais = await startRelaisInstance();
    [gancio, other] = await Promise.all([
      startMastodonPeer({ host: "127.0.0.2", username: "relay" }),
      startMastodonPeer({ host: "127.0.0.3", username: "other" }),
    ]);
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    target = relais.url("/@lyon");
    inbox = relais.url("/inbox");
  });

  afterAll(async () => {
    await Promise.all([gancio, other].map((p) => p?.close()));
    await relais?.close();
    await logs?.close();
  });

  async function follows(peer: MastodonPeer): Promise<string[]> {
    const rows = (await relais.runtime.orm.em
      .getConnection()
      .execute(
        `select f.state || ' ' || f.follow_activity_id as x from follower f join remote_actor a on a.id = f.actor_id
         where a.ap_id = ? order by 1`,
        [peer.actorId.href],
      )) as { x: string }[];
    return rows.map((r) => r.x);
  }

  // Gancio's shapes (server/federation/helpers.js: followActor, unfollowActor).
  const followId = () => `${gancio.origin.origin}/federation/m/${target.href}#follow`;
  const gancioFollow = () => ({ "@context": ACTIVITY_STREAMS, id: followId(), type: "Follow", actor: gancio.actorId.href, object: target.href });
  const gancioUndo = (object: unknown = { id: followId(), type: "Follow", object: target.href }) => ({
    "@context": ACTIVITY_STREAMS,
    id: `${gancio.origin.origin}/federation/m/${target.href}#unfollow`,
    type: "Undo",
    actor: gancio.actorId.href,
    object,
  });

  async function followAndWait(): Promise<void> {
    expect((await gancio.sendSigned(inbox, gancioFollow())).status).toBe(202);
    await until("the follow to be stored", async () => (await follows(gancio)).length === 1, WAIT_MS);
  }

  it("removes the follow on Gancio's Undo, whose embedded Follow has no actor, and again after a second follow with the same ids", async () => {
    for (let round = 1; round <= 2; round++) {
      await followAndWait();
      expect(await follows(gancio)).toEqual([`accepted ${followId()}`]);
      expect((await gancio.sendSigned(inbox, gancioUndo())).status).toBe(202);
      await until(`the unfollow of round ${round}`, async () => (await follows(gancio)).length === 0, WAIT_MS);
    }
    const decisions = logs.lines.filter((l) => l.level === "info" && l.text.startsWith("Undo"));
    expect(decisions.map((l) => l.text)).toEqual([
      "Undo (@lyon): unfollowed (matched by the Follow's id)",
      "Undo (@lyon): unfollowed (matched by the Follow's id)",
    ]);
  });

  it("removes the follow on an Undo that gives the Follow's id alone", async () => {
    await followAndWait();
    expect((await gancio.sendSigned(inbox, gancioUndo(followId()))).status).toBe(202);
    await until("the unfollow", async () => (await follows(gancio)).length === 0, WAIT_MS);
  });

  it("does not let another actor undo that follow by its id, and says why", async () => {
    await followAndWait();
    logs.clear();
    // Another server naming Gancio's Follow id: the id is not on its origin, so the Follow is fetched
    // from Gancio (which does not serve it: 404) and nothing is removed.
    const undo = { ...gancioUndo(), id: `${other.actorId.href}#undo-1`, actor: other.actorId.href };
    expect((await other.sendSigned(inbox, undo as JsonObject)).status).toBe(202);
    const decision = await logs.waitFor("the Undo's decision", (l) => l.level === "info" && l.text.startsWith("Undo"), WAIT_MS);
    expect(decision.text).toBe("Undo: ignored: its object answered 404");
    expect(await follows(gancio)).toEqual([`accepted ${followId()}`]);
  });

  it("logs why an Undo whose Follow names no actor and matches no stored follow is ignored", async () => {
    logs.clear();
    const stale = gancioUndo({ id: `${gancio.origin.origin}/federation/m/elsewhere#follow`, type: "Follow", object: target.href });
    expect((await gancio.sendSigned(inbox, stale)).status).toBe(202);
    const decision = await logs.waitFor("the Undo's decision", (l) => l.level === "info" && l.text.startsWith("Undo"), WAIT_MS);
    expect(decision.text).toBe("Undo: ignored: its Follow names no actor and its id matches no follow of this actor");
    expect(await follows(gancio)).toEqual([`accepted ${followId()}`]);
  });
});
