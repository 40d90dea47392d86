// A co-organised event at Mobilizon-shaped groups (design §11 "Mobilizon", §13 #13; FEDERATION.md
// "Co-organised events"), over real HTTP with real signatures: the host cdc (instance A) co-organises
// an event with koeln (instance B). One Mobilizon group follows the host, another only koeln. The peer
// keeps an event only as Mobilizon 5.1's event converter would (tests/support/mobilizon-ingest.ts):
// organiser and group from `actor`/`attributedTo`, fetched as actors; `to` a list, public only with the
// full Public IRI; `contacts` (mz:contacts) fetched as actors. The follower of the host must keep the
// event, public, organised by cdc, with koeln among its contacts once koeln is listed (Mobilizon ignores
// FEP-8a8e `organizers`); the follower of koeln alone is sent nothing about it (ADR 0026).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type MobilizonPeer, startMobilizonPeer } from "../support/mobilizon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("a co-organised event at Mobilizon-shaped followers", { timeout: 240_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let ofHost: MobilizonPeer;
  let ofCoorganiser: MobilizonPeer;
  let editorA: Principal;
  let eventId: string;
  let eventUrl: string;

  beforeAll(async () => {
    [a, b, ofHost, ofCoorganiser] = await Promise.all([
      startRelaisInstance({ host: "127.0.0.1" }),
      startRelaisInstance({ host: "127.0.0.2" }),
      startMobilizonPeer({ host: "127.0.0.7", group: "velo_lyon" }),
      startMobilizonPeer({ host: "127.0.0.8", group: "velo_koeln" }),
    ]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    editorA = (await createEditor(a.runtime, "cdc", "zq-coorg-mobilizon@example.org")).principal;
    await ofHost.follow(a.url("/@cdc"));
    await ofCoorganiser.follow(b.url("/@koeln"));
    for (const peer of [ofHost, ofCoorganiser]) await peer.inbox.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ofHost?.close(), ofCoorganiser?.close()]);
    await Promise.all([a?.close(), b?.close()]);
  });

  it("is kept by a follower of the host as a public event of cdc, with koeln among its contacts once listed", async () => {
    const created = await a.runtime.events.create(editorA, "cdc", {
      name: { fr: "Marche contre le contrôle", de: "Demo gegen die Kontrolle" },
      startsAt: "2030-05-01T18:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
      published: true,
    });
    eventId = created.event.id;
    eventUrl = created.event.apId.href;
    const cdc = a.url("/@cdc").href;
    const koeln = b.url("/@koeln").href;
    await ofHost.inbox.waitFor((d) => d.activity?.type === "Create" && d.status !== null, { timeoutMs: 60_000 });
    expect(ofHost.log.problems()).toEqual([]);
    expect(ofHost.events.get(eventUrl)).toMatchObject({ organizer: cdc, attributedTo: null, contacts: [], title: "Marche contre le contrôle", visibility: "public", status: "confirmed", via: "Create" });

    const found = await a.runtime.cosignPartners(koeln);
    if (!found.ok) throw new Error(found.reason);
    await a.runtime.coorganise.host.invite(editorA, eventId, found.partner);
    const item = await until("the invitation at koeln", async () => (await b.runtime.coorganise.partner.list("cli", "koeln"))[0], 60_000);
    await b.runtime.coorganise.partner.accept("cli", "koeln", item.id);
    await until("koeln listed at the host", async () => (await a.runtime.coorganise.host.listed(eventId)).length === 1 || undefined, 60_000);

    // A change of the list alone is not sent to followers; the event's next Update carries it.
    await a.runtime.events.update(editorA, eventId, { summary: { fr: "Départ place Bellecour" } });
    const updated = await until("the Update with koeln as a contact", async () => {
      const e = ofHost.events.get(eventUrl);
      return e?.via === "Update" && e.contacts.length > 0 ? e : undefined;
    }, 60_000);
    expect(updated).toMatchObject({ organizer: cdc, attributedTo: null, contacts: [koeln], title: "Marche contre le contrôle", visibility: "public" });
    const update = ofHost.inbox.received.find((d) => d.activity?.type === "Update");
    expect(update?.signatureValid).toBe(true);
    expect((update?.activity?.object as Record<string, unknown> | undefined)?.organizers).toMatchObject({ type: "OrganizersCollection", totalItems: 2 });
    expect(ofHost.log.problems()).toEqual([]);

    // The follower of koeln alone was sent nothing about it: it must follow the host (ADR 0026).
    expect(ofCoorganiser.inbox.received.filter((d) => d.activity?.type !== "Accept")).toEqual([]);
    expect(ofCoorganiser.events.size).toBe(0);
    expect(ofCoorganiser.log.problems()).toEqual([]);
  });
});
