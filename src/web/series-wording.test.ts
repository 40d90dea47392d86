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
    expect(describeSeries(two, "fr")).toBe("Toutes les 2 semaines, le lundi et jeudi, 18:30, 6 fois");
    expect(describeSeries(two, "de")).toBe("Alle 2 Wochen am Montag und Donnerstag, 18:30, 6-mal");
    const second = series({ frequency: "monthly", interval: 1, weekdayOfMonth: { ordinal: 2, weekday: "TU" }, until: "2027-01-31" }, "2026-03-10T18:00:00Z", "2026-03-10T20:00:00Z");
    expect(describeSeries(second, "en")).toBe("Every second Tuesday of the month, 19:00–21:00, until January 31, 2027");
    expect(describeSeries(second, "nl")).toBe("Elke tweede dinsdag van de maand, 19:00–21:00, tot 31 januari 2027");
    expect(describeSeries(second, "fr")).toBe("Le deuxième mardi de chaque mois, 19:00–21:00, jusqu’au 31 janvier 2027");
    const day = series({ frequency: "monthly", interval: 1, monthDay: 15 }, "2026-03-15T09:00:00Z", null);
    expect(describeSeries(day, "de")).toBe("Am 15. jedes Monats, 10:00");
    expect(describeSeries(day, "en")).toBe("On day 15 of every month, 10:00");
  });
});
