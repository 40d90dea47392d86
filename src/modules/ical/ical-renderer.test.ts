import { describe, expect, it } from "vitest";
import type { PublishedEvent } from "../event/event.types.ts";
import { renderCalendar } from "./ical-renderer.ts";
import {
  icalJsInstant,
  instant,
  makeEvent,
  type PythonEvent,
  parseWithIcalJs,
  parseWithPython,
  pythonUtc,
} from "../../../tests/support/ical.ts";

const now = instant("2025-01-01T00:00:00Z");
const options = { name: { fr: "Agenda vélo", de: "Fahrradkalender" }, languages: ["fr"], now };

function render(events: readonly PublishedEvent[], overrides: Partial<Parameters<typeof renderCalendar>[1]> = {}): string {
  return renderCalendar(events, { ...options, ...overrides });
}

async function parseBoth(feed: string) {
  const js = parseWithIcalJs(feed);
  const py = await parseWithPython(feed);
  expect(py.events).toHaveLength(js.events.length);
  return { js, py };
}

function byUid(events: PythonEvent[], uid: string): PythonEvent {
  const found = events.find((event) => event.uid === uid);
  if (found === undefined) throw new Error(`no event ${uid}`);
  return found;
}

describe("renderCalendar", () => {
  it("writes the feed's own properties in the asked language", async () => {
    const feed = render([makeEvent()], {
      languages: ["de", "fr"],
      url: new URL("https://relais.example/c/velo"),
      refreshMinutes: 90,
    });
    const { js, py } = await parseBoth(feed);
    expect(js.calendar.getFirstPropertyValue("version")).toBe("2.0");
    expect(js.calendar.getFirstPropertyValue("name")).toBe("Fahrradkalender");
    expect(js.calendar.getFirstProperty("name")!.getParameter("language")).toBe("de");
    expect(js.calendar.getFirstPropertyValue("x-wr-calname")).toBe("Fahrradkalender");
    expect(js.calendar.getFirstPropertyValue("refresh-interval")?.toString()).toBe("PT1H30M");
    expect(js.calendar.getFirstPropertyValue("x-published-ttl")).toBe("PT1H30M");
    expect(py).toMatchObject({
      name: "Fahrradkalender",
      name_language: "de",
      x_wr_calname: "Fahrradkalender",
      url: "https://relais.example/c/velo",
      published_ttl: "PT1H30M",
    });
  });

  it("escapes the calendar name and drops control characters from every text", async () => {
    const name = "Agenda; vélo, \\o/\nnord\u0007";
    const event = makeEvent({ name: { fr: "Réunion\u0000 ; ok" }, description: { fr: "<p>a\u0001b</p>" }, contact: "x\u001b@y" });
    const { js, py } = await parseBoth(render([event], { name: { fr: name } }));
    expect(py).toMatchObject({ name: "Agenda; vélo, \\o/\nnord", name_language: "fr", x_wr_calname: "Agenda; vélo, \\o/\nnord" });
    expect(js.events[0]!.summary).toBe("Réunion ; ok");
    expect(py.events[0]!.description?.split("\n\n")[0]).toBe("ab");
    expect(js.events[0]!.component.getFirstPropertyValue("contact")).toBe("x@y");
  });

  it("ends every line in CRLF and keeps every line within 75 octets", () => {
    const long = "Très longue description ".repeat(40) + "🎉".repeat(50);
    const feed = render([makeEvent({ description: { fr: `<p>${long}</p>` } })]);
    expect(feed.endsWith("END:VCALENDAR\r\n")).toBe(true);
    const lines = feed.slice(0, -2).split("\r\n");
    for (const line of lines) {
      expect(line).not.toMatch(/[\r\n]/);
      expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
      expect(line.isWellFormed()).toBe(true);
    }
    expect(lines.filter((line) => line.startsWith(" ")).length).toBeGreaterThan(10);
  });

  it("writes times with TZID and a VTIMEZONE that both parsers read right across daylight-saving changes", async () => {
    const cases: [string, string, string][] = [
      ["paris-before", "Europe/Paris", "2025-03-29T18:00:00Z"],
      ["paris-after", "Europe/Paris", "2025-03-30T18:00:00Z"],
      ["paris-autumn", "Europe/Paris", "2025-10-26T09:00:00Z"],
      ["montreal-before", "America/Montreal", "2025-03-08T23:00:00Z"],
      ["montreal-after", "America/Montreal", "2025-03-09T23:00:00Z"],
      ["amsterdam-winter", "Europe/Amsterdam", "2026-01-15T12:00:00Z"],
      ["lord-howe-summer", "Australia/Lord_Howe", "2025-04-05T14:00:00Z"],
      ["lord-howe-winter", "Australia/Lord_Howe", "2025-04-06T14:00:00Z"],
      ["kolkata", "Asia/Kolkata", "2025-06-01T04:30:00Z"],
      ["utc", "UTC", "2025-06-01T12:00:00Z"],
    ];
    const events = cases.map(([slug, timezone, start]) =>
      makeEvent({ slug, timezone, startsAt: instant(start), endsAt: instant(start).add({ hours: 26 }) }),
    );
    const { js, py } = await parseBoth(render(events));
    // UTC needs no VTIMEZONE: ical-generator writes its times with Z.
    const zoned = cases.filter(([, zone]) => zone !== "UTC");
    expect(py.timezones).toEqual([...new Set(zoned.map(([, zone]) => zone))].sort());
    cases.forEach(([, zone, start], i) => {
      const end = new Date(Date.parse(start) + 26 * 3_600_000).toISOString();
      const jsEvent = js.events[i]!;
      expect(jsEvent.startDate.zone?.tzid).toBe(zone);
      expect(icalJsInstant(jsEvent.startDate)).toBe(new Date(start).toISOString());
      expect(icalJsInstant(jsEvent.endDate)).toBe(end);
      const pyEvent = byUid(py.events, jsEvent.uid);
      expect(pythonUtc(pyEvent.dtstart?.utc)).toBe(new Date(start).toISOString());
      expect(pythonUtc(pyEvent.dtend?.utc)).toBe(end);
      if (zone === "UTC") {
        expect(pyEvent.dtstart?.tzid).toBeNull();
        return;
      }
      expect(pyEvent.dtstart?.tzid).toBe(zone);
      expect(pythonUtc(pyEvent.dtstart?.utc_from_vtimezone)).toBe(new Date(start).toISOString());
      expect(pythonUtc(pyEvent.dtend?.utc_from_vtimezone)).toBe(end);
    });
    // 18:00 UTC is 19:00 in Paris before the change and 20:00 after.
    expect(js.events[0]!.startDate.hour).toBe(19);
    expect(js.events[1]!.startDate.hour).toBe(20);
  });

  it("writes a time in the hour repeated when clocks go back in UTC, so that no parser misreads it", async () => {
    const firstPass = makeEvent({ slug: "first", startsAt: instant("2025-10-26T00:30:00Z"), endsAt: undefined });
    const secondPass = makeEvent({ slug: "second", startsAt: instant("2025-10-26T01:30:00Z"), endsAt: undefined });
    const { js, py } = await parseBoth(render([firstPass, secondPass]));
    expect(js.events.map((event) => icalJsInstant(event.startDate))).toEqual([
      "2025-10-26T00:30:00.000Z",
      "2025-10-26T01:30:00.000Z",
    ]);
    expect(js.events.map((event) => event.startDate.zone?.tzid)).toEqual(["UTC", "UTC"]);
    expect(py.events.map((event) => pythonUtc(event.dtstart?.utc))).toEqual([
      "2025-10-26T00:30:00.000Z",
      "2025-10-26T01:30:00.000Z",
    ]);
    // No TZID refers to Paris any more, so no VTIMEZONE either.
    expect(py.timezones).toEqual([]);
  });

  it("keeps the UID across updates and renders, derives it from the ActivityPub id, and grows SEQUENCE", async () => {
    const original = makeEvent({ sequence: 0 });
    const moved = makeEvent({
      sequence: 3,
      startsAt: instant("2025-03-22T13:00:00Z"),
      endsAt: instant("2025-03-22T16:00:00Z"),
      updatedAt: instant("2025-02-01T08:00:00Z"),
      name: { fr: "Manifestation à vélo (reportée)" },
    });
    const before = await parseBoth(render([original, makeEvent({ slug: "other" })]));
    // Another instance renders the federated copy, in another language.
    const after = await parseBoth(render([moved], { languages: ["de"], name: "Ailleurs" }));
    const uid = before.js.events[0]!.uid;
    // uuid.uuid5(uuid.NAMESPACE_URL, "https://relais.example/events/demo"), computed by Python.
    expect(uid).toBe("1c2fd867-e66f-589a-974b-67e371f656a9");
    expect(before.js.events[1]!.uid).not.toBe(uid);
    expect(after.js.events[0]!.uid).toBe(uid);
    expect(after.py.events[0]!.uid).toBe(uid);
    expect(before.js.events[0]!.sequence).toBe(0);
    expect(after.js.events[0]!.sequence).toBe(3);
    expect(after.py.events[0]).toMatchObject({
      sequence: 3,
      last_modified: "2025-02-01T08:00:00+00:00",
      dtstamp: "2025-02-01T08:00:00+00:00",
      created: "2025-01-10T09:00:00+00:00",
    });
  });

  it("keeps a cancelled event with STATUS:CANCELLED until it is over, then leaves it out", async () => {
    const cancelled = makeEvent({
      slug: "cancelled",
      status: "cancelled",
      statusReason: { fr: "Annulé : alerte orage." },
      startsAt: instant("2025-03-15T13:00:00Z"),
      endsAt: instant("2025-03-15T16:00:00Z"),
    });
    const cancelledDay = makeEvent({
      slug: "cancelled-day",
      status: "cancelled",
      allDay: true,
      startsAt: instant("2025-03-20T08:00:00Z"),
      endsAt: instant("2025-03-21T08:00:00Z"),
    });
    const postponed = makeEvent({ slug: "postponed", status: "postponed" });
    const events = [cancelled, cancelledDay, postponed];

    const early = await parseBoth(render(events, { now: instant("2025-03-15T15:59:00Z") }));
    expect(early.py.events.map((event) => event.status)).toEqual(["CANCELLED", "CANCELLED", "TENTATIVE"]);
    expect(early.js.events[0]!.description.split("\n\n")[0]).toBe("Annulé : alerte orage.");

    const later = await parseBoth(render(events, { now: instant("2025-03-15T16:00:00Z") }));
    expect(later.py.events.map((event) => event.url)).toEqual([
      "https://relais.example/events/cancelled-day",
      "https://relais.example/events/postponed",
    ]);
    // The all-day event ends with 21 March in Paris: 23:00 UTC.
    const lastEvening = await parseBoth(render(events, { now: instant("2025-03-21T22:59:00Z") }));
    expect(lastEvening.py.events.map((event) => event.status)).toEqual(["CANCELLED", "TENTATIVE"]);
    const nextDay = await parseBoth(render(events, { now: instant("2025-03-21T23:00:00Z") }));
    expect(nextDay.py.events.map((event) => event.status)).toEqual(["TENTATIVE"]);
  });

  it("keeps ; , \\ line breaks and emoji of a description and a name through both parsers", async () => {
    const name = "Vélo; pique-nique, \\o/ 🚲🇫🇷";
    const html =
      "<p>Rendez-vous ; 14h, place « République » \\ côté nord.<br />Apportez : eau, pain &amp; fruits 🍎🍐.</p>" +
      "<ul><li>Famille 👩‍👩‍👧 bienvenue</li><li>Drapeaux 🏳️‍🌈, banderoles</li></ul>" +
      `<p>${"Texte long pour le pliage, avec accents éèà et emoji 🎉 ; ".repeat(6).trim()}</p>`;
    const expected =
      "Rendez-vous ; 14h, place « République » \\ côté nord.\nApportez : eau, pain & fruits 🍎🍐.\n\n" +
      "- Famille 👩‍👩‍👧 bienvenue\n- Drapeaux 🏳️‍🌈, banderoles\n\n" +
      "Texte long pour le pliage, avec accents éèà et emoji 🎉 ; ".repeat(6).trim() +
      "\n\nhttps://relais.example/events/demo";
    const { js, py } = await parseBoth(render([makeEvent({ name: { fr: name }, description: { fr: html } })]));
    expect(js.events[0]!.summary).toBe(name);
    expect(js.events[0]!.description).toBe(expected);
    expect(py.events[0]!.summary).toBe(name);
    expect(py.events[0]!.description).toBe(expected);
  });

  it("writes all-day events as DATE values with an exclusive end, in the event's own zone", async () => {
    const oneDay = makeEvent({ slug: "one", allDay: true, startsAt: instant("2025-05-01T08:00:00Z"), endsAt: undefined });
    const threeDays = makeEvent({
      slug: "three",
      allDay: true,
      startsAt: instant("2025-07-04T00:00:00Z"),
      endsAt: instant("2025-07-06T00:00:00Z"),
    });
    // Midday UTC on 1 June is already 2 June in Auckland.
    const auckland = makeEvent({
      slug: "auckland",
      allDay: true,
      timezone: "Pacific/Auckland",
      startsAt: instant("2025-06-01T12:30:00Z"),
      endsAt: instant("2025-06-01T12:30:00Z"),
    });
    const { js, py } = await parseBoth(render([oneDay, threeDays, auckland]));
    expect(js.events.map((event) => [event.startDate.isDate, event.startDate.toString(), event.endDate.toString()])).toEqual([
      [true, "2025-05-01", "2025-05-02"],
      [true, "2025-07-04", "2025-07-07"],
      [true, "2025-06-02", "2025-06-03"],
    ]);
    expect(py.events.map((event) => [event.dtstart?.kind, event.dtstart?.local, event.dtend?.local])).toEqual([
      ["date", "2025-05-01", "2025-05-02"],
      ["date", "2025-07-04", "2025-07-07"],
      ["date", "2025-06-02", "2025-06-03"],
    ]);
    // Dates need no zone: no VTIMEZONE for Auckland or Paris.
    expect(py.timezones).toEqual([]);
  });

  it("writes place, coordinates, link, categories, contact and image", async () => {
    const event = makeEvent({
      onlineUrl: "https://visio.example/room?id=1;x=2",
      contact: "orga@velo.example",
      image: { url: "https://relais.example/media/affiche.png", mediaType: "image/png" },
      tags: ["vélo", "a,b", "velo"],
      location: {
        name: "Maison des associations",
        streetAddress: "3 rue de la Paix",
        postalCode: "69001",
        locality: "Lyon",
        country: "FR",
        latitude: 45.767_123_456,
        longitude: 4.8341,
      },
    });
    const { js, py } = await parseBoth(render([event]));
    const vevent = js.events[0]!.component;
    expect(js.events[0]!.location).toBe("Maison des associations, 3 rue de la Paix, 69001 Lyon, France");
    expect(vevent.getFirstPropertyValue("geo")).toEqual([45.767123, 4.8341]);
    expect(vevent.getFirstPropertyValue("url")).toBe("https://relais.example/events/demo");
    expect(vevent.getFirstProperty("categories")!.getValues()).toEqual(["MOVEMENTS_POLITICS", "vélo", "a,b", "velo"]);
    expect(vevent.getFirstPropertyValue("contact")).toBe("orga@velo.example");
    expect(vevent.getFirstPropertyValue("image")).toBe("https://relais.example/media/affiche.png");
    expect(vevent.getFirstProperty("image")!.getParameter("fmttype")).toBe("image/png");
    expect(vevent.getFirstPropertyValue("conference")).toBe("https://visio.example/room?id=1;x=2");
    expect(js.events[0]!.description).toContain("https://visio.example/room?id=1;x=2");
    expect(py.events[0]).toMatchObject({
      location: "Maison des associations, 3 rue de la Paix, 69001 Lyon, France",
      geo: [45.767123, 4.8341],
      url: "https://relais.example/events/demo",
    });
  });

  it("picks each event's texts by the asked languages, then the collective's primary language, then any", async () => {
    const events = [
      makeEvent({ slug: "both", name: { fr: "Réunion", de: "Treffen" }, description: { fr: "<p>fr</p>", de: "<p>de</p>" } }),
      makeEvent({ slug: "french", name: { fr: "Réunion" }, description: { fr: "<p>fr</p>" } }),
      makeEvent({ slug: "dutch", name: { nl: "Vergadering" }, description: { nl: "<p>nl</p>" } }),
    ];
    const { js, py } = await parseBoth(render(events, { languages: ["de-CH", "en"] }));
    expect(js.events.map((event) => event.summary)).toEqual(["Treffen", "Réunion", "Vergadering"]);
    expect(py.events.map((event) => event.summary_language)).toEqual(["de", "fr", "nl"]);
    expect(js.events.map((event) => event.description.split("\n\n")[0])).toEqual(["de", "fr", "nl"]);
  });

  it("falls back to UTC times for a zone the runtime does not know", async () => {
    const event = makeEvent({ timezone: "Mars/Olympus_Mons", startsAt: instant("2025-04-01T10:00:00Z"), endsAt: undefined });
    const { js, py } = await parseBoth(render([event]));
    expect(icalJsInstant(js.events[0]!.startDate)).toBe("2025-04-01T10:00:00.000Z");
    expect(py.timezones).toEqual([]);
  });

  it("renders an empty feed", async () => {
    const { js, py } = await parseBoth(render([]));
    expect(js.events).toEqual([]);
    expect(py.name).toBe("Agenda vélo");
  });
});
