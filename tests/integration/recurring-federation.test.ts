// A weekly help desk reaches a Mastodon-shaped follower occurrence by occurrence over real HTTP with real
// signatures: each occurrence once (even with two workers publishing at the same time), days ahead and
// not earlier; Update + change note for the moved one; nothing for a cancelled one not yet sent; nothing
// after the series was ended early. Time moves with the instance's injectable clock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { occurrenceLeadMs } from "../../src/modules/event/occurrence-publishing.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";

type Json = Record<string, unknown>;

describe("recurring events reach Mastodon followers occurrence by occurrence", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  let editor: Principal;
  let now = new Date("2030-03-01T08:00:00Z");

  beforeAll(async () => {
    relais = await startRelaisInstance({ clock: () => now });
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

  const objectsOf = (type: string) =>
    peer.received.filter((d) => d.signatureValid && d.activity?.type === type).map((d) => d.activity?.object as Json);
  const eventsCreated = () => objectsOf("Create").filter((o) => o.type === "Event");
  /** Two workers' rounds at once, at `at`. */
  const publishAt = async (at: string) => {
    now = new Date(at);
    const { series } = relais.runtime;
    const [a, b] = await Promise.all([series.publishDue(now, occurrenceLeadMs), series.publishDue(now, occurrenceLeadMs)]);
    return a + b;
  };
  const obj = (d: ReceivedDelivery) => (d.activity?.object ?? {}) as Json;
  const settle = () => new Promise((r) => setTimeout(r, 1500));

  it("publishes each occurrence once, five days ahead, with its own id and times; a change note for the moved one; nothing after the end", async () => {
    const created = await relais.runtime.events.create(editor, "lyon", {
      name: { fr: "Permanence CAF" },
      startsAt: "2030-03-12T14:00",
      endsAt: "2030-03-12T17:00",
      timezone: "Europe/Paris",
      location: { name: "Centre social", locality: "Lyon", country: "FR" },
      recurrence: { frequency: "weekly", weekdays: ["TU"], until: "2030-04-30" },
      published: true,
    });
    const id = created.event.id;
    const url = (date: string) => `${created.event.apId.href}/occurrences/${date}`;
    await settle();
    // The series itself is not sent, and nothing is due yet (12 March is 11 days away).
    expect(eventsCreated()).toEqual([]);
    expect(await publishAt("2030-03-01T08:00:00Z")).toBe(0);

    // Five days before: the first occurrence, once although two workers ran.
    expect(await publishAt("2030-03-07T15:00:00Z")).toBe(1);
    const first = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Create" && (d.activity.object as Json).id === url("2030-03-12"), { timeoutMs: 20_000 });
    const event = first.activity?.object as Json;
    expect(first.activity?.id).toBe(`${url("2030-03-12")}#create`);
    expect(event).toMatchObject({ type: "Event", name: "Permanence CAF", startTime: "2030-03-12T14:00:00+01:00", endTime: "2030-03-12T17:00:00+01:00", timezone: "Europe/Paris" });
    expect(await peer.fetchDocument(new URL(url("2030-03-12")))).toMatchObject({ ok: true, json: { id: url("2030-03-12"), startTime: "2030-03-12T14:00:00+01:00" } });

    // The next one is cancelled before it is due: it never goes out. The one after is moved before: it goes out moved.
    await relais.runtime.series.changeOccurrence(editor, id, "2030-03-19", { cancelled: true });
    await relais.runtime.series.changeOccurrence(editor, id, "2030-03-26", { startsAt: "2030-03-27T10:00", endsAt: "2030-03-27T12:00" });
    expect(await publishAt("2030-03-15T09:00:00Z")).toBe(0);
    expect(await publishAt("2030-03-22T11:00:00Z")).toBe(1);
    const moved = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Create" && (d.activity.object as Json).id === url("2030-03-26"), { timeoutMs: 20_000 });
    expect(obj(moved).startTime).toBe("2030-03-27T10:00:00+01:00");
    // Summer time from 31 March: the next is 14:00+02:00.
    expect(await publishAt("2030-03-28T11:59:00Z")).toBe(0);
    expect(await publishAt("2030-03-28T12:01:00Z")).toBe(1);
    const april = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Create" && (d.activity.object as Json).id === url("2030-04-02"), { timeoutMs: 20_000 });
    expect(obj(april).startTime).toBe("2030-04-02T14:00:00+02:00");

    // Moving an occurrence already sent: Update of its Event, then the change note naming the new time.
    const mark = peer.received.length;
    await relais.runtime.series.changeOccurrence(editor, id, "2030-04-02", { startsAt: "2030-04-02T15:00", endsAt: "2030-04-02T18:00" });
    const update = await peer.waitFor((d: ReceivedDelivery) => d.signatureValid && d.activity?.type === "Update" && peer.received.indexOf(d) >= mark, { timeoutMs: 20_000 });
    expect(obj(update).id).toBe(url("2030-04-02"));
    expect(obj(update).startTime).toBe("2030-04-02T15:00:00+02:00");
    const note = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Create" && (d.activity.object as Json).type === "Note" && peer.received.indexOf(d) >= mark, {
      timeoutMs: 20_000,
    });
    const noteObject = note.activity?.object as Json;
    expect(String(noteObject.id)).toMatch(new RegExp(`^${url("2030-04-02")}/changes/\\d+$`));
    expect(String(noteObject.content)).toMatch(/15:00/);
    expect(String(noteObject.content)).toContain(url("2030-04-02"));
    // The note and the occurrence's Note form are served at their ids.
    expect(await peer.fetchDocument(new URL(String(noteObject.id)))).toMatchObject({ ok: true, json: { id: noteObject.id, type: "Note" } });
    expect(await peer.fetchDocument(new URL(`${url("2030-04-02")}/note`))).toMatchObject({ ok: true, json: { id: `${url("2030-04-02")}/note`, type: "Note" } });

    // Ended early, after 10 April: the 9th still goes out, nothing after it.
    await relais.runtime.series.end(editor, id, { after: "2030-04-10" });
    expect(await publishAt("2030-04-05T12:00:00Z")).toBe(1);
    expect(await publishAt("2030-04-12T12:00:00Z")).toBe(0);
    expect(await publishAt("2030-04-26T12:00:00Z")).toBe(0);
    await settle();

    const sent = eventsCreated().map((o) => o.id);
    expect(sent).toEqual([url("2030-03-12"), url("2030-03-26"), url("2030-04-02"), url("2030-04-09")]);
    expect(new Set(sent).size).toBe(sent.length);
    // Changes to occurrences not yet sent sent nothing: the only Update is the one of the 2nd of April.
    expect(objectsOf("Update").map((o) => o.id)).toEqual([url("2030-04-02")]);

    // Deleting the series deletes each occurrence that went out, and only those, and the moved one's change note.
    const mark2 = peer.received.length;
    await relais.runtime.events.delete(editor, id);
    await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Delete" && obj(d).id === url("2030-04-09") && peer.received.indexOf(d) >= mark2, { timeoutMs: 20_000 });
    await settle();
    const deleted = peer.received.slice(mark2).filter((d) => d.signatureValid && d.activity?.type === "Delete").map((d) => obj(d).id);
    expect([...deleted].sort()).toEqual([...sent, noteObject.id].sort());
  }, 120_000);
});
