// The editor's event form with a repetition, over real HTTP (WebClient, forms as the page sends them):
// a weekly help desk published from the form, the rule shown again on its form, a monthly "second
// Tuesday" from the start date, and a bad count answered next to the field in the editor's language.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { WebClient } from "../support/web-client.ts";

describe("the event form repeats an event", () => {
  let relais: RelaisInstance;
  let web: WebClient;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await createEditor(relais.runtime, "lyon", "ana@example.org");
    web = new WebClient(relais.origin);
    await web.login("ana@example.org", "correct horse battery");
  });
  afterAll(async () => {
    await relais?.close();
  });

  const base = {
    languages: "fr",
    "name.fr": "Permanence CAF",
    startDate: "2030-03-12",
    startTime: "14:00",
    endDate: "2030-03-12",
    endTime: "17:00",
    timezone: "Europe/Paris",
    placeName: "Centre social",
    locality: "Lyon",
    country: "FR",
    onlineUrl: "",
    category: "",
    tags: "",
  };

  it("publishes a weekly series from the form and shows its rule again", async () => {
    const page = await web.get("/manage/@lyon/events/new", { "accept-language": "fr" });
    expect(page.text).toContain("Ne se répète pas");
    expect(page.text).toContain('name="repeatDays"');
    const published = await web.post("/manage/@lyon/events/new", { ...base, repeat: "weekly", repeatInterval: "1", repeatDays: "TU", repeatUntil: "2030-06-30", repeatCount: "", intent: "publish" });
    expect(published.status).toBe(303);
    const id = /\/manage\/events\/([0-9a-f-]{36})/.exec(published.location ?? "")?.[1] as string;
    const view = await relais.runtime.events.getForEditor((await createEditor(relais.runtime, "lyon", "eve@example.org")).principal, id);
    expect(view.event.recurrence).toEqual({ frequency: "weekly", interval: 1, weekdays: ["TU"], until: "2030-06-30" });
    const form = await web.get(`/manage/events/${id}`, { "accept-language": "fr" });
    expect(form.text).toMatch(/<option value="weekly" selected/);
    expect(form.text).toMatch(/value="TU" checked/);
    expect(form.text).toContain('value="2030-06-30"');
  });

  it("takes the nth weekday from the start date, and puts a bad count next to the field", async () => {
    const published = await web.post("/manage/@lyon/events/new", { ...base, "name.fr": "Assemblée", repeat: "monthlyWeekday", repeatInterval: "1", repeatUntil: "", repeatCount: "6", intent: "publish" });
    expect(published.status).toBe(303);
    const id = /\/manage\/events\/([0-9a-f-]{36})/.exec(published.location ?? "")?.[1] as string;
    const occurrences = await relais.runtime.series.occurrences(null, id, { limit: 10 });
    expect(occurrences.event.recurrence).toEqual({ frequency: "monthly", interval: 1, weekdayOfMonth: { ordinal: 2, weekday: "TU" }, count: 6 });
    expect(occurrences.occurrences.map((o) => o.date)).toEqual(["2030-03-12", "2030-04-09", "2030-05-14", "2030-06-11", "2030-07-09", "2030-08-13"]);

    const bad = await web.post("/manage/@lyon/events/new", { ...base, repeat: "weekly", repeatInterval: "1", repeatDays: "TU", repeatCount: "0", intent: "publish" }, { "accept-language": "fr" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("Vérifiez la répétition");
    expect(bad.text).toMatch(/id="f-repeat-error"/);
  });
});
