// Issue 14, "done when": Mastodon-, Hollo- and Gancio-shaped followers (Gancio both following a
// collective and following the instance actor as a relay) follow, receive, see changes and the
// cancellation, see the deletion, unfollow and are unfollowed, without a single error on either side;
// each sees every event exactly once, in the form its server shows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type GancioPeer, startGancioPeer } from "../support/gancio-peer.ts";
import { type HolloPeer, startHolloPeer } from "../support/hollo-peer.ts";
import { captureLogs, type LogCapture } from "../support/log-capture.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import type { InboxDelivery } from "../support/peer-http.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const objectOf = (activity: Json | null | undefined) => (activity?.object ?? {}) as Json;

describe("the servers people run follow a collective and see each event once", () => {
  let logs: LogCapture;
  let relais: RelaisInstance;
  let mastodon: MastodonPeer;
  let hollo: HolloPeer;
  let gancioRelay: GancioPeer;
  let gancio: GancioPeer;
  let editor: Principal;
  const lyon = () => relais.url("/@lyon").href;
  const instanceActor = () => relais.url("/@relais.instance").href;

  beforeAll(async () => {
    // The production configuration at its default level (info): what an operator reads.
    logs = await captureLogs("info");
    relais = await startRelaisInstance();
    [mastodon, hollo, gancioRelay, gancio] = await Promise.all([
      startMastodonPeer({ host: "127.0.0.2", username: "carla" }),
      startHolloPeer({ host: "127.0.0.3", username: "hana" }),
      startGancioPeer({ host: "127.0.0.4" }),
      startGancioPeer({ host: "127.0.0.5" }),
    ]);
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
  });
  afterAll(async () => {
    await Promise.all([mastodon?.close(), hollo?.close(), gancioRelay?.close(), gancio?.close()]);
    await relais?.close();
    await logs?.close();
  });

  it("follow: Mastodon and Hollo the collective, one Gancio the collective, another the instance actor", async () => {
    await mastodon.follow(new URL(lyon()));
    await hollo.follow(new URL(lyon()));
    expect((await gancio.addTrustedActor(`@lyon@${relais.origin.host}`)).status).toBe(200);
    await gancio.toggleFollow(lyon());
    expect((await gancioRelay.addTrustedInstance(relais.origin.href)).status).toBe(200);
    await gancioRelay.toggleFollow(instanceActor());
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 20_000 });
    await until("Hollo's follow accepted", async () => hollo.following.get(lyon())?.approved);
    await gancio.inbox.waitFor((d) => d.activity?.type === "Accept" && d.status === 202, { timeoutMs: 20_000 });
    await gancioRelay.inbox.waitFor((d) => d.activity?.type === "Accept" && d.status === 202, { timeoutMs: 20_000 });
  }, 60_000);

  it("each sees the event once, changes and the cancellation in its own way, then its deletion", async () => {
    const { events } = relais.runtime;
    const created = await events.create(editor, "lyon", {
      name: { fr: "Rassemblement devant la CAF" },
      summary: { fr: "Contre le contrôle algorithmique" },
      startsAt: "2030-03-09T14:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
      tags: ["caf"],
      published: true,
    });
    const apId = created.event.apId.href;
    const noteId = relais.url(`/events/${created.event.id}/note`).href;

    // Mastodon: the Event. Hollo: a Note (it drops Events). Gancio: the Event, from the actor it follows.
    await mastodon.waitFor((d) => d.activity?.type === "Create" && objectOf(d.activity).id === apId, { timeoutMs: 20_000 });
    await until("Hollo shows the event as a Note", async () => hollo.timeline().length === 1);
    const post = hollo.timeline()[0];
    expect(post).toMatchObject({ iri: noteId, type: "Note", author: lyon(), url: apId });
    expect(post?.content).toContain("Rassemblement devant la CAF");
    expect(post?.content).toMatch(/9 mars 2030, 14:00 \(heure de Paris\) · Place Bellecour, Lyon — Contre le contrôle algorithmique/);
    expect(post?.content).toContain(`href="${apId}"`);
    const served = await fetch(noteId, { headers: { accept: "application/activity+json" } });
    expect((await served.json()).type).toBe("Note");
    await until("both Gancios store it", async () => gancio.events.has(apId) && gancioRelay.events.has(apId));
    expect(gancio.events.get(apId)).toMatchObject({ owner: lyon(), placeName: "Place Bellecour", tags: ["caf"] });
    expect(gancioRelay.events.get(apId)?.owner).toBe(instanceActor());

    // A new time: Update, and a change note where the server shows no Update of an Event.
    await events.update(editor, created.event.id, { startsAt: "2030-03-09T15:30" });
    await mastodon.waitFor((d) => d.activity?.type === "Create" && objectOf(d.activity).type === "Note", { timeoutMs: 20_000 });
    await until("Hollo's post shows the new time", async () => hollo.posts.get(noteId)?.content.includes("15:30"));
    await until("Hollo shows the change note", async () => hollo.timeline().some((p) => p.content.includes("Nouvel horaire")));
    await until("the Gancios have the new time", async () =>
      [gancio, gancioRelay].every((g) => g.events.get(apId)?.startTime === "2030-03-09T15:30:00+01:00"),
    );

    // Cancelled: Gancio knows no event status but shows the description, which now says so.
    await events.cancel(editor, created.event.id, { reason: { fr: "Interdiction préfectorale" } });
    await until("the Gancios show the cancellation", async () =>
      [gancio, gancioRelay].every((g) => g.events.get(apId)?.description.startsWith("<p><strong>Annulé — Interdiction préfectorale</strong></p>")),
    );
    await until("Hollo shows the cancellation", async () => hollo.timeline().some((p) => /Annulé\s:\sRassemblement/u.test(p.content)));
    expect(hollo.posts.get(noteId)?.content).toMatch(/Annulé · /);
    await mastodon.waitFor((d) => d.activity?.type === "Update" && objectOf(d.activity).eventStatus === "EventCancelled", { timeoutMs: 20_000 });

    // Each saw one copy of the event, in one form.
    const about = (d: { activity: Json | null }) => [apId, noteId].includes(String(objectOf(d.activity).id));
    const creates = (received: readonly { activity: Json | null }[]) => received.filter((d) => d.activity?.type === "Create" && about(d));
    expect(creates(mastodon.received).map((d) => objectOf(d.activity).type)).toEqual(["Event"]);
    expect(creates(hollo.inbox.received).map((d) => objectOf(d.activity).type)).toEqual(["Note"]);
    expect(creates(gancio.inbox.received).map((d) => objectOf(d.activity).type)).toEqual(["Event"]);
    expect(creates(gancioRelay.inbox.received).map((d) => objectOf(d.activity).type)).toEqual(["Event"]);
    // Gancio gets no change notes: they would stay unanswered (comments off).
    for (const g of [gancio, gancioRelay]) expect(g.inbox.received.filter((d) => objectOf(d.activity).type === "Note")).toEqual([]);

    await events.delete(editor, created.event.id);
    await until("the event gone everywhere", async () => !gancio.events.has(apId) && !gancioRelay.events.has(apId) && hollo.timeline().length === 0);
    await mastodon.waitFor((d) => d.activity?.type === "Delete" && objectOf(d.activity).id === apId, { timeoutMs: 20_000 });
    expect((await fetch(noteId, { headers: { accept: "application/activity+json" } })).status).toBe(410);
  }, 120_000);

  it("unfollow and are unfollowed: nothing reaches them afterwards", async () => {
    await hollo.unfollow(new URL(lyon()));
    await gancio.toggleFollow(lyon());
    await relais.runtime.followers.reject("relais.instance", gancioRelay.actorId.href);
    await relais.runtime.followers.reject("lyon", mastodon.actorId.href);
    await mastodon.waitFor((d) => d.activity?.type === "Reject" && d.signatureValid, { timeoutMs: 20_000 });
    await until("no follower left", async () =>
      (await relais.runtime.followers.list("lyon")).length === 0 && (await relais.runtime.followers.list("relais.instance")).length === 0,
    );

    const counts = () => [mastodon.received.length, hollo.inbox.received.length, gancio.inbox.received.length, gancioRelay.inbox.received.length];
    const before = counts();
    const later = await relais.runtime.events.create(editor, "lyon", {
      name: { fr: "Assemblée" },
      startsAt: "2030-04-01T18:00",
      timezone: "Europe/Paris",
      location: { name: "Bourse du travail", locality: "Lyon", country: "FR" },
      published: true,
    });
    // The outbox row is handled once its delivery list is empty.
    await until("the event's outbox row handled", async () => {
      const rows = await relais.runtime.em.getConnection().execute("select sent_at from outbox where activity_id = ?", [`${later.event.apId.href}#create`]);
      return rows[0]?.sent_at != null;
    });
    expect(counts()).toEqual(before);
  }, 60_000);

  it("leaves no error and no warning on either side", () => {
    const answered = (d: InboxDelivery) => d.status !== null && d.status >= 200 && d.status < 300;
    for (const peer of [hollo, gancio, gancioRelay]) {
      expect(peer.inbox.received.filter((d) => !answered(d)).map((d) => `${String(d.activity?.type)} ${d.status}`)).toEqual([]);
      expect(peer.log.problems()).toEqual([]);
    }
    expect(mastodon.received.filter((d) => !d.signatureValid || d.status >= 300)).toEqual([]);
    const problems = logs.lines.filter((l) => l.level === "warning" || l.level === "error" || l.level === "fatal");
    expect(problems.map((l) => `${l.level} ${l.category}: ${l.text}`)).toEqual([]);
  });
});
