// The Hollo-shaped peer follows like a Fedify server, shows Notes of the accounts it follows, and
// drops an Event with a debug line, as Hollo 0.10 does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HolloPeer, startHolloPeer } from "./hollo-peer.ts";
import { type MastodonPeer, startMastodonPeer } from "./mastodon-peer.ts";

const AS = "https://www.w3.org/ns/activitystreams";

describe("the Hollo-shaped peer", () => {
  let hollo: HolloPeer;
  let mastodon: MastodonPeer;

  beforeAll(async () => {
    hollo = await startHolloPeer({ host: "127.0.0.8" });
    mastodon = await startMastodonPeer({ host: "127.0.0.9", username: "milo" });
  });
  afterAll(async () => {
    await hollo?.close();
    await mastodon?.close();
  });

  it("follows, shows Notes, ignores Events with a log line, deletes, unfollows", async () => {
    await hollo.follow(mastodon.actorId);
    const follow = await mastodon.waitFor((d) => d.activity?.type === "Follow");
    expect(follow.signatureValid).toBe(true);
    const { "@context": _context, ...followObject } = follow.activity!;
    await mastodon.sendSigned(hollo.inboxUrl, { "@context": AS, id: mastodon.newId("accepts").href, type: "Accept", actor: mastodon.actorId.href, object: followObject });
    await hollo.inbox.waitFor((d) => d.activity?.type === "Accept");
    expect(hollo.following.get(mastodon.actorId.href)?.approved).toBe(true);

    const note = mastodon.buildCreateNote({ content: "<p>Bonjour</p>" });
    expect((await mastodon.sendSigned(hollo.sharedInboxUrl, note)).status).toBe(202);
    expect(hollo.timeline().map((p) => p.content)).toEqual(["<p>Bonjour</p>"]);

    const eventId = mastodon.newId("events").href;
    const event = { id: eventId, type: "Event", name: "Assemblée", startTime: "2030-03-09T14:00:00+01:00", attributedTo: mastodon.actorId.href };
    const create = { "@context": AS, id: `${eventId}#create`, type: "Create", actor: mastodon.actorId.href, object: event };
    expect((await mastodon.sendSigned(hollo.sharedInboxUrl, create)).status).toBe(202);
    expect(hollo.posts.has(eventId)).toBe(false);
    expect(hollo.log.lines.at(-1)).toEqual({ level: "debug", message: "Unsupported object on Create: Event" });

    const noteId = (note.object as { id: string }).id;
    const del = { "@context": AS, id: `${noteId}#delete`, type: "Delete", actor: mastodon.actorId.href, object: { id: noteId, type: "Tombstone" } };
    await mastodon.sendSigned(hollo.sharedInboxUrl, del);
    expect(hollo.timeline()).toEqual([]);

    await hollo.unfollow(mastodon.actorId);
    const undo = await mastodon.waitFor((d) => d.activity?.type === "Undo");
    expect(undo.signatureValid).toBe(true);
    expect(undo.activity?.object).toMatchObject({ id: follow.activity?.id, type: "Follow", actor: hollo.actorId.href });
    expect(hollo.log.problems()).toEqual([]);
  });
});
