// An event co-organised across three Relais instances over real HTTP and signatures (issue 9, "Events
// organised together"; design §13 #13, #15): the host (cdc, instance A) invites koeln (B) and liege
// (C); both accept and are listed in FEP-8a8e `organizers`, on the event's page and in each one's
// feeds with the host's UID; a change of time makes both "awaiting reconfirmation" while still listed;
// koeln reconfirms, liege withdraws (its stamp answers 410; the host unlists it and koeln is sent the
// new organizers); liege's own lists and feeds drop the event, its followers were never sent anything
// about it. Followers: a Mastodon-shaped follower of all three gets the event once, from the host, and
// the host's Create/Update carry `organizers`; a Gancio-shaped follower of koeln is sent nothing it
// would answer 404 to and stays a follower, one of the host ingests the event and, answering 404 to an
// Update once it stopped trusting the host, stays a follower. Then the host deletes
// the event: koeln's lists and feeds drop it. Every federated request and response of the run, every
// public page and feed, is scanned for the seeded marker of the editors' e-mails.
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventUid } from "../../src/modules/ical/event-uid.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type GancioPeer, startGancioPeer } from "../support/gancio-peer.ts";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const marker = "zq-coorg3-marker";
const idOf = (v: unknown) => (typeof v === "string" ? v : (v as Json | undefined)?.id);

/** Every HTTP exchange of this test process (the instances' deliveries and fetches go through fetch). */
const exchanges: { method: string; url: string; text: string }[] = [];
const realFetch = globalThis.fetch;
function recordFetches(): void {
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const sent = request.method === "GET" || request.method === "HEAD" ? "" : await request.clone().text();
    const response = await realFetch(request);
    const received = await response.clone().text().catch(() => "");
    exchanges.push({ method: request.method, url: request.url, text: `${sent}\n${received}` });
    return response;
  };
}

/** Mastodon's home feed insertion (feed_manager.rb): a boost of a post among the newest 40 entries is folded. */
function homeFeed(deliveries: readonly ReceivedDelivery[]): { kind: string; object: string; by: string }[] {
  const feed: { kind: string; object: string; by: string }[] = [];
  for (const d of deliveries) {
    if (!d.signatureValid || !d.activity) continue;
    const object = idOf(d.activity.object) as string | undefined;
    if (!object) continue;
    const by = String(d.activity.actor);
    if (d.activity.type === "Create") feed.push({ kind: "status", object, by });
    if (d.activity.type === "Announce" && !feed.slice(-40).some((e) => e.object === object)) feed.push({ kind: "reblog", object, by });
  }
  return feed;
}

describe("an event co-organised by collectives of three instances", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let c: RelaisInstance;
  let mastodon: MastodonPeer;
  let gancio: GancioPeer;
  let editorA: Principal;
  let eventId: string;
  let eventUrl: string;
  let liegeStamp: string;
  const pages: string[] = [];

  const as2 = async (url: string) => {
    const res = await fetch(url, { headers: { accept: "application/activity+json" } });
    return { status: res.status, json: (await res.json().catch(() => null)) as Json };
  };
  const page = async (url: URL | string) => {
    const text = await (await fetch(url, { headers: { accept: "text/html" } })).text();
    pages.push(text);
    return text;
  };
  const feedUids = async (inst: RelaisInstance, path: string) => {
    const res = await fetch(inst.url(path));
    const text = await res.text();
    pages.push(text);
    const calendar = new ICAL.Component(ICAL.parse(text));
    return calendar.getAllSubcomponents("vevent").map((v) => ({ uid: String(v.getFirstPropertyValue("uid")), start: (v.getFirstPropertyValue("dtstart") as ICAL.Time).toJSDate().toISOString() }));
  };
  const at = (inst: RelaisInstance, slug: string) => async () => (await inst.runtime.coorganise.partner.list("cli", slug))[0];
  const organizerIds = (doc: Json) => (((doc.organizers as Json | undefined)?.items ?? []) as Json[]).map((i) => i.id);
  const aboutEvent = (d: ReceivedDelivery) => d.signatureValid && idOf(d.activity?.object) === eventUrl;

  beforeAll(async () => {
    recordFetches();
    [a, b, c] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    [mastodon, gancio] = await Promise.all([startMastodonPeer({ host: "127.0.0.4", username: "ana" }), startGancioPeer({ host: "127.0.0.5" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    await c.runtime.collectives.create({ slug: "liege", name: { fr: "Collectif de Liège" }, primaryLanguage: "fr" });
    editorA = (await createEditor(a.runtime, "cdc", `${marker}-a@example.org`)).principal;
    await createEditor(b.runtime, "koeln", `${marker}-b@example.org`);
    await createEditor(c.runtime, "liege", `${marker}-c@example.org`);
    for (const url of [a.url("/@cdc"), b.url("/@koeln"), c.url("/@liege")]) await mastodon.follow(url);
    for (const actor of [a.url("/@cdc"), b.url("/@koeln")]) {
      expect((await gancio.addTrustedActor(`@${actor.pathname.slice(2)}@${actor.host}`)).status).toBe(200);
      await gancio.toggleFollow(actor.href);
    }
    await until("three follows accepted", async () => mastodon.received.filter((d) => d.activity?.type === "Accept" && d.signatureValid).length >= 3, 60_000);
    await until("two follows accepted by gancio", async () => gancio.inbox.received.filter((d) => d.activity?.type === "Accept").length >= 2, 60_000);
    const created = await a.runtime.events.create(editorA, "cdc", {
      name: { fr: "Marche contre le contrôle", de: "Demo gegen die Kontrolle" },
      startsAt: "2030-05-01T18:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
      published: true,
    });
    eventId = created.event.id;
    eventUrl = created.event.apId.href;
    await mastodon.waitFor((d) => aboutEvent(d) && d.activity?.type === "Create", { timeoutMs: 60_000 });
  }, 180_000);
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await Promise.all([mastodon?.close(), gancio?.close()]);
    await Promise.all([a?.close(), b?.close(), c?.close()]);
  });

  it("invites two collectives of two other instances: both accept, both are organisers, the event is in each one's feeds with one UID", async () => {
    for (const [inst, slug] of [[b, "koeln"], [c, "liege"]] as const) {
      const found = await a.runtime.cosignPartners(inst.url(`/@${slug}`).href);
      if (!found.ok) throw new Error(found.reason);
      await a.runtime.coorganise.host.invite(editorA, eventId, found.partner);
      const item = await until(`the invitation at ${slug}`, at(inst, slug), 60_000);
      await inst.runtime.coorganise.partner.accept("cli", slug, item.id);
    }
    const listed = await until("both listed at the host", async () => {
      const l = await a.runtime.coorganise.host.listed(eventId);
      return l.length === 2 && l.every((x) => x.state === "current") ? l : undefined;
    }, 60_000);
    liegeStamp = listed.find((l) => l.partner.apId === c.url("/@liege").href)?.stampId as string;
    expect(new URL(liegeStamp).origin).toBe(c.origin.origin);
    const event = (await as2(eventUrl)).json;
    expect(organizerIds(event)).toEqual([a.url("/@cdc").href, b.url("/@koeln").href, c.url("/@liege").href]);
    const html = await page(eventUrl);
    for (const name of ["AG Köln", "Collectif de Liège"]) expect(html).toContain(name);

    const uid = eventUid(new URL(eventUrl));
    expect((await feedUids(a, "/@cdc/events.ics")).map((e) => e.uid)).toEqual([uid]);
    for (const [inst, slug] of [[b, "koeln"], [c, "liege"]] as const) {
      await until(`${slug} to co-organise`, async () => (await at(inst, slug)())?.coorganising || undefined, 30_000);
      expect((await feedUids(inst, `/@${slug}/events.ics`)).map((e) => e.uid)).toEqual([uid]);
      expect((await feedUids(inst, "/events.ics")).map((e) => e.uid)).toEqual([uid]);
      expect(await page(inst.url(`/@${slug}`))).toContain(eventUrl);
    }
    // The host's Update to the co-organisers already listed named the newcomer (the list changed).
    const toKoeln = exchanges.filter((x) => x.method === "POST" && x.url.startsWith(b.origin.origin) && x.text.includes(`${eventUrl}#organizers-listed-`));
    expect(toKoeln.length).toBeGreaterThan(0);
  }, 180_000);

  it("moves both to 'awaiting reconfirmation' on a change of time, still listed; the host's Update to followers carries organizers", async () => {
    await a.runtime.events.update(editorA, eventId, { startsAt: "2030-05-01T19:00" });
    expect((await a.runtime.coorganise.host.listed(eventId)).map((l) => l.state)).toEqual(["pending", "pending"]);
    const event = (await as2(eventUrl)).json;
    expect(organizerIds(event)).toHaveLength(3);
    const collection = (await as2(event.coorganizers as string)).json;
    expect((collection.orderedItems as Json[]).map((i) => i.entryState)).toEqual(["PendingReconfirmation", "PendingReconfirmation"]);

    const update = await mastodon.waitFor((d) => aboutEvent(d) && d.activity?.type === "Update" && d.signer === a.url("/@cdc").href, { timeoutMs: 60_000 });
    const object = update.activity?.object as Json;
    expect(organizerIds(object)).toEqual([a.url("/@cdc").href, b.url("/@koeln").href, c.url("/@liege").href]);
    expect(object.coorganizers).toBe(`${eventUrl}/coorganizers`);
    expect(JSON.stringify(update.activity?.["@context"])).toContain("https://w3id.org/fep/8a8e/organizers");

    for (const [inst, slug] of [[b, "koeln"], [c, "liege"]] as const) {
      const item = await until(`the reconfirmation at ${slug}`, async () => {
        const it = await at(inst, slug)();
        return it?.requests[0]?.state === "pending" && it.requests[0].purpose === "reconfirm" && it.data.startsAt.toString() === "2030-05-01T17:00:00Z" ? it : undefined;
      }, 60_000);
      expect(item.coorganising).toBe(true);
      const feed = await until(`${slug}'s feed at the new time`, async () => {
        const f = await feedUids(inst, `/@${slug}/events.ics`);
        return f[0]?.start === "2030-05-01T17:00:00.000Z" ? f : undefined;
      }, 30_000);
      expect(feed).toHaveLength(1);
    }
  }, 180_000);

  it("keeps koeln once it reconfirms, and unlists liege when it withdraws: 410 at its origin, the host and koeln learn it", async () => {
    const koeln = await at(b, "koeln")();
    await b.runtime.coorganise.partner.accept("cli", "koeln", koeln?.id as string);
    await until("koeln current again", async () => (await a.runtime.coorganise.host.listed(eventId)).find((l) => l.partner.apId === b.url("/@koeln").href)?.state === "current" || undefined, 60_000);

    const liege = await at(c, "liege")();
    const withdrawn = await c.runtime.coorganise.partner.withdraw("cli", "liege", liege?.id as string);
    expect(withdrawn.coorganising).toBe(false);
    expect((await as2(liegeStamp)).status).toBe(410);
    await until("the host to unlist liege", async () => (await a.runtime.coorganise.host.listed(eventId)).length === 1 || undefined, 30_000);
    const event = (await as2(eventUrl)).json;
    expect(organizerIds(event)).toEqual([a.url("/@cdc").href, b.url("/@koeln").href]);
    expect(await page(eventUrl)).not.toContain("Collectif de Liège");
    // koeln, still co-organising, is sent the event with the new organizers.
    const told = await until("koeln to be sent the new organizers", async () =>
      exchanges.find((x) => x.method === "POST" && x.url.startsWith(b.origin.origin) && x.text.includes(`${eventUrl}#organizers-revoked-`)),
    30_000);
    const activity = JSON.parse(told.text.split("\n")[0] as string) as Json;
    expect(activity.type).toBe("Update");
    expect(organizerIds(activity.object as Json)).toEqual([a.url("/@cdc").href, b.url("/@koeln").href]);
    expect((await at(b, "koeln")())?.coorganising).toBe(true);

    // liege's side: gone from its lists and feeds; its followers were never sent anything about the event.
    expect(await feedUids(c, "/@liege/events.ics")).toEqual([]);
    expect(await feedUids(c, "/events.ics")).toEqual([]);
    expect(await page(c.url("/@liege"))).not.toContain(eventUrl);
    expect(mastodon.received.filter((d) => d.signer === c.url("/@liege").href && d.body.includes(eventUrl))).toEqual([]);
  }, 120_000);

  it("reaches a Mastodon follower of all three once, from the host; sends a Gancio follower of koeln nothing it would 404 and keeps it", async () => {
    expect(mastodon.received.filter((d) => aboutEvent(d) && d.activity?.type === "Create").map((d) => d.signer)).toEqual([a.url("/@cdc").href]);
    expect(mastodon.received.filter((d) => aboutEvent(d) && d.activity?.type === "Announce")).toEqual([]);
    expect(homeFeed(mastodon.received).filter((e) => e.object === eventUrl)).toEqual([{ kind: "status", object: eventUrl, by: a.url("/@cdc").href }]);
    // Gancio: it ingested the host's event; nothing from the co-organisers' servers; no 404 answered.
    expect(gancio.events.has(eventUrl)).toBe(true);
    const fromCoorganisers = gancio.inbox.received.filter((d) => d.signer?.startsWith(b.origin.origin) && d.activity?.type !== "Accept");
    expect(fromCoorganisers).toEqual([]);
    expect(gancio.inbox.received.filter((d) => d.status === 404)).toEqual([]);
    const koeln = await b.runtime.collectives.findBySlug("koeln");
    expect(await b.runtime.followers.countAccepted(koeln?.id as string)).toBe(2);
    const cdc = await a.runtime.collectives.findBySlug("cdc");
    expect(await a.runtime.followers.countAccepted(cdc?.id as string)).toBe(2);

    // A 404 is not "follower gone": Gancio's admin stops trusting cdc, the next Update of the event
    // is answered 404, and Gancio is still cdc's follower (only 410 removes one).
    const trust = gancio.apUsers.get(a.url("/@cdc").href);
    if (!trust) throw new Error("gancio does not know cdc");
    trust.trusted = false;
    await a.runtime.events.update(editorA, eventId, { summary: { fr: "Départ place Bellecour" } });
    await gancio.inbox.waitFor((d) => d.activity?.type === "Update" && d.status === 404, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 2000)); // the failed delivery is handled
    expect(await a.runtime.followers.countAccepted(cdc?.id as string)).toBe(2);
    trust.trusted = true;
  }, 60_000);

  it("drops the event from koeln's lists and feeds when the host deletes it", async () => {
    await a.runtime.events.delete(editorA, eventId);
    await until("koeln to learn the deletion", async () => (await at(b, "koeln")())?.deleted || undefined, 30_000);
    expect(await feedUids(b, "/@koeln/events.ics")).toEqual([]);
    expect(await feedUids(b, "/events.ics")).toEqual([]);
    expect(await page(b.url("/@koeln"))).not.toContain(eventUrl);
    expect((await b.runtime.coorganise.partner.upcoming("koeln", Temporal.Instant.from("2030-01-01T00:00:00Z"), 50)).map((e) => e.apId.href)).not.toContain(eventUrl);
    await mastodon.waitFor((d) => d.signatureValid && d.activity?.type === "Delete" && idOf(d.activity.object) === eventUrl, { timeoutMs: 30_000 });
    await until("gancio to drop the event", async () => !gancio.events.has(eventUrl) || undefined, 30_000);
  }, 60_000);

  it("never carries an editor's e-mail: every federated request and response, every public page and feed", async () => {
    const federated = exchanges.filter((x) => [a, b, c].some((i) => x.url.startsWith(i.origin.origin)) || x.method === "POST");
    expect(federated.filter((x) => x.method === "POST" && x.text.includes("CoorganizeRequest")).length).toBeGreaterThanOrEqual(2);
    expect(federated.some((x) => x.text.includes("CoorganizeAuthorization"))).toBe(true);
    expect(federated.filter((x) => x.text.includes(marker)).map((x) => `${x.method} ${x.url}`)).toEqual([]);
    expect(mastodon.received.filter((d) => d.body.includes(marker))).toEqual([]);
    for (const url of [eventUrl, `${eventUrl}/coorganizers`, a.url("/@cdc").href, b.url("/@koeln").href, c.url("/@liege").href, liegeStamp]) {
      const res = await fetch(url, { headers: { accept: "application/activity+json" } });
      expect(await res.text()).not.toContain(marker);
    }
    expect(pages.length).toBeGreaterThan(10);
    expect(pages.filter((p) => p.includes(marker))).toEqual([]);
  }, 30_000);
});
