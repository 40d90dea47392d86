import { describe, expect, it } from "vitest";
import type { PublishedEvent } from "../modules/event/event.types.ts";
import type { RecurrenceRule } from "../modules/event/recurrence.ts";
import { describeSeries } from "./series-wording.ts";

const series = (recurrence: RecurrenceRule, startsAt = "2026-03-03T13:00:00Z", endsAt: string | null = "2026-03-03T16:00:00Z") =>
  ({
    startsAt: Temporal.Instant.from(startsAt),
    endsAt: endsAt ? Temporal.Instant.from(endsAt) : undefined,
    timezone: "Europe/Paris",
    allDay: false,
    recurrence,
  }) as PublishedEvent;

describe("a series in words", () => {
  it("every Tuesday, 14:00–17:00, until 30 June, in four languages", () => {
    const weekly = series({ frequency: "weekly", interval: 1, weekdays: ["TU"], until: "2026-06-30" });
    expect(describeSeries(weekly, "en")).toBe("Every Tuesday, 14:00–17:00, until 30 June".replace("30 June", "June 30"));
    expect(describeSeries(weekly, "fr")).toBe("Chaque mardi, 14:00–17:00, jusqu’au 30 juin");
    expect(describeSeries(weekly, "de")).toBe("Jeden Dienstag, 14:00–17:00, bis 30. Juni");
    expect(describeSeries(weekly, "nl")).toBe("Elke dinsdag, 14:00–17:00, tot 30 juni");
  });

  it("several days every other week, the second Tuesday, a day of the month, a count", () => {
    const two = series({ frequency: "weekly", interval: 2, weekdays: ["MO", "TH"], count: 6 }, "2026-03-02T17:30:00Z", null);
    expect(describeSeries(two, "fr")).toBe("Toutes les deux semaines, le lundi et le jeudi, 18:30, 6 fois");
    expect(describeSeries(two, "de")).toBe("Jeden zweiten Montag und Donnerstag, 18:30, 6-mal");
    const second = series({ frequency: "monthly", interval: 1, weekdayOfMonth: { ordinal: 2, weekday: "TU" }, until: "2027-01-31" }, "2026-03-10T18:00:00Z", "2026-03-10T20:00:00Z");
    expect(describeSeries(second, "en")).toBe("The second Tuesday of each month, 19:00–21:00, until January 31, 2027");
    expect(describeSeries(second, "nl")).toBe("Elke tweede dinsdag van de maand, 19:00–21:00, tot 31 januari 2027");
    expect(describeSeries(second, "fr")).toBe("Le deuxième mardi de chaque mois, 19:00–21:00, jusqu’au 31 janvier 2027");
    const day = series({ frequency: "monthly", interval: 1, monthDay: 15 }, "2026-03-15T09:00:00Z", null);
    expect(describeSeries(day, "de")).toBe("Am 15. jedes Monats, 10:00");
    expect(describeSeries(day, "en")).toBe("On the 15th of each month, 10:00");
  });

  const paris = (recurrence: object, start: string, end: string | null) =>
    ({
      startsAt: Temporal.ZonedDateTime.from(`${start}[Europe/Paris]`).toInstant(),
      endsAt: end ? Temporal.ZonedDateTime.from(`${end}[Europe/Paris]`).toInstant() : undefined,
      timezone: "Europe/Paris",
      allDay: false,
      recurrence: { interval: 1, ...recurrence },
    }) as PublishedEvent;
  const rules = {
    otherMonThu: paris({ frequency: "weekly", interval: 2, weekdays: ["MO", "TH"] }, "2026-03-02T18:30", "2026-03-02T20:00"),
    every3Weeks: paris({ frequency: "weekly", interval: 3, weekdays: ["FR"], count: 1 }, "2026-03-06T09:00", "2026-03-06T12:00"),
    secondTuesday: paris({ frequency: "monthly", weekdayOfMonth: { ordinal: 2, weekday: "TU" }, count: 10 }, "2026-03-10T19:00", null),
    lastFriday: paris({ frequency: "monthly", interval: 2, weekdayOfMonth: { ordinal: -1, weekday: "FR" } }, "2026-03-27T20:00", "2026-03-27T23:00"),
    first: paris({ frequency: "monthly", monthDay: 1, until: "2026-12-01" }, "2026-04-01T10:00", null),
    day22: paris({ frequency: "monthly", interval: 3, monthDay: 22 }, "2026-03-22T10:00", null),
  };
  // "every other", plural-rule ordinals (1st/22nd, 1er), "once"/"10 times" in each language's words.
  const expected: Record<string, Record<keyof typeof rules, string>> = {
    en: {
      otherMonThu: "Every other Monday and Thursday, 18:30–20:00",
      every3Weeks: "Every 3 weeks on Friday, 09:00–12:00, once",
      secondTuesday: "The second Tuesday of each month, 19:00, 10 times",
      lastFriday: "The last Friday, every 2 months, 20:00–23:00",
      first: "On the 1st of each month, 10:00, until December 1",
      day22: "On the 22nd, every 3 months, 10:00",
    },
    fr: {
      otherMonThu: "Toutes les deux semaines, le lundi et le jeudi, 18:30–20:00",
      every3Weeks: "Toutes les 3 semaines, le vendredi, 09:00–12:00, une fois",
      secondTuesday: "Le deuxième mardi de chaque mois, 19:00, 10 fois",
      lastFriday: "Le dernier vendredi, tous les 2 mois, 20:00–23:00",
      first: "Le 1er de chaque mois, 10:00, jusqu’au 1er décembre",
      day22: "Le 22 tous les 3 mois, 10:00",
    },
    de: {
      otherMonThu: "Jeden zweiten Montag und Donnerstag, 18:30–20:00",
      every3Weeks: "Alle 3 Wochen am Freitag, 09:00–12:00, einmal",
      secondTuesday: "Jeden zweiten Dienstag im Monat, 19:00, 10-mal",
      lastFriday: "Am letzten Freitag, alle 2 Monate, 20:00–23:00",
      first: "Am 1. jedes Monats, 10:00, bis 1. Dezember",
      day22: "Am 22. alle 3 Monate, 10:00",
    },
    nl: {
      otherMonThu: "Om de week op maandag en donderdag, 18:30–20:00",
      every3Weeks: "Om de 3 weken op vrijdag, 09:00–12:00, één keer",
      secondTuesday: "Elke tweede dinsdag van de maand, 19:00, 10 keer",
      lastFriday: "De laatste vrijdag, om de 2 maanden, 20:00–23:00",
      first: "Op de 1e van elke maand, 10:00, tot 1 december",
      day22: "Op de 22e, om de 3 maanden, 10:00",
    },
  };
  for (const [lang, sentences] of Object.entries(expected)) {
    it(`six rules in ${lang}, word for word`, () => {
      for (const [name, sentence] of Object.entries(sentences)) expect(describeSeries(rules[name as keyof typeof rules], lang), name).toBe(sentence);
    });
  }
});
