import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("a Mastodon user follows a collective (in-process instance, PostgreSQL, in-process queue)", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "alice" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" }, primaryLanguage: "fr" });
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  it("stores the follower once and sends a signed Accept", async () => {
    const target = relais.url("/@lyon");
    const { activityId, response } = await peer.follow(target);
    expect(response.status).toBe(202);
    const accept = await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 15_000 });
    expect(accept.signer).toBe(target.href);
    const object = accept.activity?.object as Record<string, unknown>;
    expect(object.id ?? object).toBe(activityId.href);
    const followers = await relais.runtime.followers.list("lyon");
    expect(followers).toHaveLength(1);
    expect(followers[0]?.actorApId).toBe(peer.actorId.href);
    expect(followers[0]?.state).toBe("accepted");
  });
});
