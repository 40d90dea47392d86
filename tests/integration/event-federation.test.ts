// A Mastodon-shaped follower receives Create(Event), then Update(Event) followed by the change Note, then
// Delete (of the event and of its notes) — validly signed, carrying the FEP-8a8e fields, and what Mastodon shows (name, summary, url)
// carries the date, the time with its zone and the place.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";

type Json = Record<string, unknown>;

describe("events reach Mastodon followers", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  let editor: Principal;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "carla" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    await peer.follow(relais.url("/@lyon"));
    await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  const signedOfType = (type: string, after = 0) => (d: ReceivedDelivery) =>
    d.signatureValid && d.activity?.type === type && peer.received.indexOf(d) >= after;

  it("sends Create, Update + change Note, then Delete", async () => {
    const { events } = relais.runtime;
    const created = await events.create(editor, "lyon", {
      name: { fr: "Rassemblement devant la CAF", de: "Kundgebung vor der Familienkasse" },
      summary: { fr: "Contre le contrôle algorithmique" },
      description: { fr: "Venez **nombreux·ses**" },
      startsAt: "2030-03-09T14:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon", postalCode: "69002", country: "FR", latitude: 45.7578, longitude: 4.832 },
      category: "MOVEMENTS_POLITICS",
      tags: ["caf"],
      published: true,
    });
    const apId = created.event.apId.href;

    const create = await peer.waitFor(signedOfType("Create"), { timeoutMs: 20_000 });
    expect(create.signer).toBe(relais.url("/@lyon").href);
    const event = create.activity?.object as Json;
    expect(create.activity?.id).toBe(`${apId}#create`);
    expect(event.type).toBe("Event");
    expect(event.id).toBe(apId);
    expect(event.url).toBe(apId);
    expect(event.attributedTo).toBe(relais.url("/@lyon").href);
    expect(event.name).toBe("Rassemblement devant la CAF");
    expect(event.nameMap).toEqual({ fr: "Rassemblement devant la CAF", de: "Kundgebung vor der Familienkasse" });
    expect(event.startTime).toBe("2030-03-09T14:00:00+01:00");
    expect(event.timezone).toBe("Europe/Paris");
    expect(event.eventStatus).toBe("EventScheduled");
    expect(event.category).toBe("MOVEMENTS_POLITICS");
    expect(JSON.stringify(event.to ?? create.activity?.to)).toMatch(/Public/);
    expect(JSON.stringify(create.activity?.cc)).toContain(relais.url("/@lyon/followers").href);
    // Arrays even for one tag or none (Gancio calls tag.map and attachment.length).
    expect(event.tag).toEqual([expect.objectContaining({ type: "Hashtag", name: "#caf" })]);
    expect(event.attachment).toEqual([]);
    const location = event.location as Json;
    expect(location.name).toBe("Place Bellecour");
    expect((location.address as Json).addressLocality).toBe("Lyon");
    // What Mastodon shows: name as heading, then summary, then the link.
    expect(event.summary).toMatch(/9 mars 2030/);
    expect(event.summary).toMatch(/14:00/);
    expect(event.summary).toMatch(/heure de Paris/);
    expect(event.summary).toMatch(/Place Bellecour, Lyon/);

    const mark = peer.received.length;
    await events.update(editor, created.event.id, { startsAt: "2030-03-09T15:30", location: { name: "Place des Terreaux", locality: "Lyon", country: "FR" } });
    const update = await peer.waitFor(signedOfType("Update", mark), { timeoutMs: 20_000 });
    expect(update.activity?.id).toBe(`${apId}#update-1`);
    const updated = update.activity?.object as Json;
    expect(updated.startTime).toBe("2030-03-09T15:30:00+01:00");
    expect(updated.summary).toMatch(/15:30/);
    expect(updated.attachment).toEqual([]);
    const noteCreate = await peer.waitFor(
      (d) => signedOfType("Create", mark)(d) && (d.activity?.object as Json)?.type === "Note",
      { timeoutMs: 20_000 },
    );
    // The note describes the Update: it arrives after it.
    expect(peer.received.indexOf(noteCreate)).toBeGreaterThan(peer.received.indexOf(update));
    const note = noteCreate.activity?.object as Json;
    expect(note.content).toMatch(/Nouvel horaire/);
    expect(note.content).toMatch(/Nouveau lieu/);
    expect(note.content).toContain(apId);
    // The Note is served at its id, for servers that fetch it, also once sent outbox rows are pruned.
    await relais.runtime.em.getConnection().execute("delete from outbox where sent_at is not null");
    const fetched = await fetch(String(note.id), { headers: { accept: "application/activity+json" } });
    expect(fetched.status).toBe(200);
    const served = await fetched.json();
    expect(served.type).toBe("Note");
    expect(served.content).toBe(note.content);

    const mark2 = peer.received.length;
    await events.cancel(editor, created.event.id, { reason: { fr: "Interdiction préfectorale" } });
    const cancelNote = await peer.waitFor(
      (d) => signedOfType("Create", mark2)(d) && (d.activity?.object as Json)?.type === "Note",
      { timeoutMs: 20_000 },
    );
    expect((cancelNote.activity?.object as Json | undefined)?.content).toMatch(/Annulé/);
    const cancelUpdate = await peer.waitFor(signedOfType("Update", mark2), { timeoutMs: 20_000 });
    expect((cancelUpdate.activity?.object as Json | undefined)?.eventStatus).toBe("EventCancelled");
    expect(peer.received.indexOf(cancelNote)).toBeGreaterThan(peer.received.indexOf(cancelUpdate));
    const noteIds = [String(note.id), String((cancelNote.activity?.object as Json | undefined)?.id)];

    const mark3 = peer.received.length;
    await events.delete(editor, created.event.id);
    const del = await peer.waitFor(signedOfType("Delete", mark3), { timeoutMs: 20_000 });
    const tombstone = del.activity?.object as Json;
    expect(tombstone).toMatchObject({ type: "Tombstone", id: apId, formerType: "Event" });
    // formerType is a vocabulary term (it expands to as:Event): the Delete keeps its Linked Data signature.
    expect((del.activity?.signature as Json | undefined)?.type).toBe("RsaSignature2017");
    const gone = await fetch(apId, { headers: { accept: "application/activity+json" } });
    expect(gone.status).toBe(410);

    // Its change notes go with it: a Delete for each, and their URLs answer 410 too.
    for (const noteId of noteIds) {
      const noteDelete = await peer.waitFor(
        (d) => signedOfType("Delete", mark3)(d) && (d.activity?.object as Json)?.id === noteId,
        { timeoutMs: 20_000 },
      );
      expect(noteDelete.activity?.object).toMatchObject({ type: "Tombstone", formerType: "Note" });
      expect((noteDelete.activity?.signature as Json | undefined)?.type).toBe("RsaSignature2017");
      const noteGone = await fetch(noteId, { headers: { accept: "application/activity+json" } });
      expect(noteGone.status).toBe(410);
      expect((await noteGone.json()).type).toBe("Tombstone");
    }
  }, 90_000);

  it("serves the event at its URL: JSON-LD to servers, HTML to browsers", async () => {
    const { events } = relais.runtime;
    const view = await events.create(editor, "lyon", {
      name: { fr: "Atelier", de: "Workshop" },
      startsAt: "2030-06-01T10:00",
      timezone: "America/Montreal",
      onlineUrl: "https://meet.example/atelier",
      published: true,
    });
    const as2 = await fetch(view.event.apId, { headers: { accept: "application/activity+json" } });
    expect(as2.headers.get("content-type")).toMatch(/activity\+json/);
    const doc = await as2.json();
    expect(doc.startTime).toBe("2030-06-01T10:00:00-04:00");
    expect(doc.timezone).toBe("America/Montreal");
    const page = await fetch(`${view.event.apId.href}?lang=de`, { headers: { accept: "text/html" } });
    const htmlText = await page.text();
    expect(page.status).toBe(200);
    expect(htmlText).toContain('<html lang="de">');
    expect(htmlText).toContain("Workshop");
    expect(htmlText).toMatch(/10:00/);
    expect(htmlText).toMatch(/Montreal/);
    expect(htmlText).toContain(`/events/${view.event.id}.ics`);
    expect(htmlText).toContain("webcal://");
  });

  it("lists public events in the collective's outbox", async () => {
    const outbox = await (await fetch(relais.url("/@lyon/outbox"), { headers: { accept: "application/activity+json" } })).json();
    expect(outbox.totalItems).toBeGreaterThanOrEqual(1);
    const first = await (await fetch(outbox.first, { headers: { accept: "application/activity+json" } })).json();
    const items = first.orderedItems as { type: string; object: { type: string; name: string; tag: unknown; attachment: unknown; timezone: string } }[];
    expect(items[0]?.type).toBe("Create");
    expect(items[0]?.object.type).toBe("Event");
    // The complete documents, as delivered (Gancio imports them from the outbox).
    expect(items[0]?.object.timezone).toBe("America/Montreal");
    expect(items[0]?.object.tag).toEqual([]);
    expect(items[0]?.object.attachment).toEqual([]);
    expect(items.map((i) => i.object.name)).toContain("Atelier");
  });
});
