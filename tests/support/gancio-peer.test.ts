// The Gancio-shaped peer does what Gancio 1.21 does, crashes included: these cases pin its behaviour,
// with a second Gancio-shaped peer and a Mastodon-shaped one as the other side.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GancioPeer, startGancioPeer } from "./gancio-peer.ts";
import { type MastodonPeer, startMastodonPeer } from "./mastodon-peer.ts";

const AS = "https://www.w3.org/ns/activitystreams";

describe("the Gancio-shaped peer", () => {
  let gancio: GancioPeer;
  let other: GancioPeer;
  let mastodon: MastodonPeer;

  beforeAll(async () => {
    gancio = await startGancioPeer({ host: "127.0.0.5" });
    other = await startGancioPeer({ host: "127.0.0.6" });
    mastodon = await startMastodonPeer({ host: "127.0.0.7", username: "mara" });
  });
  afterAll(async () => {
    await gancio?.close();
    await other?.close();
    await mastodon?.close();
  });

  const event = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    type: "Event",
    name: "Assemblée",
    startTime: "2030-03-09T14:00:00+01:00",
    location: { type: "Place", name: "Bourse du travail", address: { type: "PostalAddress", addressLocality: "Lyon" } },
    attributedTo: mastodon.actorId.href,
    content: "<p>Ordre du jour</p>",
    ...extra,
  });
  const activity = (type: string, object: unknown) => ({
    "@context": AS,
    id: mastodon.newId("activities").href,
    type,
    actor: mastodon.actorId.href,
    object,
  });
  const trustMastodon = async () => {
    const actor = await gancio.getActor(mastodon.actorId.href);
    actor!.trusted = true;
    actor!.following = true;
  };

  it("trusts only instances whose NodeInfo names an Application actor (FEP-2677)", async () => {
    expect((await gancio.addTrustedInstance(mastodon.origin.href)).status).toBe(404);
    const added = await gancio.addTrustedInstance(other.origin.href);
    expect(added.status).toBe(200);
    expect(added.actor?.apId).toBe(other.actorId.href);
    expect(added.actor?.trusted).toBe(true);
  });

  it("follows with a Gancio Follow and unfollows with an Undo whose Follow has no actor", async () => {
    await gancio.toggleFollow(other.actorId.href);
    const follow = await other.inbox.waitFor((d) => d.activity?.type === "Follow");
    expect(follow.signatureValid).toBe(true);
    expect(follow.status).toBe(200);
    expect(follow.activity?.id).toBe(`${gancio.origin.origin}/federation/m/${other.actorId.href}#follow`);
    const accept = await gancio.inbox.waitFor((d) => d.activity?.type === "Accept");
    expect(accept.status).toBe(202);
    await gancio.toggleFollow(other.actorId.href);
    const undo = await other.inbox.waitFor((d) => d.activity?.type === "Undo");
    expect(undo.activity?.object).toEqual({ id: follow.activity?.id, type: "Follow", object: other.actorId.href });
    expect(undo.status).toBe(200);
    expect(other.log.problems()).toEqual([]);
    expect(gancio.log.problems()).toEqual([]);
  });

  it("refuses events from actors it does not both follow and trust (404)", async () => {
    const response = await mastodon.sendSigned(gancio.inboxUrl, activity("Create", event(mastodon.newId().href)));
    expect(response.status).toBe(404);
    expect(gancio.log.problems()).toContain("gancio warn: [FEDI] APUser not followed nor trusted");
  });

  it("stores an event whose tag, attachment and location are as it expects", async () => {
    await trustMastodon();
    const id = mastodon.newId().href;
    const tag = [{ type: "Hashtag", name: "#caf" }];
    const response = await mastodon.sendSigned(gancio.inboxUrl, activity("Create", event(id, { tag, attachment: [] })));
    expect(response.status).toBe(201);
    expect(gancio.events.get(id)).toMatchObject({ title: "Assemblée", placeName: "Bourse du travail", placeAddress: "Lyon", tags: ["caf"] });
  });

  it("half-stores an event whose tag is a single object (400, error logged)", async () => {
    await trustMastodon();
    const id = mastodon.newId().href;
    const response = await mastodon.sendSigned(gancio.inboxUrl, activity("Create", event(id, { tag: { type: "Hashtag", name: "#caf" } })));
    expect(response.status).toBe(400);
    expect(gancio.events.get(id)?.tags).toEqual([]);
    expect(gancio.log.problems().at(-1)).toMatch(/Error parsing AP Event: APEvent.tag.map is not a function/);
  });

  it("crashes (500) on an Update without attachment, and applies one that has it", async () => {
    await trustMastodon();
    const id = mastodon.newId().href;
    await mastodon.sendSigned(gancio.inboxUrl, activity("Create", event(id, { attachment: [] })));
    const crash = await mastodon.sendSigned(gancio.inboxUrl, activity("Update", event(id, { startTime: "2030-03-09T15:00:00+01:00" })));
    expect(crash.status).toBe(500);
    expect(gancio.log.problems().at(-1)).toMatch(/reading 'length'/);
    const applied = await mastodon.sendSigned(gancio.inboxUrl, activity("Update", event(id, { startTime: "2030-03-09T15:00:00+01:00", attachment: [] })));
    expect(applied.status).toBe(201);
    expect(gancio.events.get(id)?.startTime).toBe("2030-03-09T15:00:00+01:00");
    // A location array has no name: Gancio's update cannot find the place.
    const array = await mastodon.sendSigned(gancio.inboxUrl, activity("Update", event(id, { attachment: [], location: [event(id).location] })));
    expect(array.status).toBe(500);
  });

  it("removes an event on a Delete whose Tombstone's formerType is the word Event", async () => {
    await trustMastodon();
    const id = mastodon.newId().href;
    await mastodon.sendSigned(gancio.inboxUrl, activity("Create", event(id)));
    const response = await mastodon.sendSigned(gancio.inboxUrl, activity("Delete", { id, type: "Tombstone", formerType: "Event" }));
    expect(response.status).toBe(201);
    expect(gancio.events.has(id)).toBe(false);
  });

  it("answers 404 to activity types it does not handle, and 500 to RFC 9421 signatures", async () => {
    expect((await mastodon.sendSigned(gancio.inboxUrl, activity("Flag", mastodon.actorId.href))).status).toBe(404);
    expect(gancio.log.problems().at(-1)).toBe("gancio error: [FEDI] Unknown message type: Flag");
    const body = JSON.stringify(activity("Create", event(mastodon.newId().href)));
    const rfc9421 = await fetch(gancio.inboxUrl, {
      method: "POST",
      headers: {
        "content-type": "application/activity+json",
        "signature-input": `sig1=("@method" "@target-uri");keyid="${mastodon.key.keyId.href}";created=${Math.floor(Date.now() / 1000)}`,
        signature: "sig1=:AAAA:",
      },
      body,
    });
    expect(rfc9421.status).toBe(500);
  });

  it("never answers a Note while comments (resources) are disabled", async () => {
    const note = mastodon.buildCreateNote({ content: "Nouvel horaire" });
    const sent = mastodon.sendSigned(gancio.inboxUrl, note, {}).catch((error: unknown) => error);
    const delivery = await gancio.inbox.waitFor((d) => d.activity?.id === note.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(delivery.status).toBeNull();
    await gancio.close();
    expect(await sent).toBeInstanceOf(Error);
  });
});
