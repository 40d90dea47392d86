// The instance-wide relay and blocks (ADR 0017, 0020), over real HTTP with real signatures: a Relais
// instance A (collectives lyon and bxl, both relaying the partner koeln on a second Relais instance),
// Mastodon-shaped servers following the instance actor. The instance actor relays only A's own public
// events, never a partner's; once lyon blocks a server, lyon's events reach it from nobody (0
// deliveries), bxl's still do, and lyon's resume once the block is lifted; once lyon blocks the partner,
// nothing of it is relayed by lyon, while bxl still relays it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type JsonObject, type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { untilQueueIdle } from "../support/wait.ts";

const SPAM_HOST = "127.0.0.53";
const about = (id: string) => (d: ReceivedDelivery) => d.activity?.object === id || (d.activity?.object as JsonObject | undefined)?.id === id;

describe("the instance relay and blocks", { timeout: 240_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let spammer: MastodonPeer;
  let friend: MastodonPeer;
  const editors: Record<string, Principal> = {};
  let instanceActor: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.51" }), startRelaisInstance({ host: "127.0.0.52" })]);
    [spammer, friend] = await Promise.all([
      startMastodonPeer({ host: SPAM_HOST, username: "spammer" }),
      startMastodonPeer({ host: "127.0.0.54", username: "friend" }),
    ]);
    for (const slug of ["lyon", "bxl"]) {
      await a.runtime.collectives.create({ slug, name: { fr: slug }, primaryLanguage: "fr" });
      editors[slug] = (await createEditor(a.runtime, slug, `${slug}@example.org`)).principal;
    }
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "Köln" }, primaryLanguage: "de" });
    editors.koeln = (await createEditor(b.runtime, "koeln", "koeln@example.org")).principal;
    instanceActor = a.url("/@relais.instance").href;
    const follow = async (peer: MastodonPeer, path: string) => {
      const { activityId } = await peer.follow(a.url(path));
      await peer.waitFor((d) => d.activity?.type === "Accept" && (d.activity.object as JsonObject | undefined)?.id === activityId.href, { timeoutMs: 60_000 });
    };
    await follow(spammer, "/@relais.instance");
    await follow(friend, "/@relais.instance");
    await follow(friend, "/@lyon");
    await follow(friend, "/@bxl");
    await followPartner(a, "lyon", handleOf(b, "koeln"), { relay: true });
    await followPartner(a, "bxl", handleOf(b, "koeln"), { relay: true });
  }, 180_000);
  afterAll(async () => {
    await Promise.all([spammer?.close(), friend?.close()]);
    await Promise.all([a?.close(), b?.close()]);
  });

  const publish = async (instance: RelaisInstance, slug: string, name: string) =>
    (
      await instance.runtime.events.create(editors[slug] as Principal, slug, {
        name: { fr: name },
        startsAt: "2030-05-01T18:00",
        timezone: "Europe/Paris",
        location: { name: "Place", locality: "Lyon", country: "FR" },
        published: true,
      })
    ).event.apId.href;
  const settle = async () => {
    await untilQueueIdle(b.runtime.queue);
    await untilQueueIdle(a.runtime.queue);
    await new Promise((r) => setTimeout(r, 1500));
    await untilQueueIdle(a.runtime.queue);
  };
  const announcers = (peer: MastodonPeer, id: string) =>
    peer.received.filter((d) => d.activity?.type === "Announce" && about(id)(d)).map((d) => String(d.activity?.actor)).sort();

  it("relays only the instance's own events: a partner's event is announced by the collectives, never by the instance actor", async () => {
    const partnerEvent = await publish(b, "koeln", "Demo");
    await friend.waitFor((d) => d.activity?.type === "Announce" && about(partnerEvent)(d) && d.activity.actor === a.url("/@bxl").href, { timeoutMs: 60_000 });
    await friend.waitFor((d) => d.activity?.type === "Announce" && about(partnerEvent)(d) && d.activity.actor === a.url("/@lyon").href, { timeoutMs: 60_000 });
    await settle();
    expect(spammer.received.filter(about(partnerEvent))).toEqual([]);
    expect(friend.received.filter((d) => about(partnerEvent)(d) && d.activity?.actor === instanceActor)).toEqual([]);
  });

  it("after lyon blocks a server, the instance actor relays none of lyon's events to it; bxl's still go", async () => {
    await a.runtime.blocks.add("cli", { slug: "lyon" }, SPAM_HOST);
    const lyonEvent = await publish(a, "lyon", "Assemblée lyonnaise");
    const bxlEvent = await publish(a, "bxl", "Assemblée bruxelloise");
    await friend.waitFor((d) => d.activity?.type === "Create" && about(lyonEvent)(d) && d.activity.actor === instanceActor, { timeoutMs: 60_000 });
    await spammer.waitFor((d) => d.activity?.type === "Create" && about(bxlEvent)(d) && d.activity.actor === instanceActor, { timeoutMs: 60_000 });
    const id = lyonEvent.split("/").pop() as string;
    await a.runtime.events.update(editors.lyon as Principal, id, { startsAt: "2030-05-01T19:00" });
    await friend.waitFor((d) => d.activity?.type === "Update" && about(lyonEvent)(d), { timeoutMs: 60_000 });
    await settle();
    expect(spammer.received.filter((d) => JSON.stringify(d.activity).includes(lyonEvent))).toEqual([]);
  });

  it("after lyon blocks the partner, lyon relays nothing of it; bxl still does", async () => {
    await a.runtime.blocks.add("cli", { slug: "lyon" }, b.url("/@koeln").href);
    const later = await publish(b, "koeln", "Demo 2");
    await friend.waitFor((d) => d.activity?.type === "Announce" && about(later)(d), { timeoutMs: 60_000 });
    await settle();
    expect(announcers(friend, later)).toEqual([a.url("/@bxl").href]);
    expect(spammer.received.filter(about(later))).toEqual([]);
  });

  it("relays lyon's events to the server again once lyon lifts its block (the follow of the instance actor was never lyon's)", async () => {
    await a.runtime.blocks.remove("cli", { slug: "lyon" }, SPAM_HOST);
    const lyonEvent = await publish(a, "lyon", "Après le blocage");
    const got = await spammer.waitFor((d) => d.activity?.type === "Create" && about(lyonEvent)(d), { timeoutMs: 60_000 });
    expect(got.activity?.actor).toBe(instanceActor);
  });
});
