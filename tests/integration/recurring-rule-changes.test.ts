// A weekly help desk whose rule changes after some occurrences went out, over real HTTP with real
// signatures to a Mastodon-shaped and a Gancio-shaped follower: weekly Tuesday -> weekly Wednesday
// deletes the Tuesdays sent; a new time updates the Wednesday sent (Update + change note naming it);
// "from this date on" deletes the old series' occurrence sent on that date and the new series publishes
// its own; ended early deletes what went out after the end; deleting a series deletes its occurrences
// and the change notes of its moved ones. Each of those exactly once. The lead time comes from the
// configuration (RELAIS_OCCURRENCE_LEAD_HOURS=240: ten days here).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type GancioPeer, startGancioPeer } from "../support/gancio-peer.ts";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { keptStatuses } from "../support/mastodon-statuses.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;

describe("a recurring event's rule changes after its occurrences went out", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  let gancio: GancioPeer;
  let editor: Principal;
  let now = new Date("2030-03-01T08:00:00Z");
  const lyon = () => relais.url("/@lyon").href;

  beforeAll(async () => {
    relais = await startRelaisInstance({ clock: () => now, env: { RELAIS_OCCURRENCE_LEAD_HOURS: "240" } });
    [peer, gancio] = await Promise.all([startMastodonPeer({ host: "127.0.0.2", username: "carla" }), startGancioPeer({ host: "127.0.0.4" })]);
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    await peer.follow(new URL(lyon()));
    await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 20_000 });
    expect((await gancio.addTrustedActor(`@lyon@${relais.origin.host}`)).status).toBe(200);
    await gancio.toggleFollow(lyon());
    await gancio.inbox.waitFor((d) => d.activity?.type === "Accept" && d.status === 202, { timeoutMs: 20_000 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([peer?.close(), gancio?.close()]);
    await relais?.close();
  });

  const obj = (d: ReceivedDelivery) => (d.activity?.object ?? {}) as Json;
  const valid = (type: string) => peer.received.filter((d) => d.signatureValid && d.activity?.type === type);
  const ids = (type: string, kind?: string) => valid(type).filter((d) => kind === undefined || obj(d).type === kind).map((d) => String(obj(d).id));
  /** The worker's round at `at`, with the configured lead time. */
  const publishAt = (at: string) => {
    now = new Date(at);
    return relais.runtime.series.publishDue(now);
  };
  const settle = () => new Promise((r) => setTimeout(r, 1500));

  it("deletes, updates and publishes what the changed rule says, each once", async () => {
    const { events, series } = relais.runtime;
    const created = await events.create(editor, "lyon", {
      name: { fr: "Permanence CAF" },
      startsAt: "2030-03-12T14:00",
      endsAt: "2030-03-12T17:00",
      timezone: "Europe/Paris",
      location: { name: "Centre social", locality: "Lyon", country: "FR" },
      recurrence: { frequency: "weekly", weekdays: ["TU"], until: "2030-05-28" },
      published: true,
    });
    const id = created.event.id;
    const occ = (date: string, event = created.event.apId.href) => `${event}/occurrences/${date}`;

    // Ten days ahead (the configured lead): the 12th and the 19th go out, not the 26th.
    expect(await publishAt("2030-03-10T08:00:00Z")).toBe(2);
    await until("the follower has both Tuesdays", async () => ids("Create", "Event").length === 2);
    await until("Gancio stores both", async () => gancio.events.size === 2);

    // Weekly Tuesday -> weekly Wednesday: both Tuesdays sent are deleted, nothing else is sent.
    await events.update(editor, id, { startsAt: "2030-03-13T14:00", endsAt: "2030-03-13T17:00", recurrence: { frequency: "weekly", weekdays: ["WE"], until: "2030-05-28" } });
    // Written by the change itself (its transaction), before any worker round.
    const outbox = await relais.runtime.em.getConnection().execute(`select activity_id, kind from outbox where kind = 'delete-occurrence' and payload->>'eventId' = '${id}' order by activity_id`);
    expect(outbox).toEqual([
      { activity_id: `${occ("2030-03-12")}#delete`, kind: "delete-occurrence" },
      { activity_id: `${occ("2030-03-19")}#delete`, kind: "delete-occurrence" },
    ]);
    await until("both Tuesdays deleted", async () => ids("Delete").length === 2);
    expect(ids("Delete").sort()).toEqual([occ("2030-03-12"), occ("2030-03-19")]);
    await until("Gancio forgets the Tuesdays", async () => gancio.events.size === 0);
    // The Wednesdays appear in good time, as usual.
    expect(await publishAt("2030-03-10T09:00:00Z")).toBe(1);
    await until("the first Wednesday", async () => ids("Create", "Event").includes(occ("2030-03-13")));
    expect(valid("Update")).toEqual([]);

    // A new time: the Wednesday sent gets its Update and a change note naming 15:00; nothing for the others.
    await until("Gancio stores the first Wednesday", async () => gancio.events.has(occ("2030-03-13")));
    const gancioBefore = gancio.events.get(occ("2030-03-13"))?.startTime;
    let mark = peer.received.length;
    await events.update(editor, id, { startsAt: "2030-03-13T15:00", endsAt: "2030-03-13T18:00" });
    const update = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Update" && peer.received.indexOf(d) >= mark, { timeoutMs: 20_000 });
    expect(obj(update)).toMatchObject({ id: occ("2030-03-13"), startTime: "2030-03-13T15:00:00+01:00" });
    const note = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Create" && obj(d).type === "Note" && peer.received.indexOf(d) >= mark, { timeoutMs: 20_000 });
    const noteId = String(obj(note).id);
    expect(noteId).toMatch(new RegExp(`^${occ("2030-03-13")}/changes/\\d+$`));
    expect(String(obj(note).content)).toMatch(/15:00/);
    expect(await peer.fetchDocument(new URL(noteId))).toMatchObject({ ok: true, json: { id: noteId, type: "Note" } });
    await until("Gancio has the new time", async () => gancio.events.get(occ("2030-03-13"))?.startTime !== gancioBefore);
    expect(gancio.events.size).toBe(1);

    // "From this date on" (20 March, another place): the old series' 20th, sent, is deleted; the new series publishes its own.
    expect(await publishAt("2030-03-15T08:00:00Z")).toBe(1);
    await until("the 20th", async () => ids("Create", "Event").includes(occ("2030-03-20")));
    const split = await series.split(editor, id, { from: "2030-03-20", location: { name: "Bourse du travail", locality: "Lyon", country: "FR" } });
    const next = split.event.apId.href;
    await until("the old 20th deleted", async () => ids("Delete").includes(occ("2030-03-20")));
    expect(await publishAt("2030-03-18T08:00:00Z")).toBe(2);
    await until("the new series' 20th and 27th", async () => ids("Create", "Event").includes(occ("2030-03-27", next)));
    const moved = valid("Create").find((d) => obj(d).id === occ("2030-03-20", next));
    expect(JSON.stringify(obj(moved!).location)).toContain("Bourse du travail");

    // Ended early, after the 21st: the 27th, sent, is deleted.
    await series.end(editor, split.event.id, { after: "2030-03-21" });
    await until("the 27th deleted", async () => ids("Delete").includes(occ("2030-03-27", next)));
    expect(await publishAt("2030-03-25T08:00:00Z")).toBe(0);

    // Deleting the old series: its Wednesday and that one's change note; not again what was deleted before.
    mark = peer.received.length;
    await events.delete(editor, id);
    await until("the change note deleted", async () => ids("Delete").includes(noteId));
    await until("the 13th deleted", async () => ids("Delete").includes(occ("2030-03-13")));
    await events.delete(editor, split.event.id);
    await until("the new 20th deleted", async () => ids("Delete").includes(occ("2030-03-20", next)));
    await settle();
    await until("Gancio forgets everything", async () => gancio.events.size === 0);

    // Each object created once, deleted once; the only Update is the new time's.
    const createdIds = ids("Create", "Event");
    expect(createdIds.sort()).toEqual([occ("2030-03-12"), occ("2030-03-13"), occ("2030-03-19"), occ("2030-03-20"), occ("2030-03-20", next), occ("2030-03-27", next)].sort());
    expect(ids("Delete").sort()).toEqual([...createdIds, noteId].sort());
    expect(ids("Update")).toEqual([occ("2030-03-13")]);
  }, 120_000);

  it("a series that stops repeating: its occurrences sent are deleted, and it goes out as one event", async () => {
    const { events } = relais.runtime;
    const created = await events.create(editor, "lyon", {
      name: { fr: "Assemblée" },
      startsAt: "2030-06-04T19:00",
      endsAt: "2030-06-04T21:00",
      timezone: "Europe/Paris",
      location: { name: "Bourse du travail", locality: "Lyon", country: "FR" },
      recurrence: { frequency: "weekly", weekdays: ["TU"], count: 4 },
      published: true,
    });
    const apId = created.event.apId.href;
    expect(await publishAt("2030-06-01T08:00:00Z")).toBe(1);
    await until("the first occurrence", async () => ids("Create", "Event").includes(`${apId}/occurrences/2030-06-04`));
    const view = await events.update(editor, created.event.id, { recurrence: null });
    expect(view.event.recurrence).toBeUndefined();
    await until("the occurrence deleted", async () => ids("Delete").includes(`${apId}/occurrences/2030-06-04`));
    const single = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Create" && obj(d).id === apId, { timeoutMs: 20_000 });
    expect(obj(single)).toMatchObject({ type: "Event", startTime: "2030-06-04T19:00:00+02:00" });
    // The worker sends nothing more of it.
    expect(await publishAt("2030-06-08T08:00:00Z")).toBe(0);
  }, 60_000);

  it("a single event made recurring: its Event is deleted in the change's transaction, then its occurrences go out", async () => {
    const { events } = relais.runtime;
    const created = await events.create(editor, "lyon", {
      name: { fr: "Permanence logement" },
      startsAt: "2030-07-02T14:00",
      endsAt: "2030-07-02T17:00",
      timezone: "Europe/Paris",
      location: { name: "Centre social", locality: "Lyon", country: "FR" },
      published: true,
    });
    const apId = created.event.apId.href;
    await until("the follower has the single event", async () => ids("Create", "Event").includes(apId));
    await until("Gancio stores it", async () => gancio.events.has(apId));
    const view = await events.update(editor, created.event.id, { recurrence: { frequency: "weekly", weekdays: ["TU"], count: 3 } });
    expect(view.event.recurrence).toMatchObject({ frequency: "weekly", count: 3 });
    // Written by the change itself, before any worker round.
    const rows = await relais.runtime.em.getConnection().execute(`select activity_id, kind from outbox where payload->>'eventId' = '${created.event.id}' order by created_at`);
    expect(rows).toEqual([
      { activity_id: `${apId}#create`, kind: "create-event" },
      { activity_id: `${apId}#delete`, kind: "delete-event" },
    ]);
    const deleted = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Delete" && obj(d).id === apId, { timeoutMs: 20_000 });
    expect(obj(deleted)).toMatchObject({ type: "Tombstone", formerType: expect.anything() });
    await until("Gancio forgets the single event", async () => !gancio.events.has(apId));
    // Its occurrences go out as a series' do, at their own ids, each once.
    expect(await publishAt("2030-06-28T08:00:00Z")).toBe(1);
    await until("the first occurrence", async () => ids("Create", "Event").includes(`${apId}/occurrences/2030-07-02`));
    await until("Gancio stores the occurrence", async () => gancio.events.has(`${apId}/occurrences/2030-07-02`));
    expect(ids("Create", "Event").filter((i) => i.startsWith(apId))).toEqual([apId, `${apId}/occurrences/2030-07-02`]);
    expect(ids("Delete").filter((i) => i.startsWith(apId))).toEqual([apId]);
  }, 60_000);

  it("a date deleted at followers and given back goes out again under a new id, which Mastodon keeps", async () => {
    const { events, series } = relais.runtime;
    const created = await events.create(editor, "lyon", {
      name: { fr: "Atelier CV" },
      startsAt: "2030-09-03T14:00",
      endsAt: "2030-09-03T16:00",
      timezone: "Europe/Paris",
      location: { name: "Centre social", locality: "Lyon", country: "FR" },
      recurrence: { frequency: "weekly", weekdays: ["TU"], count: 3 },
      published: true,
    });
    const id = created.event.id;
    const occ = (key: string) => `${created.event.apId.href}/occurrences/${key}`;
    expect(await publishAt("2030-09-02T08:00:00Z")).toBe(2);
    await until("both dates at Gancio", async () => gancio.events.has(occ("2030-09-03")) && gancio.events.has(occ("2030-09-10")));
    // Ended after the 5th: the 10th, sent, is deleted (Mastodon keeps its tombstone).
    await series.end(editor, id, { after: "2030-09-05" });
    await until("the 10th deleted", async () => ids("Delete").includes(occ("2030-09-10")));
    await until("Gancio forgets the 10th", async () => !gancio.events.has(occ("2030-09-10")));
    // Given back (three Tuesdays again): the 10th goes out anew, at its second id, on the worker's round.
    await events.update(editor, id, { recurrence: { frequency: "weekly", weekdays: ["TU"], count: 3 } });
    expect(await publishAt("2030-09-02T09:00:00Z")).toBe(1);
    await until("the 10th again", async () => ids("Create", "Event").includes(occ("2030-09-10.2")));
    const kept = () => keptStatuses(peer.received);
    expect(kept().statuses.has(occ("2030-09-10.2"))).toBe(true);
    expect(kept().refused).toEqual([]);
    await until("Gancio stores it again", async () => gancio.events.has(occ("2030-09-10.2")));
    // Its id serves it; the first one stays gone.
    expect(await peer.fetchDocument(new URL(occ("2030-09-10.2")))).toMatchObject({ ok: true, json: { id: occ("2030-09-10.2"), startTime: "2030-09-10T14:00:00+02:00" } });
    expect((await fetch(occ("2030-09-10"), { headers: { accept: "application/activity+json" } })).status).toBe(410);
    // Deleting the series deletes what followers have: the 3rd and the second 10th, not the first 10th again.
    await events.delete(editor, id);
    await until("the second 10th deleted", async () => ids("Delete").includes(occ("2030-09-10.2")));
    await until("the 3rd deleted", async () => ids("Delete").includes(occ("2030-09-03")));
    await settle();
    expect(ids("Delete").filter((i) => i.startsWith(created.event.apId.href)).sort()).toEqual([occ("2030-09-03"), occ("2030-09-10"), occ("2030-09-10.2")]);
    expect([...kept().statuses.keys()].filter((i) => i.startsWith(created.event.apId.href))).toEqual([]);
  }, 60_000);
});
