// A recurring event's occurrences reach a Hollo-shaped follower (as Notes, which it keeps) and a
// Gancio-shaped follower (as Events it stores, Updates applied) over real HTTP: each occurrence once as
// its own post or event, a moved one updated in place, all deleted with the series (the moved one's change note too).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { occurrenceLeadMs } from "../../src/modules/event/occurrence-publishing.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type GancioPeer, startGancioPeer } from "../support/gancio-peer.ts";
import { type HolloPeer, startHolloPeer } from "../support/hollo-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("recurring events reach Hollo- and Gancio-shaped followers", () => {
  let relais: RelaisInstance;
  let hollo: HolloPeer;
  let gancio: GancioPeer;
  let editor: Principal;
  const lyon = () => relais.url("/@lyon").href;

  beforeAll(async () => {
    relais = await startRelaisInstance({ clock: () => new Date("2030-03-01T00:00:00Z") });
    [hollo, gancio] = await Promise.all([startHolloPeer({ host: "127.0.0.3", username: "hana" }), startGancioPeer({ host: "127.0.0.4" })]);
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    await hollo.follow(new URL(lyon()));
    expect((await gancio.addTrustedActor(`@lyon@${relais.origin.host}`)).status).toBe(200);
    await gancio.toggleFollow(lyon());
    await until("Hollo's follow accepted", async () => hollo.following.get(lyon())?.approved);
    await gancio.inbox.waitFor((d) => d.activity?.type === "Accept" && d.status === 202, { timeoutMs: 20_000 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([hollo?.close(), gancio?.close()]);
    await relais?.close();
  });

  it("each occurrence once, in each one's form; a moved one updated; Gancio's deleted with the series", async () => {
    const created = await relais.runtime.events.create(editor, "lyon", {
      name: { fr: "Permanence CAF" },
      startsAt: "2030-03-12T14:00",
      endsAt: "2030-03-12T17:00",
      timezone: "Europe/Paris",
      location: { name: "Centre social", locality: "Lyon", country: "FR" },
      recurrence: { frequency: "weekly", weekdays: ["TU"], until: "2030-03-26" },
      published: true,
    });
    const id = created.event.id;
    const occurrence = (date: string) => `${created.event.apId.href}/occurrences/${date}`;
    const { series } = relais.runtime;
    expect(await series.publishDue(new Date("2030-03-08T12:00:00Z"), occurrenceLeadMs)).toBe(1);
    expect(await series.publishDue(new Date("2030-03-15T12:00:00Z"), occurrenceLeadMs)).toBe(1);

    await until("Hollo keeps both occurrences as Notes", async () => hollo.posts.size === 2);
    expect([...hollo.posts.keys()].sort()).toEqual([`${occurrence("2030-03-12")}/note`, `${occurrence("2030-03-19")}/note`]);
    await until("Gancio stores both occurrences", async () => gancio.events.size === 2);
    expect(gancio.events.get(occurrence("2030-03-19"))?.title).toBe("Permanence CAF");
    const before = gancio.events.get(occurrence("2030-03-19"))?.startTime;

    await series.changeOccurrence(editor, id, "2030-03-19", { startsAt: "2030-03-20T10:00", endsAt: "2030-03-20T12:00" });
    await until("Gancio applies the Update", async () => gancio.events.get(occurrence("2030-03-19"))?.startTime !== before);
    expect(gancio.events.size).toBe(2);
    await until("Hollo's Note updated", async () => hollo.posts.get(`${occurrence("2030-03-19")}/note`)?.updated !== undefined);

    const changeNote = new RegExp(`^${occurrence("2030-03-19")}/changes/\\d+$`);
    await until("Hollo keeps the moved one's change note", async () => [...hollo.posts.keys()].some((k) => changeNote.test(k)));
    expect(hollo.posts.size).toBe(3);
    await relais.runtime.events.delete(editor, id);
    // Hollo-shaped: the occurrences' Notes are deleted, and the change note of the moved one.
    await until("Hollo forgets the occurrences and the change note", async () => hollo.posts.size === 0);
    await until("Gancio forgets them", async () => gancio.events.size === 0);
  }, 90_000);
});
