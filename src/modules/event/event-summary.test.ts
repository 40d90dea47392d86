import { describe, expect, it } from "vitest";
import { createTranslator } from "../../shared/i18n.ts";
import { eventWording, placeText } from "./event-summary.ts";
import { type EventData, eventCategories } from "./event.types.ts";

const { categoryLabel, formatEventWhen, formatEventWhere, mastodonSummary, zoneLabel } = eventWording(createTranslator());

const instant = (s: string) => Temporal.Instant.from(s);

function event(overrides: Partial<EventData>): EventData {
  return {
    name: { fr: "Marche pour le climat" },
    startsAt: instant("2026-03-08T13:00:00Z"),
    timezone: "Europe/Paris",
    allDay: false,
    location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
    tags: [],
    status: "scheduled",
    links: [],
    visibility: "public",
    ...overrides,
  };
}

describe("mastodonSummary", () => {
  it("says date, time with its zone, place and the one-line summary in the asked language", () => {
    const e = event({ summary: { fr: "Contre la réforme", de: "Gegen die Reform" } });
    expect(mastodonSummary(e, "fr")).toBe(
      "Dimanche 8 mars 2026, 14:00 (heure de Paris) · Place Bellecour, Lyon — Contre la réforme",
    );
    expect(mastodonSummary(e, "de")).toBe(
      "Sonntag, 8. März 2026, 14:00 Uhr (Ortszeit Paris) · Place Bellecour, Lyon — Gegen die Reform",
    );
    // No Dutch summary: the first one given (the primary language's) is used.
    expect(mastodonSummary(e, "nl")).toBe(
      "Zondag 8 maart 2026, 14:00 (tijd in Parijs) · Place Bellecour, Lyon — Contre la réforme",
    );
    expect(mastodonSummary(e, "en")).toBe("Sunday, March 8, 2026, 2:00 PM (Paris time) · Place Bellecour, Lyon — Contre la réforme");
  });

  // 2026-03-29: clocks in Paris jump from 02:00 (CET) to 03:00 (CEST); 02:30 does not exist there.
  // What we store is an instant. "02:30+01:00" is a real instant (01:30 UTC): the wall clock in Paris
  // shows 03:30 then, and that is what we say. (event.schema rejects a bare "02:30" in Paris that day.)
  it("renders the instant stored for 02:30+01:00 on the spring-forward day as 03:30 Paris time", () => {
    const e = event({ startsAt: instant("2026-03-29T02:30:00+01:00") });
    expect(e.startsAt.toString()).toBe("2026-03-29T01:30:00Z");
    expect(mastodonSummary(e, "fr")).toBe("Dimanche 29 mars 2026, 03:30 (heure de Paris) · Place Bellecour, Lyon");
  });

  it("shows an event in America/Montreal in Montreal's time to a German reader, with the hour of the place", () => {
    const e = event({
      startsAt: instant("2026-06-13T19:00:00-04:00"),
      timezone: "America/Montreal",
      location: { name: "Parc La Fontaine", locality: "Montréal", country: "CA" },
      summary: { fr: "Pique-nique militant" },
    });
    expect(mastodonSummary(e, "de")).toBe(
      "Samstag, 13. Juni 2026, 19:00 Uhr (Ortszeit Montreal) · Parc La Fontaine, Montréal — Pique-nique militant",
    );
    expect(mastodonSummary(e, "fr")).toContain("19:00 (heure de Montréal)");
  });

  // ICU puts thin spaces (U+2009) around the dash of a date range.
  it("gives an all-day event its date without time or zone, a range when it lasts several days", () => {
    const oneDay = event({ allDay: true, startsAt: instant("2026-04-30T22:00:00Z") });
    expect(mastodonSummary(oneDay, "fr")).toBe("Vendredi 1 mai 2026 · Place Bellecour, Lyon");
    const threeDays = event({ allDay: true, startsAt: instant("2026-03-06T23:00:00Z"), endsAt: instant("2026-03-08T23:00:00Z") });
    expect(mastodonSummary(threeDays, "fr")).toBe("Samedi 7\u2009–\u2009lundi 9 mars 2026 · Place Bellecour, Lyon");
    expect(mastodonSummary(threeDays, "en")).toBe("Saturday, March 7\u2009–\u2009Monday, March 9, 2026 · Place Bellecour, Lyon");
  });

  it("keeps an all-day event on its own local day for a zone far from UTC", () => {
    const e = event({ allDay: true, timezone: "Pacific/Auckland", startsAt: instant("2026-07-03T12:00:00Z") });
    expect(formatEventWhen(e, "en")).toBe("Saturday, July 4, 2026");
  });

  it("says online, or place and online for a hybrid event", () => {
    expect(mastodonSummary(event({ location: undefined, onlineUrl: "https://meet.example/r" }), "fr")).toBe(
      "Dimanche 8 mars 2026, 14:00 (heure de Paris) · en ligne",
    );
    expect(mastodonSummary(event({ onlineUrl: "https://meet.example/r" }), "nl")).toBe(
      "Zondag 8 maart 2026, 14:00 (tijd in Parijs) · Place Bellecour, Lyon en online",
    );
  });

  it("puts a cancellation or postponement first", () => {
    expect(mastodonSummary(event({ status: "cancelled" }), "fr")).toBe(
      "Annulé · Dimanche 8 mars 2026, 14:00 (heure de Paris) · Place Bellecour, Lyon",
    );
    expect(mastodonSummary(event({ status: "postponed" }), "de")).toMatch(/^Verschoben · Sonntag/);
  });
});

describe("zoneLabel", () => {
  const at = instant("2026-07-01T12:00:00Z");
  it("names the city, translated when the locale knows it, elided in French before a vowel", () => {
    expect(zoneLabel("Europe/Brussels", at, "fr")).toBe("heure de Bruxelles");
    expect(zoneLabel("Europe/Brussels", at, "nl")).toBe("tijd in Brussel");
    expect(zoneLabel("Europe/Amsterdam", at, "fr")).toBe("heure d’Amsterdam");
    expect(zoneLabel("Europe/Amsterdam", at, "de")).toBe("Ortszeit Amsterdam");
    expect(zoneLabel("America/Argentina/Buenos_Aires", at, "en")).toBe("Buenos Aires time");
  });

  it("writes zones without a city as a UTC offset", () => {
    expect(zoneLabel("UTC", at, "fr")).toBe("UTC");
    expect(zoneLabel("Etc/GMT-2", at, "de")).toBe("UTC+2");
    expect(zoneLabel("Etc/GMT+5", at, "en")).toBe("UTC-5");
    expect(zoneLabel("+05:30", at, "en")).toBe("UTC+5:30");
  });
});

describe("placeText and formatEventWhere", () => {
  it("joins the name (or street) and the locality once", () => {
    expect(placeText({ name: "Bourse du travail", locality: "Lyon" })).toBe("Bourse du travail, Lyon");
    expect(placeText({ streetAddress: "10 rue Jangot", locality: "Lyon" })).toBe("10 rue Jangot, Lyon");
    expect(placeText({ name: "Lyon, place Bellecour", locality: "Lyon" })).toBe("Lyon, place Bellecour");
    expect(placeText({ locality: "Lyon" })).toBe("Lyon");
    expect(placeText({ country: "FR" })).toBeUndefined();
  });

  it("is undefined when there is neither place nor link", () => {
    expect(formatEventWhere({ location: undefined, onlineUrl: undefined }, "fr")).toBeUndefined();
  });
});

describe("categoryLabel", () => {
  it("names every category in fr, de, nl and en (no key left to show)", () => {
    for (const lang of ["fr", "de", "nl", "en"]) {
      for (const c of eventCategories) expect(categoryLabel(c, lang), `${lang} ${c}`).not.toContain("category.");
    }
    expect(categoryLabel("MOVEMENTS_POLITICS", "fr")).toBe("Mouvements et politique");
    expect(categoryLabel("CLIMATE_ENVIRONMENT", "de")).toBe("Klima und Umwelt");
    expect(categoryLabel("WORKSHOPS_SKILL_SHARING", "nl")).toBe("Workshops en kennis delen");
  });
});
