// Three Relais instances on loopback, each with its own database, over real HTTP with real signatures:
// A follows B and C, B follows A and C (and relays C), C publishes; a fourth origin forges. Events on B
// and C reach A's network agenda and feed once each; edits and cancellations follow; relays neither
// duplicate nor loop; a forged Update changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { parseWithIcalJs } from "../support/ical.ts";
import { type MastodonPeer, PUBLIC_COLLECTION, startMastodonPeer } from "../support/mastodon-peer.ts";
import { followPartner, handleOf, partnerEvents } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

// Every instance on PostgreSQL + Redis; then A on the embedded default (PGlite, the queue in it), its
// partners on PostgreSQL with the in-process queue.
const setups = [
  { name: "PostgreSQL + Redis", a: { redis: true }, others: { redis: true } },
  { name: "A on the embedded default", a: { embedded: true }, others: {} },
] as const;

// Generous bounds: the whole suite runs on two shared cores, and each follow waits for an answer.
describe.each(setups)("partner network between three Relais instances ($name)", { timeout: 180_000 }, (setup) => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let c: RelaisInstance;
  let forger: MastodonPeer;
  let editorB: Principal;
  let editorC: Principal;
  let bEvent: string;
  let cEvent: string;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      startRelaisInstance({ host: "127.0.0.2", ...setup.a }),
      startRelaisInstance({ host: "127.0.0.3", ...setup.others }),
      startRelaisInstance({ host: "127.0.0.4", ...setup.others }),
    ]);
    forger = await startMastodonPeer({ host: "127.0.0.5", username: "mallory" });
    await a.runtime.collectives.create({ slug: "bruxelles", name: { fr: "Bruxelles solidaire" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "Köln solidarisch" }, primaryLanguage: "de" });
    await c.runtime.collectives.create({ slug: "lille", name: { fr: "Lille solidaire" }, primaryLanguage: "fr" });
    editorB = (await createEditor(b.runtime, "koeln", "b@example.org")).principal;
    editorC = (await createEditor(c.runtime, "lille", "c@example.org")).principal;
  });
  afterAll(async () => {
    await forger?.close();
    await Promise.all([a?.close(), b?.close(), c?.close()]);
  });

  it("follows partners by handle and by URL; each answers Accept", async () => {
    const viaHandle = await followPartner(a, "bruxelles", handleOf(b, "koeln"));
    expect(viaHandle).toMatchObject({ state: "accepted", actorApId: b.url("/@koeln").href, type: "Group" });
    await followPartner(a, "bruxelles", c.url("/@lille").href);
    await followPartner(b, "koeln", handleOf(a, "bruxelles"), { relay: true });
    await followPartner(b, "koeln", handleOf(c, "lille"), { relay: true });
    await followPartner(a, "bruxelles", handleOf(b, "koeln"));
    const list = await a.runtime.partners.list("cli", "bruxelles");
    expect(list.map((p) => p.state)).toEqual(["accepted", "accepted"]);
    // A now also relays B: A relays B and B relays A.
    await a.runtime.partners.setRelay("cli", "bruxelles", handleOf(b, "koeln").slice(1), true);
  });

  it("shows events published on B and C in A's network feed, once each, with the origin's UID", async () => {
    bEvent = (
      await b.runtime.events.create(editorB, "koeln", {
        name: { de: "Demo gegen Zwangsräumungen", fr: "Manif contre les expulsions" },
        startsAt: "2030-04-12T14:00",
        timezone: "Europe/Berlin",
        location: { name: "Heumarkt", locality: "Köln", country: "DE" },
        published: true,
      })
    ).event.apId.href;
    cEvent = (
      await c.runtime.events.create(editorC, "lille", {
        name: { fr: "Assemblée des locataires" },
        startsAt: "2030-04-20T18:30",
        timezone: "Europe/Paris",
        location: { name: "Maison des syndicats", locality: "Lille", country: "FR" },
        published: true,
      })
    ).event.apId.href;
    const held = await until("A to hold both events", async () => {
      const events = await partnerEvents(a);
      return events.has(bEvent) && events.has(cEvent) ? events : undefined;
    }, 60_000);
    expect(held.size).toBe(2);

    const feed = await fetch(a.url("/@bruxelles/network.ics?lang=fr"));
    expect(feed.status).toBe(200);
    const { events } = parseWithIcalJs(await feed.text());
    expect(events.map((e) => e.summary).sort()).toEqual(["Assemblée des locataires", "Manif contre les expulsions"].sort());
    // The same UID as on the origin's own feed.
    const originFeed = parseWithIcalJs(await (await fetch(b.url("/@koeln/events.ics"))).text());
    expect(events.find((e) => e.summary.startsWith("Manif"))?.uid).toBe(originFeed.events[0]?.uid);
    expect(events.find((e) => e.summary.startsWith("Manif"))?.component.getFirstPropertyValue("url")).toBe(bEvent);
  });

  it("lists them on A's network agenda pages, in each language, with organiser, server, country and the original's link", async () => {
    const page = await fetch(a.url("/@bruxelles/agenda?lang=de"));
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain("Bruxelles solidaire: Netzwerk-Kalender");
    expect(body).toContain("Demo gegen Zwangsräumungen");
    expect(body).toContain(`href="${bEvent}"`);
    expect(body).toContain(`Köln solidarisch · Original auf ${b.origin.host}`);
    expect(body).toContain("Köln, Deutschland");
    expect(body).toContain("Lille, Frankreich");
    // Nothing of a partner's server is embedded: no image, script or style from elsewhere.
    expect(body).not.toMatch(/<(img|script|link|iframe)[^>]+(src|href)="https?:\/\/127\.0\.0\.[34]/);
    const onlyOurs = await (await fetch(a.url("/agenda?lang=fr&origin=local"))).text();
    expect(onlyOurs).toContain("Agenda du réseau");
    expect(onlyOurs).not.toContain("Assemblée des locataires");
    const partnersOnly = await (await fetch(a.url(`/agenda?lang=nl&origin=partners&partner=${encodeURIComponent(handleOf(c, "lille"))}`))).text();
    expect(partnersOnly).toContain("Netwerkagenda");
    expect(partnersOnly).toContain("Assemblée des locataires");
    expect(partnersOnly).not.toContain("Manif contre les expulsions");
    expect((await fetch(a.url("/agenda?origin=elsewhere"))).status).toBe(400);
    expect((await fetch(a.url("/@nobody/agenda"))).status).toBe(404);
  });

  it("does not duplicate C's event that B relays to A, and stops the relay loop between A and B", async () => {
    // B relays C's event (B follows C with relay on): A gets it from C and from B's Announce.
    await until("B's Announce of C's event to reach A", async () => (await partnerEvents(a)).get(cEvent)?.sources === 2 || undefined, 60_000);
    const events = await partnerEvents(a);
    expect([...events.keys()].sort()).toEqual([bEvent, cEvent].sort());
    const feed = parseWithIcalJs(await (await fetch(a.url("/network.ics"))).text());
    expect(feed.events.filter((e) => e.summary === "Assemblée des locataires")).toHaveLength(1);
    // A relays B's event once; B, which follows A, sees its own event announced and ignores it.
    const outboxA = await a.runtime.em.fork().getConnection().execute<{ n: string }[]>("select count(*) as n from outbox where kind = 'announce-partner-event'");
    expect(Number(outboxA[0]?.n)).toBe(1);
    const outboxB = await b.runtime.em.fork().getConnection().execute<{ kind: string; payload: { eventApId: string } }[]>(
      "select kind, payload from outbox where kind = 'announce-partner-event'",
    );
    // B relays C's event (its partner's own), never A's relay of B's event.
    expect(outboxB.map((r) => r.payload.eventApId)).toEqual([cEvent]);
    expect((await partnerEvents(b)).has(bEvent)).toBe(false);
  });

  it("follows an edit and a cancellation on B: SEQUENCE moves, STATUS:CANCELLED", async () => {
    const id = bEvent.split("/").pop() as string;
    await b.runtime.events.update(editorB, id, { startsAt: "2030-04-12T15:00" });
    await until("the edit to reach A", async () => ((await partnerEvents(a)).get(bEvent)?.sequence ?? 0) >= 1 || undefined, 60_000);
    await b.runtime.events.cancel(editorB, id, { reason: { de: "Verboten" } });
    await until("the cancellation to reach A", async () => (await partnerEvents(a)).get(bEvent)?.status === "cancelled" || undefined, 60_000);
    const { events } = parseWithIcalJs(await (await fetch(a.url("/@bruxelles/network.ics?lang=fr"))).text());
    const manif = events.find((e) => e.summary.startsWith("Manif"));
    expect(manif?.component.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(manif?.sequence).toBeGreaterThanOrEqual(2);
    expect(manif?.startDate.toJSDate().toISOString()).toBe("2030-04-12T13:00:00.000Z");
  });

  it("changes nothing for a forged Update of B's event signed by a fourth origin", async () => {
    const before = (await partnerEvents(a)).get(bEvent);
    const forged = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${forger.actorId.href}#forged-update`,
      type: "Update",
      actor: forger.actorId.href,
      to: [PUBLIC_COLLECTION],
      object: { id: bEvent, type: "Event", name: "Annulé (faux)", startTime: "2030-01-01T00:00:00Z", attributedTo: b.url("/@koeln").href, to: [PUBLIC_COLLECTION] },
    };
    const response = await forger.sendSigned(a.url("/inbox"), forged);
    expect(response.status).toBeLessThan(300);
    // The activity is handled (acknowledged); nothing changes.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await partnerEvents(a)).get(bEvent)).toEqual(before);
  });

  it("removes a deleted event from A's agenda and feed", async () => {
    const id = cEvent.split("/").pop() as string;
    await c.runtime.events.delete(editorC, id);
    await until("the deletion to reach A", async () => !(await partnerEvents(a)).has(cEvent) || undefined, 60_000);
    const { events } = parseWithIcalJs(await (await fetch(a.url("/@bruxelles/network.ics"))).text());
    expect(events.map((e) => e.summary)).not.toContain("Assemblée des locataires");
  });
});
