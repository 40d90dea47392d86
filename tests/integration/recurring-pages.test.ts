// A recurring event's page over real HTTP: the series in words in the visitor's language, its next dates
// with the cancelled one struck through, the moved one with its new time and the one held elsewhere with
// its place; an occurrence's URL sends browsers to its line on the page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("recurring event pages", () => {
  let relais: RelaisInstance;
  let id: string;
  let url: string;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    const editor = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    const created = await relais.runtime.events.create(editor, "lyon", {
      name: { fr: "Permanence CAF" },
      startsAt: "2030-03-12T14:00",
      endsAt: "2030-03-12T17:00",
      timezone: "Europe/Paris",
      location: { name: "Centre social", locality: "Lyon", country: "FR" },
      recurrence: { frequency: "weekly", weekdays: ["TU"], until: "2030-06-30" },
      published: true,
    });
    id = created.event.id;
    url = created.event.apId.href;
    await relais.runtime.series.changeOccurrence(editor, id, "2030-03-19", { cancelled: true });
    await relais.runtime.series.changeOccurrence(editor, id, "2030-03-26", { startsAt: "2030-03-27T10:00", endsAt: "2030-03-27T12:00" });
    await relais.runtime.series.changeOccurrence(editor, id, "2030-04-02", { location: { name: "Bourse du travail", locality: "Lyon" } });
  });
  afterAll(async () => {
    await relais?.close();
  });

  const page = async (lang: string) => {
    const res = await fetch(url, { headers: { accept: "text/html", "accept-language": lang } });
    expect(res.status).toBe(200);
    return (await res.text()).replace(/\s+/g, " ");
  };

  it("describes the series in the visitor's language and marks the exceptions", async () => {
    const fr = await page("fr");
    expect(fr).toContain("Chaque mardi, 14:00–17:00, jusqu’au 30 juin");
    expect(fr).toMatch(/<li id="occurrence-2030-03-19" class="cancelled"><del><time[^>]*>[^<]*19 mars 2030[^<]*<\/time><\/del> — <strong>annulé<\/strong>/);
    expect(fr).toMatch(/<li id="occurrence-2030-03-26"><del>[^<]*26 mars 2030[^<]*<\/del> — <strong>déplacé au [^<]*27 mars 2030[^<]*10:00/);
    expect(fr).toMatch(/<li id="occurrence-2030-04-02">.*?<strong>à Bourse du travail, Lyon<\/strong>/);
    const de = await page("de");
    expect(de).toContain("Jeden Dienstag, 14:00–17:00, bis 30. Juni");
    expect(de).toContain("abgesagt");
    expect(await page("nl")).toContain("Elke dinsdag, 14:00–17:00, tot 30 juni");
    expect(await page("en")).toContain("Every Tuesday, 14:00–17:00, until June 30");
  });

  it("sends browsers from an occurrence's URL to its line on the page", async () => {
    const res = await fetch(`${url}/occurrences/2030-03-26`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${new URL(url).pathname}#occurrence-2030-03-26`);
    expect((await fetch(`${url}/occurrences/2030-03-27`, { headers: { accept: "text/html" }, redirect: "manual" })).status).toBe(404);
  });
});
