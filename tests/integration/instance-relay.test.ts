// The instance actor as an instance-wide relay: a Gancio-shaped server adds Relais as a trusted
// instance through NodeInfo's FEP-2677 link, follows the instance actor, and receives every public
// event of every collective, each once, from the instance actor (Gancio accepts events only from an
// actor it follows and trusts). A follower of both the instance and a collective gets each event once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type GancioPeer, startGancioPeer } from "../support/gancio-peer.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;

describe("the instance actor relays every public event", () => {
  let relais: RelaisInstance;
  let gancio: GancioPeer;
  let mastodon: MastodonPeer;
  let lyon: Principal;
  let gent: Principal;
  const instanceActor = () => relais.url("/@relais.instance").href;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    gancio = await startGancioPeer({ host: "127.0.0.5" });
    mastodon = await startMastodonPeer({ host: "127.0.0.6", username: "lea" });
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    lyon = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    gent = (await createEditor(relais.runtime, "gent", "jan@example.org")).principal;
  });
  afterAll(async () => {
    await gancio?.close();
    await mastodon?.close();
    await relais?.close();
  });

  it("names the instance actor in NodeInfo (FEP-2677), after the NodeInfo link", async () => {
    const wellKnown = await (await fetch(relais.url("/.well-known/nodeinfo"))).json();
    expect(wellKnown.links).toEqual([
      { rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: relais.url("/nodeinfo/2.1").href },
      { rel: "https://www.w3.org/ns/activitystreams#Application", href: instanceActor() },
    ]);
    const actor = await (await fetch(instanceActor(), { headers: { accept: "application/activity+json" } })).json();
    expect(actor).toMatchObject({ type: "Application", manuallyApprovesFollowers: false, followers: `${instanceActor()}/followers` });
  });

  it("lets a Gancio add the instance, follow it, and get each public event from the instance actor", async () => {
    const added = await gancio.addTrustedInstance(relais.origin.href);
    expect(added.status).toBe(200);
    expect(added.actor?.apId).toBe(instanceActor());
    await gancio.toggleFollow(instanceActor());
    await gancio.inbox.waitFor((d) => d.activity?.type === "Accept" && d.signer === instanceActor(), { timeoutMs: 20_000 });
    expect(await relais.runtime.followers.list("relais.instance")).toMatchObject([{ actorApId: gancio.actorId.href, state: "accepted" }]);

    // Lea follows the collective of Lyon and the instance: she gets Lyon's events once, from the instance.
    await mastodon.follow(relais.url("/@lyon"));
    await mastodon.follow(new URL(instanceActor()));
    await until("Lea's two follows", async () => (await relais.runtime.followers.list("lyon")).length === 1 && (await relais.runtime.followers.list("relais.instance")).length === 2);

    const { events } = relais.runtime;
    const inLyon = await events.create(lyon, "lyon", {
      name: { fr: "Rassemblement devant la CAF" },
      startsAt: "2030-03-09T14:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
      tags: ["caf"],
      published: true,
    });
    const inGent = await events.create(gent, "gent", {
      name: { nl: "Betoging" },
      startsAt: "2030-04-12T11:00",
      timezone: "Europe/Brussels",
      location: { name: "Sint-Pietersplein", locality: "Gent", country: "BE" },
      published: true,
    });
    const unlisted = await events.create(lyon, "lyon", {
      name: { fr: "Réunion interne" },
      startsAt: "2030-03-10T18:00",
      timezone: "Europe/Paris",
      location: { name: "Local", locality: "Lyon", country: "FR" },
      visibility: "unlisted",
      published: true,
    });

    await until("both public events at Gancio", async () => gancio.events.has(inLyon.event.apId.href) && gancio.events.has(inGent.event.apId.href));
    expect(gancio.events.get(inLyon.event.apId.href)).toMatchObject({ title: "Rassemblement devant la CAF", placeName: "Place Bellecour", tags: ["caf"], owner: instanceActor() });
    const creates = gancio.inbox.received.filter((d) => d.activity?.type === "Create");
    expect(creates.map((d) => [d.activity?.id, d.status, d.signer])).toEqual(
      expect.arrayContaining([
        [`${inLyon.event.apId.href}#relay-create`, 201, instanceActor()],
        [`${inGent.event.apId.href}#relay-create`, 201, instanceActor()],
      ]),
    );

    // Lea: the unlisted event from the collective (the instance relays public events only), each
    // public one once, from the instance.
    await mastodon.waitFor((d) => (d.activity?.object as Json | undefined)?.id === unlisted.event.apId.href, { timeoutMs: 20_000 });
    await mastodon.waitFor((d) => (d.activity?.object as Json | undefined)?.id === inGent.event.apId.href, { timeoutMs: 20_000 });
    const lyonCreates = mastodon.received.filter((d) => d.activity?.type === "Create" && (d.activity.object as Json).id === inLyon.event.apId.href);
    expect(lyonCreates.map((d) => [d.activity?.actor, d.signatureValid])).toEqual([[instanceActor(), true]]);
    expect(mastodon.received.find((d) => (d.activity?.object as Json | undefined)?.id === unlisted.event.apId.href)?.activity?.actor).toBe(relais.url("/@lyon").href);
    expect(gancio.events.has(unlisted.event.apId.href)).toBe(false);

    // The instance actor's outbox lists what it relays, as it relays it.
    const outbox = await (await fetch(`${instanceActor()}/outbox`, { headers: { accept: "application/activity+json" } })).json();
    const page = await (await fetch(outbox.first, { headers: { accept: "application/activity+json" } })).json();
    expect(page.orderedItems.map((i: Json) => [i.actor, (i.object as Json).id])).toEqual([
      [instanceActor(), inGent.event.apId.href],
      [instanceActor(), inLyon.event.apId.href],
    ]);

    // A new name (no change note) and the deletion reach Gancio from the same actor.
    await events.update(lyon, inLyon.event.id, { name: { fr: "Rassemblement devant la CAF de Lyon" } });
    await until("the new name at Gancio", async () => gancio.events.get(inLyon.event.apId.href)?.title === "Rassemblement devant la CAF de Lyon");
    await events.delete(gent, inGent.event.id);
    await until("the deletion at Gancio", async () => !gancio.events.has(inGent.event.apId.href));

    expect(gancio.inbox.received.filter((d) => d.status !== 200 && d.status !== 201 && d.status !== 202)).toEqual([]);
    expect(gancio.log.problems()).toEqual([]);
  }, 90_000);

  it("stops relaying to a Gancio that unfollows (its Undo names no actor in the Follow)", async () => {
    await gancio.toggleFollow(instanceActor());
    await until("the Undo applied", async () => (await relais.runtime.followers.list("relais.instance")).every((f) => f.actorApId !== gancio.actorId.href));
    expect(gancio.log.problems()).toEqual([]);
  });
});

describe("the instance actor with manual approval", () => {
  it("waits for the operator, then accepts", async () => {
    const relais = await startRelaisInstance({ env: { RELAIS_INSTANCE_MANUAL_APPROVAL: "true" } });
    const mastodon = await startMastodonPeer({ host: "127.0.0.7", username: "max" });
    try {
      const actorUrl = relais.url("/@relais.instance");
      const actor = await (await fetch(actorUrl, { headers: { accept: "application/activity+json" } })).json();
      expect(actor.manuallyApprovesFollowers).toBe(true);
      await mastodon.follow(actorUrl);
      const pending = await until("the pending follow", async () => (await relais.runtime.followers.list("relais.instance"))[0]);
      expect(pending.state).toBe("pending");
      await relais.runtime.followers.approve("relais.instance", mastodon.actorId.href);
      const accept = await mastodon.waitFor((d) => d.activity?.type === "Accept", { timeoutMs: 20_000 });
      expect(accept.signer).toBe(actorUrl.href);
    } finally {
      await mastodon.close();
      await relais.close();
    }
  }, 60_000);
});
