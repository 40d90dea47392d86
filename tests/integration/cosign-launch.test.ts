// The launch of a co-signed call (issue 9; FEDERATION.md "Co-signed calls"): before it, nothing of the
// call nor of its stamps is served to anyone but the collectives concerned; at it, the initiator publishes
// and every signer boosts within the minute, so that a Mastodon-shaped follower of the initiator and two
// signatories gets the call once in its home feed (Mastodon folds boosts of a post among its newest 40);
// a Gancio-shaped follower of a signer is sent nothing it would answer 404 to, and stays a follower. A
// collective signing after the launch boosts once listed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { signedGet } from "../../src/federation/object-proofs.ts";
import { createEditor } from "../support/editor.ts";
import { type GancioPeer, startGancioPeer } from "../support/gancio-peer.ts";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const marker = "zq-launch-marker";
const idOf = (v: unknown) => (typeof v === "string" ? v : (v as Json | undefined)?.id);

/**
 * Mastodon's home feed insertion (feed_manager.rb, `aggregate_reblogs`): a boost is not inserted when
 * its original, or another boost of it, is among the newest 40 entries. Returns the entries.
 */
function homeFeed(deliveries: readonly ReceivedDelivery[]): { kind: string; object: string; by: string }[] {
  const feed: { kind: string; object: string; by: string }[] = [];
  for (const d of deliveries) {
    if (!d.signatureValid || !d.activity) continue;
    const type = d.activity.type;
    const object = idOf(d.activity.object) as string | undefined;
    if (!object) continue;
    const by = String(d.activity.actor);
    if (type === "Create") feed.push({ kind: "status", object, by });
    if (type === "Announce" && !feed.slice(-40).some((e) => e.object === object)) feed.push({ kind: "reblog", object, by });
  }
  return feed;
}

describe("launching a co-signed call", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let mastodon: MastodonPeer;
  let gancio: GancioPeer;
  let editorA: Principal;
  let callId: string;
  let callUrl: string;
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });
  const signedBy = (from: RelaisInstance, slug: string, url: string) =>
    signedGet(from.runtime.federation.createContext(from.origin, undefined), slug, new URL(url), { allowPrivateAddresses: true });

  async function inviteAndSign(slug: string): Promise<string> {
    const found = await a.runtime.cosignPartners(b.url(`/@${slug}`).href);
    if (!found.ok) throw new Error(found.reason);
    await a.runtime.cosign.invite(editorA, callId, found.partner);
    const [inv] = await until(`the invitation at ${slug}`, async () => {
      const items = await b.runtime.cosign.received("cli", slug);
      return items.length > 0 ? items : undefined;
    });
    const signed = await b.runtime.cosign.sign("cli", slug, inv!.id);
    await until(`${slug} listed`, async () => (await a.runtime.cosign.signatories(callId)).some((s) => s.signer.apId === b.url(`/@${slug}`).href));
    return signed.stamp!.url;
  }

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    [mastodon, gancio] = await Promise.all([startMastodonPeer({ host: "127.0.0.3", username: "ana" }), startGancioPeer({ host: "127.0.0.4" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    for (const slug of ["koeln", "gent", "liege"]) await b.runtime.collectives.create({ slug, name: { fr: slug }, primaryLanguage: "fr" });
    editorA = (await createEditor(a.runtime, "cdc", `${marker}@example.org`)).principal;
    await createEditor(b.runtime, "koeln", `${marker}-b@example.org`);
    for (const url of [a.url("/@cdc"), b.url("/@koeln"), b.url("/@gent"), b.url("/@liege")]) await mastodon.follow(url);
    expect((await gancio.addTrustedActor(`@koeln@${b.origin.host}`)).status).toBe(200);
    await gancio.toggleFollow(b.url("/@koeln").href);
    await until("four follows accepted", async () => mastodon.received.filter((d) => d.activity?.type === "Accept" && d.signatureValid).length >= 4, 60_000);
    await gancio.inbox.waitFor((d) => d.activity?.type === "Accept", { timeoutMs: 30_000 });
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique" },
      body: { fr: "Nous **exigeons** la fin du score." },
      demands: [{ fr: "Fin du score de risque" }],
    });
    callId = call.id;
    callUrl = call.apId.href;
    await a.runtime.calls.consult(editorA, callId);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([mastodon?.close(), gancio?.close()]);
    await Promise.all([a?.close(), b?.close()]);
  });

  it("keeps everything embargoed before launch, then publishes once and boosts from every signer", async () => {
    const stamps = [await inviteAndSign("koeln"), await inviteAndSign("gent")];
    // Embargo: nobody else reads the call, its version, its signatories or the stamps, signed or not.
    for (const url of [callUrl, `${callUrl}/versions/1`, `${callUrl}/signatories`, ...stamps]) {
      expect((await as2(url)).status).toBe(404);
      expect((await mastodon.fetchSigned(new URL(url))).status).toBe(404);
    }
    expect((await fetch(callUrl)).status).toBe(404); // the page too
    expect(mastodon.received.some((d) => JSON.stringify(d.activity ?? {}).includes(callUrl))).toBe(false);

    const launchedAt = Date.now();
    await a.runtime.calls.open(editorA, callId);
    const aboutCall = (d: ReceivedDelivery) => d.signatureValid && idOf(d.activity?.object) === callUrl;
    const create = await mastodon.waitFor((d) => aboutCall(d) && d.activity?.type === "Create", { timeoutMs: 60_000 });
    expect(create.signer).toBe(a.url("/@cdc").href);
    for (const slug of ["koeln", "gent"]) {
      const boost = await mastodon.waitFor((d) => aboutCall(d) && d.activity?.type === "Announce" && d.activity.actor === b.url(`/@${slug}`).href, { timeoutMs: 60_000 });
      expect(boost.signer).toBe(b.url(`/@${slug}`).href);
      expect(boost.activity).toMatchObject({ to: ["https://www.w3.org/ns/activitystreams#Public"], cc: [b.url(`/@${slug}/followers`).href] });
    }
    expect(Date.now() - launchedAt).toBeLessThan(60_000);
    // One boost per signer, and the home feed shows the call once.
    expect(mastodon.received.filter((d) => aboutCall(d) && d.activity?.type === "Announce")).toHaveLength(2);
    expect(homeFeed(mastodon.received).filter((e) => e.object === callUrl)).toEqual([{ kind: "status", object: callUrl, by: a.url("/@cdc").href }]);

    // Public now: the call, its signatories and the stamps, to anyone.
    for (const url of [callUrl, `${callUrl}/signatories`, ...stamps]) expect((await as2(url)).status).toBe(200);
    const collection = (await (await as2(`${callUrl}/signatories`)).json()) as Json;
    expect(collection.totalItems).toBe(2);
    const article = (await (await as2(callUrl)).json()) as Json;
    expect(article.signatories).toBe(`${callUrl}/signatories`);

    // Gancio was sent neither the Article nor a boost, and still follows koeln.
    expect(gancio.inbox.received.filter((d) => ["Create", "Announce"].includes(String(d.activity?.type)))).toEqual([]);
    const koeln = await b.runtime.collectives.findBySlug("koeln");
    expect(await b.runtime.followers.countAccepted(koeln!.id)).toBe(2);
    // No editor's e-mail in anything the Mastodon follower got.
    expect(mastodon.received.some((d) => d.body.includes(marker))).toBe(false);
  }, 180_000);

  it("has a collective that signs after the launch boost once it is listed, the feed still showing the call once", async () => {
    await inviteAndSign("liege");
    const boost = await mastodon.waitFor((d) => d.signatureValid && d.activity?.type === "Announce" && d.activity.actor === b.url("/@liege").href, { timeoutMs: 60_000 });
    expect(idOf(boost.activity?.object)).toBe(callUrl);
    expect(homeFeed(mastodon.received).filter((e) => e.object === callUrl)).toHaveLength(1);
    // A signer that is told again (a replayed launch) does not boost twice.
    expect(await b.runtime.cosign.incomingLaunch(callUrl, a.url("/@cdc").href)).toBe(0);
    const fromInvited = await signedBy(b, "liege", `${callUrl}/signatories`);
    expect(fromInvited.ok && fromInvited.json.totalItems).toBe(3);
  }, 120_000);
});
