// The dates of a recurring event in the editor, over real HTTP on real PostgreSQL (WebClient, forms sent
// as their pages show them): one date cancelled with a note, one moved, one held elsewhere, each read
// back from the collective's iCal feed (expanded by ical.js) and from the public page; a bad date refused
// next to its field with what was typed and nothing changed; restoring; the series changed from a date
// on and ended; an editor of another collective refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventUid } from "../../src/modules/ical/event-uid.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { formFields } from "../support/html-form.ts";
import { expandWithIcalJs } from "../support/ical.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

const fr = { "accept-language": "fr" };
const text = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&amp;", "&");

describe("the dates of a recurring event in the editor", () => {
  let relais: RelaisInstance;
  let web: WebClient;
  let ana: Principal;
  let id: string;
  let publicPath: string;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await relais.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    ana = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    await createEditor(relais.runtime, "gent", "bram@example.org", "owner");
    const created = await relais.runtime.events.create(ana, "lyon", {
      name: { fr: "Permanence CAF" },
      startsAt: "2030-03-12T14:00",
      endsAt: "2030-03-12T17:00",
      timezone: "Europe/Paris",
      location: { name: "Centre social", locality: "Lyon", country: "FR" },
      recurrence: { frequency: "weekly", weekdays: ["TU"], until: "2030-04-30" },
      published: true,
    });
    id = created.event.id;
    publicPath = created.event.apId.pathname;
    web = new WebClient(relais.origin);
    await web.login("ana@example.org", "correct horse battery");
  });
  afterAll(async () => {
    await relais?.close();
  });

  const occurrencePath = (date: string) => `/manage/events/${id}/occurrences/${date}`;
  /** Sends one of the occurrence page's forms as shown, with some fields changed. */
  const sendForm = async (date: string, action: string, changes: Record<string, string>) => {
    const page = await web.get(occurrencePath(date), fr);
    expect(page.status).toBe(200);
    return web.post(`${occurrencePath(date)}/${action}`, { ...formFields(page.text, `${occurrencePath(date)}/${action}`), ...changes }, fr);
  };
  const feed = async () => {
    const res = await fetch(relais.url("/@lyon/events.ics?from=2030-01-01"));
    expect(res.status).toBe(200);
    return res.text();
  };
  const expanded = async (eventId = id) => {
    const uid = eventUid(relais.runtime.urls.event(eventId));
    return expandWithIcalJs(await feed()).filter((o) => o.uid === uid);
  };

  it("lists the next dates on the event's editor page, each with its actions, and the series' actions", async () => {
    const page = await web.get(`/manage/events/${id}`, fr);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Dates de la série");
    expect(page.text).toContain("Chaque mardi, 14:00–17:00, jusqu’au 30 avril");
    const dates = [...page.text.matchAll(/<li id="date-(\d{4}-\d{2}-\d{2})"/g)].map((m) => m[1]);
    expect(dates).toEqual(["2030-03-12", "2030-03-19", "2030-03-26", "2030-04-02", "2030-04-09", "2030-04-16", "2030-04-23", "2030-04-30"]);
    expect(page.text).toContain(`href="${occurrencePath("2030-03-26")}#cancel"`);
    expect(page.text).toContain(`href="/manage/events/${id}/series/split?from=2030-04-09"`);
    expect(page.text).toContain(`href="/manage/events/${id}/series/end"`);
    expect(page.text).not.toContain("Afficher plus de dates");

    // A series without end: ten dates, then more on asking.
    const endless = await relais.runtime.events.create(ana, "lyon", {
      name: { fr: "Assemblée" },
      startsAt: "2030-01-08T19:00",
      timezone: "Europe/Paris",
      onlineUrl: "https://meet.example.org/ag",
      recurrence: "FREQ=MONTHLY;BYDAY=2TU",
      published: false,
    });
    const first = await web.get(`/manage/events/${endless.event.id}`, fr);
    expect([...first.text.matchAll(/<li id="date-/g)]).toHaveLength(10);
    expect(first.text).toContain(`<a href="/manage/events/${endless.event.id}?dates=50#dates">Afficher plus de dates</a>`);
    const more = await web.get(`/manage/events/${endless.event.id}?dates=50`, fr);
    expect([...more.text.matchAll(/<li id="date-/g)]).toHaveLength(50);
  });

  it("shows past dates on asking, most recent first, a few at a time, in the editor's language", async () => {
    // Weekly from 36 days ago (yesterday's weekday), 8 dates: 6 over, 2 to come, whatever today is.
    const first = Temporal.Now.plainDateISO("Europe/Paris").subtract({ days: 36 });
    const dates = Array.from({ length: 8 }, (_, i) => first.add({ days: 7 * i }).toString());
    const weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][first.dayOfWeek - 1];
    const started = await relais.runtime.events.create(ana, "lyon", {
      name: { fr: "Permanence logement" },
      startsAt: `${first}T14:00`,
      endsAt: `${first}T17:00`,
      timezone: "Europe/Paris",
      location: { name: "Maison des associations", locality: "Lyon", country: "FR" },
      recurrence: { frequency: "weekly", weekdays: [weekday], count: 8 },
      published: true,
    });
    const path = `/manage/events/${started.event.id}`;
    const page = await web.get(path, fr);
    expect([...page.text.matchAll(/<li id="date-(\d{4}-\d{2}-\d{2})"/g)].map((m) => m[1])).toEqual(dates.slice(6));
    expect(page.text).toContain(`<a href="${path}?past=10#past-dates">Afficher les dates passées</a>`);
    expect(page.text).not.toContain('id="past-');
    const past = await web.get(`${path}?past=10`, fr);
    expect(past.text).toContain("Dates passées");
    expect([...past.text.matchAll(/<li id="past-(\d{4}-\d{2}-\d{2})"/g)].map((m) => m[1])).toEqual(dates.slice(0, 6).reverse());
    expect(past.text).not.toContain("Afficher des dates plus anciennes");
    const few = await web.get(`${path}?past=3`, { "accept-language": "de" });
    expect([...few.text.matchAll(/<li id="past-(\d{4}-\d{2}-\d{2})"/g)].map((m) => m[1])).toEqual([dates[5], dates[4], dates[3]]);
    expect(few.text).toContain("Vergangene Termine");
    expect(few.text).toContain(`<a href="${path}?past=43#past-dates">Frühere Termine anzeigen</a>`);
    // A series that has not begun offers none.
    expect((await web.get(`/manage/events/${id}`, fr)).text).not.toContain("?past=");
  });

  it("cancels a date with a note: the feed and the public page say so", async () => {
    const done = await sendForm("2030-03-26", "cancel", { "reason.fr": "Grève" });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/manage/events/${id}?done=series-cancel`);
    const page = await web.get(done.location as string, fr);
    expect(page.text).toContain("La date est annulée.");
    expect(page.text).toMatch(/<li id="date-2030-03-26" class="occurrence cancelled">[\s\S]*?Annulée[\s\S]*?Note : Grève/);

    const occurrences = await expanded();
    expect(occurrences.find((o) => o.recurrenceId === "2030-03-26T13:00:00.000Z")).toBeUndefined();
    expect(occurrences.map((o) => o.recurrenceId)).toContain("2030-03-19T13:00:00.000Z");
    const ics = (await feed()).replace(/\r\n[ \t]/g, "");
    expect(ics).toContain("EXDATE;TZID=Europe/Paris:20300326T140000");
    const override = ics.split("BEGIN:VEVENT").find((v) => v.includes("RECURRENCE-ID;TZID=Europe/Paris:20300326T140000")) ?? "";
    expect(override).toContain("STATUS:CANCELLED");
    expect(override).toContain("Grève");

    const pub = await fetch(relais.url(publicPath), { headers: { accept: "text/html", "accept-language": "fr" } });
    expect(await pub.text()).toMatch(/<li id="occurrence-2030-03-26" class="cancelled">[\s\S]*?annulé[\s\S]*?Grève/);
  });

  it("moves a date (time in the event's zone) and holds another elsewhere: the feed and the public page follow", async () => {
    const moved = await sendForm("2030-04-02", "move", { startDate: "2030-04-03", startTime: "10:00", endDate: "2030-04-03", endTime: "12:00" });
    expect(moved.status).toBe(303);
    const placed = await sendForm("2030-04-09", "place", { placeName: "Bourse du travail", street: "", postalCode: "", locality: "Lyon", country: "" });
    expect(placed.status).toBe(303);
    expect(placed.location).toBe(`/manage/events/${id}?done=series-place`);

    const occurrences = await expanded();
    // 10:00 Paris on 3 April is 08:00Z (summer time); the rule's 14:00 on 2 April stays its RECURRENCE-ID.
    expect(occurrences.find((o) => o.recurrenceId === "2030-04-02T12:00:00.000Z")).toMatchObject({ start: "2030-04-03T08:00:00.000Z", end: "2030-04-03T10:00:00.000Z" });
    expect(occurrences.find((o) => o.recurrenceId === "2030-04-09T12:00:00.000Z")).toMatchObject({ start: "2030-04-09T12:00:00.000Z", location: "Bourse du travail, Lyon" });
    expect(occurrences.find((o) => o.recurrenceId === "2030-04-16T12:00:00.000Z")?.location).toBe("Centre social, Lyon, France");

    const pub = text(await (await fetch(relais.url(publicPath), { headers: { accept: "text/html", "accept-language": "fr" } })).text());
    expect(pub).toMatch(/<li id="occurrence-2030-04-02"><del>[^<]*2 avril[^<]*<\/del> — <strong>déplacé au mercredi 3 avril 2030, 10:00 \(heure de Paris\)/);
    expect(pub).toMatch(/<li id="occurrence-2030-04-09">[\s\S]*?à Bourse du travail, Lyon/);

    const editor = await web.get(`/manage/events/${id}`, fr);
    expect(editor.text).toMatch(/<li id="date-2030-04-02" class="occurrence">[\s\S]*?Déplacée/);
    expect(editor.text).toMatch(/<li id="date-2030-04-09" class="occurrence">[\s\S]*?Ailleurs : Bourse du travail, Lyon/);
  });

  it("refuses a bad date next to its field, keeps what was typed, and changes nothing", async () => {
    const before = await relais.runtime.series.occurrence(ana, id, "2030-04-16");
    const bad = await sendForm("2030-04-16", "move", { startDate: "2030-02-30", startTime: "11:00" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("Cette date et cette heure n’existent pas (ou la date n’est pas valide) ; vérifiez-les.");
    expect(bad.text).toMatch(/<p class="error" id="f-startDate-error">/);
    expect(bad.text).toContain('value="2030-02-30"');
    expect(bad.text).toContain('value="11:00"');
    const empty = await sendForm("2030-04-16", "move", { startDate: "" });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain("Donnez la nouvelle date.");
    const same = await sendForm("2030-04-16", "place", {});
    expect(same.status).toBe(422);
    expect(same.text).toContain("C’est déjà le lieu et le lien de la série");
    const after = await relais.runtime.series.occurrence(ana, id, "2030-04-16");
    expect(after.occurrence).toEqual(before.occurrence);
    expect(after.event.sequence).toBe(before.event.sequence);

    const endPage = await web.get(`/manage/events/${id}/series/end`, fr);
    const badEnd = await web.post(`/manage/events/${id}/series/end`, { ...formFields(endPage.text, `/manage/events/${id}/series/end`), after: "2030-13-40" }, fr);
    expect(badEnd.status).toBe(422);
    expect(badEnd.text).toContain("Donnez une date valide, le jour de la première date de la série ou après.");
    expect(badEnd.text).toContain('value="2030-13-40"');
    expect((await relais.runtime.series.occurrence(ana, id, "2030-04-16")).event.recurrence?.until).toBe("2030-04-30");
  });

  it("refuses an editor of another collective, who changes nothing", async () => {
    const bram = new WebClient(relais.origin);
    await bram.login("bram@example.org", "correct horse battery");
    expect((await bram.get(occurrencePath("2030-03-19"))).status).toBe(403);
    expect((await bram.get(`/manage/events/${id}/series/end`)).status).toBe(403);
    await bram.get("/manage");
    const cancel = await bram.post(`${occurrencePath("2030-03-19")}/cancel`, { "reason.fr": "Pas nous" });
    expect(cancel.status).toBe(403);
    const end = await bram.post(`/manage/events/${id}/series/end`, { after: "2030-03-20" });
    expect(end.status).toBe(403);
    const view = await relais.runtime.series.occurrence(ana, id, "2030-03-19");
    expect(view.occurrence.cancelled).toBe(false);
    expect(view.event.recurrence?.until).toBe("2030-04-30");
  });

  it("restores a cancelled date and gives a moved one back its planned time", async () => {
    const list = await web.get(`/manage/events/${id}`, fr);
    const restored = await web.post(`${occurrencePath("2030-03-26")}/uncancel`, formFields(list.text, `${occurrencePath("2030-03-26")}/uncancel`), fr);
    expect(restored.status).toBe(303);
    const back = await sendForm("2030-04-02", "unmove", {});
    expect(back.status).toBe(303);
    const occurrences = await expanded();
    expect(occurrences.find((o) => o.recurrenceId === "2030-03-26T13:00:00.000Z")).toMatchObject({ start: "2030-03-26T13:00:00.000Z" });
    expect(occurrences.find((o) => o.recurrenceId === "2030-04-02T12:00:00.000Z")).toMatchObject({ start: "2030-04-02T12:00:00.000Z" });
    expect((await feed()).replace(/\r\n[ \t]/g, "")).not.toContain("EXDATE");
  });

  it("changes the series from a date on (a new event with the new time), then ends it", async () => {
    const page = await web.get(`/manage/events/${id}/series/split?from=2030-04-16`, fr);
    expect(page.status).toBe(200);
    const fields = formFields(page.text, `/manage/events/${id}/series/split`);
    expect(fields).toMatchObject({ from: "2030-04-16", startTime: "14:00", endTime: "17:00", placeName: "Centre social" });
    expect(page.text).toContain("Une des dates de la série, après la première. Prochaines dates : mar. 19 mars 2030, mar. 26 mars 2030,");
    const notADate = await web.post(`/manage/events/${id}/series/split`, { ...fields, from: "2030-04-17" }, fr);
    expect(notADate.status).toBe(422);
    expect(notADate.text).toContain("Choisissez une des dates de la série, après la première");
    expect(notADate.text).toContain('value="2030-04-17"');

    const split = await web.post(`/manage/events/${id}/series/split`, { ...fields, startTime: "15:00", endTime: "18:00" }, fr);
    expect(split.status).toBe(303);
    const newId = /\/manage\/events\/([0-9a-f-]{36})\?done=series-split/.exec(split.location ?? "")?.[1] as string;
    expect(newId).toBeDefined();
    expect(newId).not.toBe(id);
    const newPage = await web.get(split.location as string, fr);
    expect(newPage.text).toContain("La série continue à partir de cette date avec ce nouvel événement");
    expect(newPage.text).toContain(`<a href="/manage/events/${id}#dates">Cette série en continue une précédente : ses dates d’avant</a>`);
    // The old series links forward, in the editor and on its public page (and the new one back).
    const oldPage = await web.get(`/manage/events/${id}`, fr);
    expect(oldPage.text).toContain(`<a href="/manage/events/${newId}#dates">Cette série est continuée par une autre : ses dates à partir de là</a>`);
    const publicPage = async (path: string) => (await fetch(relais.url(path), { headers: { accept: "text/html", "accept-language": "fr" } })).text();
    const newPublic = relais.runtime.urls.event(newId).pathname;
    expect(await publicPage(publicPath)).toContain(`<a href="${newPublic}#dates">Elle se poursuit dans une autre série.</a>`);
    expect(await publicPage(newPublic)).toContain(`<a href="${publicPath}#dates">Cette série fait suite à une précédente.</a>`);
    expect((await relais.runtime.series.occurrence(ana, id, "2030-04-09")).event.recurrence?.until).toBe("2030-04-15");
    // 15:00 Paris in summer is 13:00Z.
    expect((await expanded(newId)).map((o) => o.start)).toEqual(["2030-04-16T13:00:00.000Z", "2030-04-23T13:00:00.000Z", "2030-04-30T13:00:00.000Z"]);

    const endForm = await web.get(`/manage/events/${newId}/series/end`, fr);
    const ended = await web.post(`/manage/events/${newId}/series/end`, { ...formFields(endForm.text, `/manage/events/${newId}/series/end`), after: "2030-04-23" }, fr);
    expect(ended.status).toBe(303);
    expect(ended.location).toBe(`/manage/events/${newId}?done=series-end`);
    expect((await expanded(newId)).map((o) => o.start)).toEqual(["2030-04-16T13:00:00.000Z", "2030-04-23T13:00:00.000Z"]);
  });
});
