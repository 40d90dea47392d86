import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";

// A collective's page over real HTTP (real PostgreSQL, its read cache on): a recurring event is listed
// once, at its next occurrence that is not cancelled, with its rule in words — not once per occurrence,
// as the feeds give it as one VEVENT; a cancellation shows on the next request although the page is
// cached; a series without dates left leaves the list.
describe("recurring events on the collective's page", () => {
  let relais: RelaisInstance;
  let editor: Principal;
  let helpDesk: string;

  // Intl's narrow and thin no-break spaces compared as spaces.
  const page = async (lang = "en") => {
    const res = await fetch(relais.url("/@lyon"), { headers: { accept: "text/html", "accept-language": lang } });
    expect(res.status).toBe(200);
    return (await res.text()).replace(/[\u00a0\u2009\u202f]/g, " ");
  };
  /** The items of the page's event lists, tags removed. */
  const upcoming = (text: string) =>
    [...[...text.matchAll(/<ul class="event-list">([\s\S]*?)<\/ul>/g)].map((l) => l[1]).join("").matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim());

  beforeAll(async () => {
    relais = await startRelaisInstance();
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    const { events, series } = relais.runtime;
    helpDesk = (
      await events.create(editor, "lyon", {
        name: { fr: "Permanence CAF", en: "Benefits help desk" },
        startsAt: "2030-03-19T14:00",
        endsAt: "2030-03-19T17:00",
        timezone: "Europe/Paris",
        location: { name: "Centre social", locality: "Lyon", country: "FR" },
        recurrence: "FREQ=WEEKLY;BYDAY=TU;UNTIL=20300430",
        published: true,
      })
    ).event.id;
    await events.create(editor, "lyon", { name: { fr: "Manifestation", en: "March" }, startsAt: "2030-03-23T11:00", timezone: "Europe/Paris", onlineUrl: "https://stream.example/m", published: true });
    await series.changeOccurrence(editor, helpDesk, "2030-03-26", { cancelled: true, reason: { fr: "Vacances" } });
    await series.changeOccurrence(editor, helpDesk, "2030-04-02", { startsAt: "2030-04-03T10:00", endsAt: "2030-04-03T12:00" });
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("lists the series once at its next occurrence, and a cancelled next occurrence gives way to the one after at the next request", async () => {
    const before = await page("en");
    expect(upcoming(before)).toEqual([
      expect.stringMatching(/^Benefits help desk .*March 19, 2030.* · Every Tuesday, 14:00–17:00, until April 30$/),
      expect.stringMatching(/^March .*March 23, 2030/),
    ]);
    expect(await page("en")).toBe(before); // served from the read cache

    await relais.runtime.series.changeOccurrence(editor, helpDesk, "2030-03-19", { cancelled: true });
    // The 26th is cancelled too: next is the one moved to Wednesday 3 April, after the march.
    const after = upcoming(await page("en"));
    expect(after).toEqual([expect.stringMatching(/^March .*March 23, 2030/), expect.stringMatching(/^Benefits help desk .*April 3, 2030.* · Every Tuesday/)]);
    expect(after.join("\n")).not.toMatch(/March 19|March 26/);
    const fr = upcoming(await page("fr"));
    expect(fr[1]).toMatch(/^Permanence CAF .*3 avril 2030.* · Chaque mardi, 14:00–17:00, jusqu’au 30 avril$/);
  });

  it("lists it the same way on the home page and the instance's calendar (under the day of its next occurrence)", async () => {
    const get = async (path: string) =>
      (await (await fetch(relais.url(path), { headers: { accept: "text/html", "accept-language": "en" } })).text()).replace(/[\u00a0\u2009\u202f]/g, " ");
    for (const path of ["/", "/events"]) {
      const items = upcoming(await get(path)).filter((l) => l.startsWith("Benefits help desk"));
      expect(items, path).toEqual([expect.stringMatching(/April 3, 2030.* · Every Tuesday, 14:00–17:00, until April 30/)]);
    }
    expect(await get("/events")).toMatch(/<h2 id="day-2030-04-03">[\s\S]*?Benefits help desk/);
    expect(await get("/events")).not.toContain('id="day-2030-03-19"');
  });

  it("gives the reason of a cancelled occurrence on the event's page, in the visitor's language by the fallback chain", async () => {
    const res = await fetch(relais.url(`/events/${helpDesk}`), { headers: { accept: "text/html", "accept-language": "de" } });
    const text = (await res.text()).replace(/\s+/g, " ");
    expect(text).toMatch(/<li id="occurrence-2030-03-26" class="cancelled"><del>.*?<\/del> — <strong>abgesagt<\/strong> — <span lang="fr">[^<]*Vacances<\/span><\/li>/);
  });

  it("leaves a series out once no date is left", async () => {
    const workshop = await relais.runtime.events.create(editor, "lyon", {
      name: { fr: "Atelier du mois", en: "Monthly workshop" },
      startsAt: "2030-03-12T19:00",
      timezone: "Europe/Paris",
      onlineUrl: "https://meet.example/atelier",
      recurrence: { frequency: "monthly", weekdayOfMonth: { ordinal: 2, weekday: "TU" }, count: 2 },
      published: true,
    });
    expect(upcoming(await page("en"))[0]).toMatch(/^Monthly workshop .*March 12, 2030/);
    await relais.runtime.series.changeOccurrence(editor, workshop.event.id, "2030-03-12", { cancelled: true });
    expect(upcoming(await page("en")).find((l) => l.startsWith("Monthly workshop"))).toMatch(/April 9, 2030/);
    await relais.runtime.series.changeOccurrence(editor, workshop.event.id, "2030-04-09", { cancelled: true });
    expect(await page("en")).not.toContain("Monthly workshop");
  });
});
