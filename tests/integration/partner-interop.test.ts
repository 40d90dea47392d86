// A Relais collective and the partners it has beyond Relais, over real HTTP with real signatures: a
// Gancio-shaped agenda (its relay Application, local-offset times, a place's address as text), a
// Mobilizon-shaped group (its members' events announced by the group, addresses as schema.org with the
// country's name) and a Mastodon-shaped account (Notes are not events). Each is followed and follows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type GancioPeer, startGancioPeer } from "../support/gancio-peer.ts";
import { idOf, type JsonObject } from "../support/http-signatures.ts";
import { parseWithIcalJs } from "../support/ical.ts";
import { type MastodonPeer, PUBLIC_COLLECTION, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type MobilizonPeer, startMobilizonPeer } from "../support/mobilizon-peer.ts";
import { followPartner, partnerEvents } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

interface StoredRow {
  ap_id: string;
  timezone: string;
  location: { name?: string; streetAddress?: string; locality?: string; country?: string } | null;
  status: string;
  sequence: number;
  starts_at: Date;
}

describe("a Relais collective with Gancio, Mobilizon and Mastodon partners", { timeout: 180_000 }, () => {
  let relais: RelaisInstance;
  let gancio: GancioPeer;
  let mobilizon: MobilizonPeer;
  let mastodon: MastodonPeer;
  let editor: Principal;

  const stored = async (apId: string): Promise<StoredRow | undefined> => {
    const rows = await relais.runtime.em
      .fork()
      .getConnection()
      .execute<StoredRow[]>("select ap_id, timezone, location, status, sequence, starts_at from partner_event where ap_id = ? and deleted_at is null", [apId]);
    return rows[0];
  };

  beforeAll(async () => {
    relais = await startRelaisInstance({ host: "127.0.0.2" });
    [gancio, mobilizon, mastodon] = await Promise.all([
      startGancioPeer({ host: "127.0.0.6" }),
      startMobilizonPeer({ host: "127.0.0.7" }),
      startMastodonPeer({ host: "127.0.0.8", username: "camille" }),
    ]);
    await relais.runtime.collectives.create({ slug: "bruxelles", name: { fr: "Bruxelles solidaire" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "bruxelles", "ed@example.org")).principal;
  });
  afterAll(async () => {
    await Promise.all([gancio?.close(), mobilizon?.close(), mastodon?.close()]);
    await relais?.close();
  });

  it("follows Gancio's relay actor by handle: accepted", async () => {
    const partner = await followPartner(relais, "bruxelles", `@relay@${gancio.origin.host}`);
    expect(partner).toMatchObject({ type: "Application", state: "accepted", actorApId: gancio.actorId.href });
    // Gancio keeps us as a follower (follows.js) and answered Accept.
    await until("Gancio to count us as a follower", async () => [...gancio.apUsers.values()].some((u) => u.follower) || undefined, 60_000);
  });

  it("follows a Mobilizon group by handle: accepted, with relay on", async () => {
    const partner = await followPartner(relais, "bruxelles", `@${mobilizon.handle}`, { relay: true });
    expect(partner).toMatchObject({ type: "Group", state: "accepted", relay: true, name: "Collectif vélo Lille" });
    expect(mobilizon.followers.has(relais.url("/@bruxelles").href)).toBe(true);
  });

  it("follows a Mastodon account by URL: accepted once it answers; its Notes are not events", async () => {
    const found = await relais.runtime.partnerActors.resolve(mastodon.actorId.href);
    if (!found.ok) throw new Error(found.reason);
    const { partner } = await relais.runtime.partners.follow("cli", "bruxelles", found.actor);
    const follow = await mastodon.waitFor((d) => d.activity?.type === "Follow" && d.signatureValid, { timeoutMs: 60_000 });
    expect(follow.signer).toBe(relais.url("/@bruxelles").href);
    // Mastodon answers with an Accept embedding the Follow.
    const { "@context": _c, ...followObject } = follow.activity as JsonObject;
    const accept = { "@context": "https://www.w3.org/ns/activitystreams", id: `${mastodon.actorId.href}#accepts/follows/1`, type: "Accept", actor: mastodon.actorId.href, object: followObject };
    expect((await mastodon.sendSigned(relais.url("/@bruxelles/inbox"), accept)).status).toBeLessThan(300);
    await until("the Mastodon partner to be accepted", async () => (await relais.runtime.partners.get("cli", "bruxelles", partner.id)).state === "accepted" || undefined, 60_000);
    const note = mastodon.buildCreateNote({ content: "<p>Pas un événement</p>", to: [PUBLIC_COLLECTION] });
    expect((await mastodon.sendSigned(relais.url("/inbox"), note)).status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 1500));
    expect([...(await partnerEvents(relais)).keys()].filter((id) => id.startsWith(mastodon.origin.origin))).toEqual([]);
    const [listed] = (await relais.runtime.partners.list("cli", "bruxelles")).filter((p) => p.actorApId === mastodon.actorId.href);
    expect(listed?.state).toBe("accepted");
  });

  it("receives Gancio's events: local-offset time, the place's address as text; update and delete follow", async () => {
    const event = { id: 7, slug: "velorution", title: "Vélorution", start: "2030-06-06T18:30:00+02:00", end: "2030-06-06T21:00:00+02:00", description: "<p>Départ <script>alert(1)</script>place</p>", place: { name: "Piazza Maggiore", address: "Piazza Maggiore 1, Bologna" }, tags: ["bici"] };
    const id = (await gancio.publishEvent(event)).href;
    const row = await until("Gancio's event", () => stored(id), 60_000);
    expect(row.location).toMatchObject({ name: "Piazza Maggiore", streetAddress: "Piazza Maggiore 1, Bologna" });
    expect(row.timezone).toBe("Etc/GMT-2");
    expect(new Date(row.starts_at).toISOString()).toBe("2030-06-06T16:30:00.000Z");
    const [kept] = await relais.runtime.em.fork().getConnection().execute<{ description: Record<string, string> }[]>("select description from partner_event where ap_id = ?", [id]);
    expect(Object.values(kept?.description ?? {})).toEqual(["<p>Départ place</p>"]);

    await gancio.publishEvent({ ...event, start: "2030-06-06T19:00:00+02:00" }, "Update");
    await until("Gancio's update", async () => ((await stored(id))?.sequence ?? 0) >= 1 || undefined, 60_000);
    const feed = parseWithIcalJs(await (await fetch(relais.url("/@bruxelles/network.ics"))).text());
    expect(feed.events.find((e) => e.summary === "Vélorution")?.startDate.toJSDate().toISOString()).toBe("2030-06-06T17:00:00.000Z");

    await gancio.publishEvent(event, "Delete");
    await until("Gancio's deletion", async () => (await stored(id)) === undefined || undefined, 60_000);
    expect(gancio.log.problems()).toEqual([]);
  });

  it("receives a Mobilizon group's events announced by the group, relays them to our followers once, and undoes the relay on delete", async () => {
    // A Mastodon user follows the collective, so that our relay has someone to reach.
    await mastodon.follow(relais.url("/@bruxelles"));
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 60_000 });

    const id = await mobilizon.publishEvent({
      title: "Vélorution de juin",
      beginsOn: "2030-06-27T19:00:00+02:00",
      timezone: "Europe/Paris",
      place: { name: "Place de la République", street: "Place de la République", postalCode: "59000", locality: "Lille", country: "France" },
      tags: ["velo"],
    });
    const row = await until("Mobilizon's event", () => stored(id.href), 60_000);
    expect(row.location).toMatchObject({ locality: "Lille", country: "FR" });
    expect(row.timezone).toBe("Europe/Paris");
    const announce = await mastodon.waitFor((d) => d.activity?.type === "Announce" && d.signatureValid, { timeoutMs: 60_000 });
    expect(idOf(announce.activity?.object)).toBe(id.href);
    expect(announce.activity?.actor).toBe(relais.url("/@bruxelles").href);

    await mobilizon.updateEvent(id, {}, "CANCELLED");
    await until("Mobilizon's cancellation", async () => (await stored(id.href))?.status === "cancelled" || undefined, 60_000);
    const feed = parseWithIcalJs(await (await fetch(relais.url("/@bruxelles/network.ics"))).text());
    expect(feed.events.find((e) => e.summary === "Vélorution de juin")?.component.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(mastodon.received.filter((d) => d.activity?.type === "Announce")).toHaveLength(1);

    await mobilizon.deleteEvent(id);
    await until("Mobilizon's deletion", async () => (await stored(id.href)) === undefined || undefined, 60_000);
    const undo = await mastodon.waitFor((d) => d.activity?.type === "Undo" && (d.activity.object as JsonObject | undefined)?.type === "Announce", { timeoutMs: 60_000 });
    expect(undo.signatureValid).toBe(true);
    expect(mobilizon.log.problems()).toEqual([]);
  });

  it("is followed by the Mobilizon group and by Gancio: both get the collective's events", async () => {
    await mobilizon.follow(relais.url("/@bruxelles"));
    await mobilizon.inbox.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 60_000 });
    expect((await gancio.addTrustedActor(`bruxelles@${relais.origin.host}`, "http")).status).toBe(200);
    await gancio.toggleFollow(relais.url("/@bruxelles").href);
    await gancio.inbox.waitFor((d) => d.activity?.type === "Accept", { timeoutMs: 60_000 });

    const created = await relais.runtime.events.create(editor, "bruxelles", {
      name: { fr: "Assemblée du réseau" },
      startsAt: "2030-07-04T18:00",
      timezone: "Europe/Brussels",
      location: { name: "Maison du peuple", locality: "Bruxelles", country: "BE" },
      published: true,
    });
    const apId = created.event.apId.href;
    await until("Mobilizon to receive our event", async () => mobilizon.received.has(apId) || undefined, 60_000);
    await until("Gancio to store our event", async () => gancio.events.has(apId) || undefined, 60_000);
    expect(gancio.events.get(apId)?.title).toBe("Assemblée du réseau");
    expect(gancio.log.problems()).toEqual([]);
  });
});
