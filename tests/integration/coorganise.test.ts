// Events organised together across instances over real HTTP with real signatures (issue 9, "Events
// organised together"; FEDERATION.md "Co-organised events"): the host invites a collective of another
// instance; its editors see the event through the API and accept (a CoorganizeAuthorization stamp on
// their server with an Ed25519 proof); the host lists it in the event's FEP-8a8e `organizers` only
// after fetching the stamp from the co-organiser's origin; the event is in both collectives' feeds
// with one UID; a change of time asks to reconfirm while keeping the co-organiser listed; a withdrawal
// reaches the host; forged answers change nothing.
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventUid } from "../../src/modules/ical/event-uid.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { ed25519PublicKeyFromMultibase, verifyProof } from "../../src/shared/eddsa-jcs-2022.ts";
import { createEditor } from "../support/editor.ts";
import { runCli } from "../support/relais-process.ts";
import { startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const marker = "zq-coorg-marker";

describe("co-organising an event across instances", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let tokenB: string;
  let eventId: string;
  let eventUrl: string;
  let coorganisedId: string;

  const as2 = async (url: string) => {
    const res = await fetch(url, { headers: { accept: "application/activity+json" } });
    return { status: res.status, json: (await res.json().catch(() => null)) as Json };
  };
  const apiB = async (path: string, init: { method?: string; token?: string } = {}) => {
    const res = await fetch(b.url(path), { method: init.method ?? "GET", headers: { authorization: `Bearer ${init.token ?? tokenB}` } });
    return { status: res.status, body: (await res.json().catch(() => null)) as Json };
  };
  const coorganised = async () => ((await apiB("/api/v1/collectives/koeln/coorganised")).body.items as Json[])[0];
  /** The VEVENTs of a feed, parsed: UID → SUMMARY and DTSTART. */
  const feedEvents = async (inst: RelaisInstance, path: string) => {
    const res = await fetch(inst.url(path));
    expect(res.status).toBe(200);
    const calendar = new ICAL.Component(ICAL.parse(await res.text()));
    return calendar.getAllSubcomponents("vevent").map((v) => ({ uid: String(v.getFirstPropertyValue("uid")), start: (v.getFirstPropertyValue("dtstart") as ICAL.Time).toJSDate().toISOString() }));
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    editorA = (await createEditor(a.runtime, "cdc", `${marker}-a@example.org`)).principal;
    tokenB = (await createEditor(b.runtime, "koeln", `${marker}-b@example.org`)).token;
    const created = await a.runtime.events.create(editorA, "cdc", {
      name: { fr: "Marche contre le contrôle", de: "Demo gegen die Kontrolle" },
      startsAt: "2030-03-08T14:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
      published: true,
    });
    eventId = created.event.id;
    eventUrl = created.event.apId.href;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("invites, shows the event to the invited editors, accepts with a verified stamp, and lists it in organizers", async () => {
    const found = await a.runtime.cosignPartners(`@koeln@${b.origin.host}`);
    if (!found.ok) throw new Error(found.reason);
    const invitation = await a.runtime.coorganise.host.invite(editorA, eventId, found.partner);
    expect(invitation).toMatchObject({ state: "invited", purpose: "invite" });
    expect((await a.runtime.coorganise.host.invite(editorA, eventId, found.partner)).id).toBe(invitation.id);

    const item = await until("the invitation at koeln", coorganised);
    expect(item).toMatchObject({ event: eventUrl, host: a.url("/@cdc").href, name: { fr: "Marche contre le contrôle", de: "Demo gegen die Kontrolle" }, coorganising: false });
    expect((item.requests as Json[])[0]).toMatchObject({ state: "pending", purpose: "invite", digest: invitation.digest });
    coorganisedId = item.id as string;

    // Another collective's editor may not answer for koeln.
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    const stranger = (await createEditor(b.runtime, "gent", "stranger@example.org")).token;
    expect((await apiB(`/api/v1/collectives/koeln/coorganised/${coorganisedId}/accept`, { method: "POST", token: stranger })).status).toBe(403);

    const accepted = await apiB(`/api/v1/collectives/koeln/coorganised/${coorganisedId}/accept`, { method: "POST" });
    expect(accepted.status).toBe(200);
    const stampUrl = ((accepted.body.requests as Json[])[0] as Json).stamp as string;
    expect(new URL(stampUrl).origin).toBe(b.origin.origin);

    const [listed] = await until("koeln listed at cdc", async () => {
      const l = await a.runtime.coorganise.host.listed(eventId);
      return l.length > 0 ? l : undefined;
    });
    expect(listed).toMatchObject({ partner: { apId: b.url("/@koeln").href }, stampId: stampUrl, state: "current" });

    // The stamp: public, with koeln's Ed25519 proof over the digest of the event's essentials.
    const stamp = await as2(stampUrl);
    expect(stamp.status).toBe(200);
    expect(stamp.json).toMatchObject({
      id: stampUrl,
      type: "CoorganizeAuthorization",
      attributedTo: b.url("/@koeln").href,
      interactionTarget: b.url("/@koeln").href,
      interactingObject: eventUrl,
      target: { id: a.url(`/events/${eventId}/coorganizers`).href, attributedTo: a.url("/@cdc").href },
      digestMultibase: invitation.digest,
      proof: { cryptosuite: "eddsa-jcs-2022", proofPurpose: "assertionMethod" },
    });
    const actor = (await as2(b.url("/@koeln").href)).json;
    const key = (actor.assertionMethod as Json[]).find((k) => k.id === (stamp.json.proof as Json).verificationMethod);
    expect(verifyProof(stamp.json, ed25519PublicKeyFromMultibase(key?.publicKeyMultibase as string)).ok).toBe(true);
    expect(verifyProof({ ...stamp.json, digestMultibase: "uEiAforged" }, ed25519PublicKeyFromMultibase(key?.publicKeyMultibase as string)).ok).toBe(false);

    // The AS2 Event: FEP-8a8e organizers = [host, koeln], and the coorganizers collection wrapping the stamp.
    const event = (await as2(eventUrl)).json;
    expect(event.organizers).toEqual({
      type: "OrganizersCollection",
      totalItems: 2,
      items: [
        { type: "Group", id: a.url("/@cdc").href },
        { type: "Group", id: b.url("/@koeln").href, name: "AG Köln" },
      ],
    });
    expect(JSON.stringify(event["@context"])).toContain("https://w3id.org/fep/8a8e/organizers");
    const collection = (await as2(event.coorganizers as string)).json;
    expect(collection).toMatchObject({ totalItems: 1, orderedItems: [{ type: "PartnerEntry", partner: b.url("/@koeln").href, entryState: "Current", authorization: { id: stampUrl } }] });
    // The page names the co-organiser.
    const page = await (await fetch(eventUrl, { headers: { accept: "text/html" } })).text();
    expect(page).toContain(b.url("/@koeln").href);
    expect(page).toContain("AG Köln");
    // koeln hears it is listed: the event is now among its own.
    await until("koeln to co-organise", async () => (await coorganised())?.coorganising === true);
    const collectivePage = await (await fetch(b.url("/@koeln"), { headers: { accept: "text/html" } })).text();
    expect(collectivePage).toContain("Demo gegen die Kontrolle");
    expect(collectivePage).toContain(eventUrl);
    for (const doc of [stamp.json, event, collection]) expect(JSON.stringify(doc)).not.toContain(marker);
  }, 120_000);

  it("lists the co-organisers from the command line (relais event coorganizers, relais event coorganised)", async () => {
    const cliEnv = (at: RelaisInstance) => ({ DATABASE_URL: at.runtime.config.databaseUrl as string, REDIS_URL: "", RELAIS_ORIGIN: at.origin.origin, RELAIS_MEDIA_DIR: at.mediaDir });
    const host = await runCli(["event", "coorganizers", eventId], cliEnv(a));
    expect(host.stdout).toMatch(new RegExp(`invitation\t[0-9a-f-]{36}\taccepted\tinvite\t${b.url("/@koeln").href}`));
    expect(host.stdout).toContain(`coorganizer\tcurrent\t${b.url("/@koeln").href}`);
    const partner = await runCli(["event", "coorganised", "koeln"], cliEnv(b));
    expect(partner.stdout).toContain(`${coorganisedId}\tco-organising`);
    expect((await runCli(["event", "withdraw-coorganise", "koeln", "00000000-0000-4000-8000-000000000000"], cliEnv(b))).stderr).toMatch(/not found|co-organised event/);
  }, 60_000);

  it("puts the event in both collectives' feeds with the same UID", async () => {
    const uid = eventUid(new URL(eventUrl));
    const host = await feedEvents(a, "/@cdc/events.ics");
    const partner = await until("the event in koeln's feed", async () => {
      const events = await feedEvents(b, "/@koeln/events.ics");
      return events.length > 0 ? events : undefined;
    });
    expect(host.map((e) => e.uid)).toEqual([uid]);
    expect(partner.map((e) => e.uid)).toEqual([uid]);
    expect(partner[0]?.start).toBe(host[0]?.start);
    // And in koeln's instance calendar.
    expect((await feedEvents(b, "/events.ics")).map((e) => e.uid)).toEqual([uid]);
  }, 60_000);

  it("asks to reconfirm a new time while keeping the co-organiser listed, and lists it current again once reconfirmed", async () => {
    await a.runtime.events.update(editorA, eventId, { startsAt: "2030-03-08T15:00" });
    const listed = await a.runtime.coorganise.host.listed(eventId);
    expect(listed.map((c) => c.state)).toEqual(["pending"]);
    expect(((await as2(eventUrl)).json.organizers as Json).totalItems).toBe(2);
    const collection = (await as2(a.url(`/events/${eventId}/coorganizers`).href)).json;
    expect(collection).toMatchObject({ orderedItems: [{ entryState: "PendingReconfirmation" }] });

    const item = await until("the reconfirmation request and the new time at koeln", async () => {
      const it = await coorganised();
      return ((it?.requests ?? []) as Json[]).some((r) => r.state === "pending" && r.purpose === "reconfirm") && it?.startsAt === "2030-03-08T14:00:00Z" ? it : undefined;
    });
    // Still among koeln's events meanwhile, at the new time, in its feed.
    expect(item.coorganising).toBe(true);
    const moved = await until("koeln's feed at the new time", async () => {
      const events = await feedEvents(b, "/@koeln/events.ics");
      return events[0]?.start === "2030-03-08T14:00:00.000Z" ? events : undefined;
    });
    expect(moved).toHaveLength(1);

    expect((await apiB(`/api/v1/collectives/koeln/coorganised/${coorganisedId}/accept`, { method: "POST" })).status).toBe(200);
    const [current] = await until("koeln current again at cdc", async () => {
      const l = await a.runtime.coorganise.host.listed(eventId);
      return l.length === 1 && l[0]?.state === "current" && l[0].stampId !== listed[0]?.stampId ? l : undefined;
    });
    expect(current?.partner.apId).toBe(b.url("/@koeln").href);
  }, 120_000);

  it("keeps a decline private, and refuses to invite again too soon", async () => {
    const gentToken = (await createEditor(b.runtime, "gent", `${marker}-gent@example.org`)).token;
    const gent = await a.runtime.cosignPartners(b.url("/@gent").href);
    if (!gent.ok) throw new Error(gent.reason);
    await a.runtime.coorganise.host.invite(editorA, eventId, gent.partner);
    const item = await until("the invitation at gent", async () => ((await apiB("/api/v1/collectives/gent/coorganised", { token: gentToken })).body.items as Json[])[0]);
    const declined = await apiB(`/api/v1/collectives/gent/coorganised/${item.id}/decline`, { method: "POST", token: gentToken });
    expect(declined.status).toBe(200);
    await until("cdc to see the decline", async () =>
      (await a.runtime.coorganise.host.overview(editorA, eventId)).invitations.some((i) => i.partner.apId === b.url("/@gent").href && i.state === "declined"),
    );
    await expect(a.runtime.coorganise.host.invite(editorA, eventId, gent.partner)).rejects.toThrow(/declined on .* invited again from/);
    const event = (await as2(eventUrl)).json;
    const collection = (await as2(a.url(`/events/${eventId}/coorganizers`).href)).json;
    for (const doc of [event, collection]) expect(JSON.stringify(doc)).not.toContain("/@gent");
    expect((await apiB(`/api/v1/collectives/gent/coorganised/${item.id}/accept`, { method: "POST", token: gentToken })).status).toBe(409);
    expect(await feedEvents(b, "/@gent/events.ics")).toEqual([]);
    // The routes are in the OpenAPI document.
    const openapi = (await (await fetch(b.url("/api/v1/openapi.json"))).json()) as { paths: Json };
    for (const path of ["/api/v1/events/{id}/coorganizers", "/api/v1/events/{id}/coorganizers/invitations", "/api/v1/collectives/{slug}/coorganised/{id}/withdraw"]) expect(openapi.paths[path]).toBeDefined();
  }, 60_000);

  it("changes nothing for a hostile server's forged answers (0 rows, 0 outbox rows)", async () => {
    const hostile = await startMastodonPeer({ host: "127.0.0.6", username: "mallory" });
    try {
      const count = async (at: RelaisInstance, table: string) =>
        Number((await at.runtime.em.fork().getConnection().execute<{ n: string }[]>(`select count(*) as n from ${table}`))[0]?.n);
      const before = { coorganizers: await count(a, "event_coorganizer"), outbox: await count(a, "outbox"), received: await count(b, "coorganize_stamp") };
      const { invitations } = await a.runtime.coorganise.host.overview(editorA, eventId);
      const request = a.url(`/events/${eventId}/coorganizers/invitations/${invitations.at(-1)?.id}`).href;
      // An Accept of koeln's invitation by another actor, with a "stamp" on its own server.
      const forged = { "@context": "https://www.w3.org/ns/activitystreams", id: `${hostile.actorId.href}#accept-1`, type: "Accept", actor: hostile.actorId.href, object: request, result: `${hostile.origin.origin}/stamps/1` };
      expect((await hostile.sendSigned(a.url("/@cdc/inbox"), forged)).status).toBeLessThan(300);
      // The same claiming to be koeln, signed with the hostile key: refused by the signature check.
      const claimed = { ...forged, id: `${b.url("/@koeln").href}#accept-forged`, actor: b.url("/@koeln").href, result: `${b.origin.origin}/stamps/00000000-0000-4000-8000-000000000000` };
      expect((await hostile.sendSigned(a.url("/@cdc/inbox"), claimed)).status).toBeGreaterThanOrEqual(400);
      // A withdrawal of koeln's stamp by the hostile actor.
      const stampId = (await a.runtime.coorganise.host.listed(eventId))[0]?.stampId as string;
      const forgedDelete = { "@context": "https://www.w3.org/ns/activitystreams", id: `${hostile.actorId.href}#delete-1`, type: "Delete", actor: hostile.actorId.href, object: stampId };
      expect((await hostile.sendSigned(a.url("/@cdc/inbox"), forgedDelete)).status).toBeLessThan(300);
      // An invitation to koeln for an event on another server than the sender's.
      const forgedRequest = {
        "@context": ["https://www.w3.org/ns/activitystreams", { relais: "https://w3id.org/relais/ns#", CoorganizeRequest: "relais:CoorganizeRequest" }],
        id: `${hostile.actorId.href}#invite-1`,
        type: ["Offer", "CoorganizeRequest"],
        actor: hostile.actorId.href,
        object: b.url("/@koeln").href,
        instrument: eventUrl,
        target: a.url(`/events/${eventId}/coorganizers`).href,
      };
      expect((await hostile.sendSigned(b.url("/@koeln/inbox"), forgedRequest)).status).toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 3000)); // the queued inbox activities are handled
      expect(await count(a, "event_coorganizer")).toBe(before.coorganizers);
      expect(await count(a, "outbox")).toBe(before.outbox);
      expect(await count(b, "coorganize_stamp")).toBe(before.received);
      expect((await a.runtime.coorganise.host.listed(eventId)).map((c) => [c.partner.apId, c.state])).toEqual([[b.url("/@koeln").href, "current"]]);
    } finally {
      await hostile.close();
    }
  }, 60_000);

  it("lets the co-organiser withdraw: the host unlists it within seconds, and its feeds drop the event", async () => {
    const withdrawn = await apiB(`/api/v1/collectives/koeln/coorganised/${coorganisedId}/withdraw`, { method: "POST" });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.coorganising).toBe(false);
    const started = Date.now();
    await until("cdc to unlist koeln", async () => (await a.runtime.coorganise.host.listed(eventId)).length === 0, 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await as2(eventUrl)).json.organizers).toBeUndefined();
    const { coorganizers } = await a.runtime.coorganise.host.overview(editorA, eventId);
    const revoked = coorganizers.find((c) => c.state === "revoked");
    expect(revoked).toBeDefined();
    expect((await as2(revoked?.stampId as string)).status).toBe(410);
    expect(await feedEvents(b, "/@koeln/events.ics")).toEqual([]);
    expect((await apiB(`/api/v1/collectives/koeln/coorganised/${coorganisedId}/withdraw`, { method: "POST" })).status).toBe(409);
  }, 60_000);
});
