import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";
import { eventUid } from "../../src/modules/ical/event-uid.ts";
import { expandWithIcalJs, expandWithPython, parseWithIcalJs } from "../support/ical.ts";

// A weekly help desk with a cancelled, a moved and a relocated occurrence, and a "second Tuesday"
// assembly in Amsterdam, created over the JSON API and read back from the collective's iCal feed over
// HTTP by two independent parsers, each expanding the series itself: the same dates and times, across
// the change to summer time, as the rule and its exceptions say.
describe("recurring events in iCal feeds", () => {
  let relais: RelaisInstance;
  let token: string;
  let helpDesk: { id: string; url: string };
  let assembly: { id: string; url: string };

  const api = async (path: string, method: string, json: unknown) => {
    const res = await fetch(relais.url(path), { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(json) });
    expect(res.status).toBeLessThan(300);
    return res.json();
  };
  const feed = async (path: string) => {
    const res = await fetch(relais.url(path));
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    token = (await createEditor(relais.runtime, "lyon", "ana@example.org")).token;
    helpDesk = await api("/api/v1/collectives/lyon/events", "POST", {
      name: { fr: "Permanence CAF" },
      startsAt: "2030-03-12T14:00",
      endsAt: "2030-03-12T17:00",
      timezone: "Europe/Paris",
      location: { name: "Centre social", locality: "Lyon", country: "FR" },
      recurrence: { frequency: "weekly", weekdays: ["TU"], until: "2030-04-16" },
      published: true,
    });
    await api(`/api/v1/events/${helpDesk.id}/occurrences/2030-03-26/cancel`, "POST", { reason: { fr: "Grève" } });
    await api(`/api/v1/events/${helpDesk.id}/occurrences/2030-04-02`, "PATCH", { startsAt: "2030-04-03T10:00", endsAt: "2030-04-03T12:00" });
    await api(`/api/v1/events/${helpDesk.id}/occurrences/2030-04-09`, "PATCH", { location: { name: "Bourse du travail", locality: "Lyon" } });
    assembly = await api("/api/v1/collectives/lyon/events", "POST", {
      name: { fr: "Assemblée mensuelle" },
      startsAt: "2030-01-08T19:30",
      endsAt: "2030-01-08T21:00",
      timezone: "Europe/Amsterdam",
      onlineUrl: "https://meet.example.org/assemblee",
      recurrence: "FREQ=MONTHLY;BYDAY=2TU;COUNT=5",
      published: true,
    });
  });
  afterAll(async () => {
    await relais?.close();
  });

  // What the series should give (UTC): 14:00 Paris is 13:00Z in winter, 12:00Z from 31 March.
  const expected = [
    { recurrenceId: "2030-03-12T13:00:00.000Z", start: "2030-03-12T13:00:00.000Z", end: "2030-03-12T16:00:00.000Z" },
    { recurrenceId: "2030-03-19T13:00:00.000Z", start: "2030-03-19T13:00:00.000Z", end: "2030-03-19T16:00:00.000Z" },
    { recurrenceId: "2030-04-02T12:00:00.000Z", start: "2030-04-03T08:00:00.000Z", end: "2030-04-03T10:00:00.000Z" },
    { recurrenceId: "2030-04-09T12:00:00.000Z", start: "2030-04-09T12:00:00.000Z", end: "2030-04-09T15:00:00.000Z" },
    { recurrenceId: "2030-04-16T12:00:00.000Z", start: "2030-04-16T12:00:00.000Z", end: "2030-04-16T15:00:00.000Z" },
  ];

  it("carries one VEVENT with RRULE and EXDATE, and overrides with RECURRENCE-ID (the cancelled one STATUS:CANCELLED)", async () => {
    const text = await feed("/@lyon/events.ics?from=2030-01-01");
    const unfolded = text.replace(/\r\n[ \t]/g, "");
    const uid = `UID:${eventUid(new URL(helpDesk.url))}\r\n`;
    const vevents = unfolded.split("BEGIN:VEVENT").slice(1).filter((v) => v.includes("Permanence CAF"));
    expect(vevents).toHaveLength(4);
    const master = vevents.find((v) => !v.includes("RECURRENCE-ID"))!;
    expect(master).toContain("RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20300416T215959Z\r\n");
    expect(master).toContain("DTSTART;TZID=Europe/Paris:20300312T140000\r\n");
    expect(master).toContain("EXDATE;TZID=Europe/Paris:20300326T140000\r\n");
    const cancelled = vevents.find((v) => v.includes("RECURRENCE-ID;TZID=Europe/Paris:20300326T140000"))!;
    expect(cancelled).toContain("STATUS:CANCELLED");
    expect(cancelled).toContain("Grève");
    expect(vevents.every((v) => v.includes(uid))).toBe(true);
    expect(unfolded).toContain("RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=5");
  });

  it("expands to the same occurrences with ical.js and with python-icalendar", async () => {
    const text = await feed("/@lyon/events.ics?from=2030-01-01");
    const fromJs = expandWithIcalJs(text).filter((o) => o.uid === eventUid(new URL(helpDesk.url)));
    expect(fromJs.map(({ recurrenceId, start, end }) => ({ recurrenceId, start, end }))).toEqual(expected);
    expect(fromJs.find((o) => o.recurrenceId.startsWith("2030-04-09"))?.location).toBe("Bourse du travail, Lyon");
    expect(fromJs.find((o) => o.recurrenceId.startsWith("2030-03-19"))?.location).toBe("Centre social, Lyon, France");

    const fromPython = (await expandWithPython(text)).filter((o) => o.uid === eventUid(new URL(helpDesk.url)));
    const shown = fromPython.filter((o) => !o.excluded);
    expect(shown.map((o) => ({ recurrenceId: new Date(o.recurrence_id).toISOString(), start: new Date(o.start).toISOString(), end: new Date(o.end!).toISOString() }))).toEqual(expected);
    expect(fromPython.every((o) => o.local_start.endsWith("T14:00:00"))).toBe(true);
    const cancelled = fromPython.find((o) => o.excluded)!;
    expect(cancelled).toMatchObject({ recurrence_id: "2030-03-26T13:00:00+00:00", status: "CANCELLED", override: true });
    expect(shown.find((o) => o.recurrence_id.startsWith("2030-04-09"))?.location).toBe("Bourse du travail, Lyon");

    // The second Tuesday in Amsterdam: 19:30 local, 18:30Z in winter and 17:30Z in summer.
    const second = expandWithIcalJs(text).filter((o) => o.uid === eventUid(new URL(assembly.url))).map((o) => o.start);
    expect(second).toEqual(["2030-01-08T18:30:00.000Z", "2030-02-12T18:30:00.000Z", "2030-03-12T18:30:00.000Z", "2030-04-09T17:30:00.000Z", "2030-05-14T17:30:00.000Z"]);
    const secondPy = (await expandWithPython(text)).filter((o) => o.uid === eventUid(new URL(assembly.url))).map((o) => new Date(o.start).toISOString());
    expect(secondPy).toEqual(second);
  });

  it("keeps a series in a feed window while one of its occurrences is in it, and drops it after", async () => {
    const during = parseWithIcalJs(await feed("/@lyon/events.ics?from=2030-04-10&to=2030-04-20")).events.map((e) => e.summary);
    expect(during).toContain("Permanence CAF");
    expect(during).not.toContain("Assemblée mensuelle");
    const after = parseWithIcalJs(await feed("/@lyon/events.ics?from=2030-04-17")).events.map((e) => e.summary);
    expect(after).not.toContain("Permanence CAF");
    expect(after).toContain("Assemblée mensuelle");
    // Only the cancelled occurrence in the window: shown, as a cancelled single event is, to say it is off.
    const gap = parseWithIcalJs(await feed("/@lyon/events.ics?from=2030-03-25T00:00:00Z&to=2030-03-27T00:00:00Z")).events;
    expect(gap.map((e) => e.summary)).toContain("Permanence CAF");
    // …and nothing when the window holds no occurrence at all (a Tuesday-only series, a Thursday window).
    const none = parseWithIcalJs(await feed("/@lyon/events.ics?from=2030-03-14T00:00:00Z&to=2030-03-15T00:00:00Z")).events;
    expect(none.map((e) => e.summary)).not.toContain("Permanence CAF");
  });

  it("filters occurrences, not series: ?status= keeps the occurrences of that status, a window the subscriber asks for keeps those in it", async () => {
    const uid = eventUid(new URL(helpDesk.url));
    const of = async (query: string) => {
      const text = await feed(`/@lyon/events.ics?${query}`);
      return { text, js: expandWithIcalJs(text).filter((o) => o.uid === uid), py: (await expandWithPython(text)).filter((o) => o.uid === uid && !o.excluded) };
    };
    // Cancelled only: the held series passes with its cancelled date alone, shown as cancelled (not in EXDATE), by both parsers.
    const cancelled = await of("status=cancelled&from=2030-01-01");
    expect(cancelled.js.map(({ recurrenceId, start, status }) => ({ recurrenceId, start, status }))).toEqual([
      { recurrenceId: "2030-03-26T13:00:00.000Z", start: "2030-03-26T13:00:00.000Z", status: "CANCELLED" },
    ]);
    expect(cancelled.py.map((o) => [new Date(o.start).toISOString(), o.status])).toEqual([["2030-03-26T13:00:00.000Z", "CANCELLED"]]);
    expect(cancelled.text).toContain("Grève");
    expect(parseWithIcalJs(cancelled.text).events.map((e) => e.summary)).not.toContain("Assemblée mensuelle");

    // Scheduled only: every held date, and no trace of the cancelled one (no override saying it is off).
    const held = await of("status=scheduled&from=2030-01-01");
    expect(held.js.map((o) => o.start)).toEqual(expected.map((o) => o.start));
    expect(held.py.map((o) => new Date(o.start).toISOString())).toEqual(expected.map((o) => o.start));
    expect(held.text.replace(/\r\n[ \t]/g, "")).not.toContain("Grève");
    // A window holding only the cancelled date: the series is not in a feed of held events…
    const gap = "from=2030-03-25T00:00:00Z&to=2030-03-27T00:00:00Z";
    expect(parseWithIcalJs((await of(`status=scheduled&${gap}`)).text).events.map((e) => e.summary)).not.toContain("Permanence CAF");
    // …and is in one of cancelled events.
    expect((await of(`status=cancelled&${gap}`)).js.map((o) => o.start)).toEqual(["2030-03-26T13:00:00.000Z"]);

    // A window asked for: only its occurrences (the moved 2 April one where it went, the relocated 9th), by both parsers.
    const april = await of("from=2030-04-01&to=2030-04-12");
    expect(april.js.map(({ recurrenceId, start }) => ({ recurrenceId, start }))).toEqual([
      { recurrenceId: "2030-04-02T12:00:00.000Z", start: "2030-04-03T08:00:00.000Z" },
      { recurrenceId: "2030-04-09T12:00:00.000Z", start: "2030-04-09T12:00:00.000Z" },
    ]);
    expect(april.js[1]?.location).toBe("Bourse du travail, Lyon");
    expect(april.py.map((o) => new Date(o.start).toISOString())).toEqual(["2030-04-03T08:00:00.000Z", "2030-04-09T12:00:00.000Z"]);
    // An open window from a date: from its first occurrence to the series' own end.
    const fromApril = await of("from=2030-04-05");
    expect(fromApril.js.map((o) => o.start)).toEqual(["2030-04-09T12:00:00.000Z", "2030-04-16T12:00:00.000Z"]);
  });
});
