import { describe, expect, it } from "vitest";
import { expandOccurrences, occurrenceOn, type Series, seriesEnd, seriesErrors } from "./recurrence-expand.ts";
import { parseRecurrence, type RecurrenceRule, toRrule } from "./recurrence.ts";

const at = (iso: string) => Temporal.Instant.from(iso);
const local = (i: Temporal.Instant, tz: string) => i.toZonedDateTimeISO(tz).toPlainDateTime().toString({ smallestUnit: "minute" });

function rule(value: unknown): RecurrenceRule {
  const parsed = parseRecurrence(value);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.rule;
}

describe("recurrence rules", () => {
  it("read the object form and the RRULE form alike", () => {
    expect(rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,TU;UNTIL=20260630")).toEqual({
      frequency: "weekly",
      interval: 2,
      weekdays: ["TU", "TH"],
      until: "2026-06-30",
    });
    expect(rule("RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=6")).toEqual({ frequency: "monthly", interval: 1, weekdayOfMonth: { ordinal: 2, weekday: "TU" }, count: 6 });
    expect(rule({ frequency: "monthly", monthDay: 15 })).toEqual({ frequency: "monthly", interval: 1, monthDay: 15 });
  });

  it("refuse what they do not support, saying what to write", () => {
    const bad = (v: unknown) => {
      const p = parseRecurrence(v);
      return p.ok ? [] : p.errors;
    };
    expect(bad("FREQ=DAILY")).toEqual([{ field: "recurrence", message: "FREQ=DAILY is not supported: use FREQ=WEEKLY or FREQ=MONTHLY" }]);
    expect(bad("FREQ=MONTHLY;BYDAY=TU")[0]?.message).toMatch(/BYDAY=2TU/);
    expect(bad({ frequency: "weekly", weekdays: ["Tuesday"] })).toEqual([
      { field: "recurrence.weekdays", message: '"Tuesday": days are written MO, TU, WE, TH, FR, SA, SU' },
    ]);
    expect(bad({ frequency: "weekly", until: "2026-06-31" })[0]?.field).toBe("recurrence.until");
    expect(bad({ frequency: "weekly", until: "2026-06-30", count: 3 })).toEqual([{ field: "recurrence.count", message: "give either until or count, not both" }]);
    expect(bad({ frequency: "weekly", every: 2 })[0]?.field).toBe("recurrence.every");
  });

  it("are written back as RRULE with UNTIL in UTC at the end of the last local day", () => {
    const start = at("2026-03-03T13:00:00Z").toZonedDateTimeISO("Europe/Paris");
    expect(toRrule(rule({ frequency: "weekly", until: "2026-06-30" }), start, false)).toBe("FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630T215959Z");
    expect(toRrule(rule("FREQ=MONTHLY;BYDAY=2TU;COUNT=4"), start, false)).toBe("FREQ=MONTHLY;BYDAY=2TU;COUNT=4");
  });
});

describe("occurrences", () => {
  it("keep 14:00–17:00 Paris time across both daylight saving changes", () => {
    const series: Series = {
      startsAt: at("2026-03-17T13:00:00Z"), // Tuesday 14:00 CET
      endsAt: at("2026-03-17T16:00:00Z"),
      timezone: "Europe/Paris",
      allDay: false,
      recurrence: rule({ frequency: "weekly", weekdays: ["TU"], until: "2026-11-03" }),
    };
    const all = expandOccurrences(series, []);
    expect(all).toHaveLength(34);
    expect(all.every((o) => local(o.startsAt, "Europe/Paris").endsWith("T14:00") && local(o.endsAt!, "Europe/Paris").endsWith("T17:00"))).toBe(true);
    // UTC moves by an hour on 29 March (summer time) and back on 25 October.
    expect(all[1]!.startsAt.toString()).toBe("2026-03-24T13:00:00Z");
    expect(all[2]!.startsAt.toString()).toBe("2026-03-31T12:00:00Z");
    expect(all.at(-3)!.startsAt.toString()).toBe("2026-10-20T12:00:00Z");
    expect(all.at(-2)!.startsAt.toString()).toBe("2026-10-27T13:00:00Z");
    expect(all.at(-1)!.date).toBe("2026-11-03");
    expect(seriesEnd(series, [])?.toString()).toBe("2026-11-03T16:00:00Z");
  });

  it("every other Monday and Thursday in Amsterdam across the spring change, counted", () => {
    const series: Series = {
      startsAt: at("2026-03-19T18:30:00Z"), // Thursday 19:30 CET
      endsAt: at("2026-03-19T20:00:00Z"),
      timezone: "Europe/Amsterdam",
      allDay: false,
      recurrence: rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=5"),
    };
    const dates = expandOccurrences(series, []).map((o) => local(o.startsAt, "Europe/Amsterdam"));
    expect(dates).toEqual(["2026-03-19T19:30", "2026-03-30T19:30", "2026-04-02T19:30", "2026-04-13T19:30", "2026-04-16T19:30"]);
  });

  it("the second Tuesday of each month, and the last Friday", () => {
    const second: Series = {
      startsAt: at("2026-01-13T17:00:00Z"),
      timezone: "Europe/Paris",
      allDay: false,
      recurrence: rule("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20260630"),
    };
    expect(expandOccurrences(second, []).map((o) => o.date)).toEqual(["2026-01-13", "2026-02-10", "2026-03-10", "2026-04-14", "2026-05-12", "2026-06-09"]);
    expect(local(expandOccurrences(second, [])[3]!.startsAt, "Europe/Paris")).toBe("2026-04-14T18:00");
    const last: Series = { ...second, startsAt: at("2026-01-30T17:00:00Z"), recurrence: rule("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3") };
    expect(expandOccurrences(last, []).map((o) => o.date)).toEqual(["2026-01-30", "2026-02-27", "2026-03-27"]);
    const the31st: Series = { ...second, startsAt: at("2026-01-31T17:00:00Z"), recurrence: rule("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3") };
    expect(expandOccurrences(the31st, []).map((o) => o.date)).toEqual(["2026-01-31", "2026-03-31", "2026-05-31"]);
  });

  it("apply exceptions: a cancelled one, a moved one, one elsewhere; windows see the moved time", () => {
    const series: Series = {
      startsAt: at("2026-12-01T13:00:00Z"),
      endsAt: at("2026-12-01T16:00:00Z"),
      timezone: "Europe/Paris",
      allDay: false,
      recurrence: rule({ frequency: "weekly", count: 6 }),
    };
    const exceptions = [
      { date: "2026-12-22", cancelled: true, version: 1 },
      { date: "2026-12-29", cancelled: false, startsAt: at("2026-12-30T13:00:00Z"), endsAt: at("2026-12-30T15:00:00Z"), version: 1 },
      { date: "2026-12-15", cancelled: false, location: { name: "Maison des syndicats", locality: "Lyon" }, version: 1 },
    ];
    const all = expandOccurrences(series, exceptions);
    expect(all.map((o) => [o.date, o.cancelled, o.moved])).toEqual([
      ["2026-12-01", false, false],
      ["2026-12-08", false, false],
      ["2026-12-15", false, false],
      ["2026-12-22", true, false],
      ["2026-12-29", false, true],
      ["2027-01-05", false, false],
    ]);
    expect(all[2]!.exception?.location?.name).toBe("Maison des syndicats");
    expect(all[4]!.originalStart.toString()).toBe("2026-12-29T13:00:00Z");
    expect(expandOccurrences(series, exceptions, { withoutCancelled: true })).toHaveLength(5);
    const window = expandOccurrences(series, exceptions, { from: at("2026-12-30T00:00:00Z"), to: at("2027-01-01T00:00:00Z") });
    expect(window.map((o) => o.startsAt.toString())).toEqual(["2026-12-30T13:00:00Z"]);
    expect(occurrenceOn(series, "2026-12-08")?.start.toString()).toBe("2026-12-08T13:00:00Z");
    expect(occurrenceOn(series, "2026-12-09")).toBeUndefined();
  });

  it("refuse a start the rule does not give, and an end after the next start", () => {
    const base = { timezone: "Europe/Paris", allDay: false };
    expect(seriesErrors({ ...base, startsAt: at("2026-03-16T13:00:00Z"), recurrence: rule({ frequency: "weekly", weekdays: ["TU"] }) })[0]?.message).toBe(
      "the first occurrence (Monday, March 16, 2026) is not on one of the rule's days (TU); start on one of them or add MO",
    );
    expect(seriesErrors({ ...base, startsAt: at("2026-03-17T13:00:00Z"), recurrence: rule("FREQ=MONTHLY;BYDAY=2TU") })[0]?.message).toMatch(/start on 2026-03-10/);
    expect(
      seriesErrors({ ...base, startsAt: at("2026-03-17T13:00:00Z"), endsAt: at("2026-03-25T13:00:00Z"), recurrence: rule({ frequency: "weekly" }) }),
    ).toEqual([{ field: "endsAt", message: "an occurrence would end after the next one starts; shorten it" }]);
    expect(seriesErrors({ ...base, startsAt: at("2026-03-17T13:00:00Z"), recurrence: rule({ frequency: "weekly", until: "2026-03-01" }) })[0]?.field).toBe("recurrence.until");
  });
});
