// Who follows which collective is political-opinion data (issue 13, defect 10): at the default log
// level the logs say what happened — a Follow of @lyon accepted, an Undo, a deleted actor, a gone inbox
// — but never who: no actor, inbox, activity id or host of the follower. With RELAIS_LOG_LEVEL=debug
// the same events name them, for the operator who investigates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CapturedLine, captureLogs, type LogCapture } from "../support/log-capture.ts";
import { ACTIVITY_STREAMS, type MastodonPeer, PUBLIC_COLLECTION, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

const WAIT_MS = 20_000;

describe.each(["info", "debug"] as const)("logs at level %s", (level) => {
  let relais: RelaisInstance;
  let ana: MastodonPeer;
  let bob: MastodonPeer;
  let carol: MastodonPeer;
  let logs: LogCapture;

  beforeAll(async () => {
    logs = await captureLogs(level);
    relais = await startRelaisInstance();
    [ana, bob, carol] = await Promise.all([
      startMastodonPeer({ host: "127.0.0.2", username: "ana" }),
      startMastodonPeer({ host: "127.0.0.3", username: "bob" }),
      startMastodonPeer({ host: "127.0.0.4", username: "carol" }),
    ]);
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    const target = relais.url("/@lyon");
    const followers = async () =>
      Number(((await relais.runtime.orm.em.getConnection().execute("select count(*) as n from follower")) as { n: string }[])[0]?.n);

    // ana follows, then unfollows; bob follows, then his account is deleted; carol follows, then her
    // account is deleted and gone (410) before her Delete arrives.
    const followed = await ana.follow(target);
    ana.serve(followed.activity);
    await ana.waitFor((d) => d.activity?.type === "Accept", { timeoutMs: WAIT_MS });
    for (const peer of [bob, carol]) {
      await peer.follow(target);
      await peer.waitFor((d) => d.activity?.type === "Accept", { timeoutMs: WAIT_MS });
    }
    await ana.undoFollow(target);
    await until("ana's unfollow", async () => (await followers()) === 2, WAIT_MS);
    const deleteOf = (peer: MastodonPeer) => {
      const actor = peer.actorId.href;
      return { "@context": ACTIVITY_STREAMS, id: `${actor}#delete`, type: "Delete", actor, object: actor, to: [PUBLIC_COLLECTION] };
    };
    await bob.sendSigned(relais.url("/@lyon/inbox"), deleteOf(bob));
    await until("bob's deletion", async () => (await followers()) === 1, WAIT_MS);
    carol.answerActorWith(410);
    expect((await carol.sendSigned(relais.url("/@lyon/inbox"), deleteOf(carol))).status).toBe(202);
    await until("carol's deletion", async () => (await followers()) === 0, WAIT_MS);
  });

  afterAll(async () => {
    await Promise.all([ana, bob, carol].map((p) => p?.close()));
    await relais?.close();
    await logs?.close();
  });

  /** Every line's text and properties, to search for identities. */
  const rendered = (lines: CapturedLine[]) => lines.map((l) => `${l.level} ${l.text} ${JSON.stringify(l.record.properties)}`);

  it("says what the inbox decided", () => {
    const decisions = logs.lines.filter((l) => l.level === "info" && l.category === "relais.inbox").map((l) => l.text);
    expect(decisions).toEqual([
      "Follow (@lyon): accepted (new follower)",
      "Follow (@lyon): accepted (new follower)",
      "Follow (@lyon): accepted (new follower)",
      "Undo (@lyon): unfollowed (matched by the Follow's id)",
      "Delete: actor deleted: removed 1 follow(s), 0 partner follow(s), 0 partner event(s)",
      "Delete: a deleted actor's server says it is gone (410): removed 1 follow(s), 0 partner follow(s), 0 partner event(s)",
    ]);
  });

  it.runIf(level === "info")("names no follower at INFO: no actor, activity id or host", () => {
    const text = rendered(logs.lines.filter((l) => l.level === "info")).join("\n");
    for (const peer of [ana, bob, carol]) {
      expect(text).not.toContain(peer.actorId.href);
      expect(text).not.toContain(peer.origin.host);
    }
    expect(logs.lines.some((l) => l.level === "debug")).toBe(false);
    // Above INFO, only Fedify's refusal of the gone actor's signature (its key outlived its document;
    // Relais then believes the Delete on its server's word) says whose it was: a security error, kept.
    expect(logs.lines.filter((l) => l.level !== "info").map((l) => `${l.category} ${l.record.rawMessage}`)).toEqual([
      "fedify.federation.inbox The signer ({keyId}) and the actor ({actorId}) do not match.",
    ]);
  });

  it.runIf(level === "debug")("names them at debug level", () => {
    const debug = rendered(logs.lines.filter((l) => l.level === "debug" && l.category === "relais.inbox")).join("\n");
    expect(debug).toContain(ana.actorId.href);
    expect(debug).toContain(`${bob.actorId.href}#delete`);
    expect(debug).toContain(`${carol.actorId.href} is gone (410)`);
  });
});
