import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { parseWithPython, pythonUtc } from "../../../tests/support/ical.ts";
import { formatDateTime } from "./ical-time.ts";
import { vtimezone, zoneRules } from "./vtimezone.ts";

const zones = ["Europe/Paris", "America/Montreal", "Europe/Amsterdam", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"];
const fromYear = 2024;
const toYear = 2027;
const hour = 3_600_000;

/** The zone as ical.js builds it from our VTIMEZONE alone (ical.js has no tz data of its own). */
function icalJsZone(text: string): ICAL.Timezone {
  const calendar = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${text}END:VCALENDAR\r\n`));
  return new ICAL.Timezone(calendar.getFirstSubcomponent("vtimezone")!);
}

function icalTime(local: Temporal.PlainDateTime, zone: ICAL.Timezone): ICAL.Time {
  const { year, month, day, hour, minute, second } = local;
  return new ICAL.Time({ year, month, day, hour, minute, second }, zone);
}

/** Local wall time and ambiguity of an instant, from the Temporal polyfill (independent of our code). */
function wallTime(epochMs: number, zone: string): { local: Temporal.PlainDateTime; ambiguous: boolean; offsetMs: number } {
  const zoned = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone);
  const local = zoned.toPlainDateTime();
  const earlier = local.toZonedDateTime(zone, { disambiguation: "earlier" }).epochMilliseconds;
  const later = local.toZonedDateTime(zone, { disambiguation: "later" }).epochMilliseconds;
  return { local, ambiguous: earlier !== later, offsetMs: zoned.offsetNanoseconds / 1e6 };
}

/** Every 7 hours over the range, plus instants around each transition. */
function samples(zone: string): number[] {
  const rules = zoneRules(zone, fromYear, toYear);
  const out: number[] = [];
  for (let t = Date.UTC(fromYear, 0, 1); t < Date.UTC(toYear + 1, 0, 1); t += 7 * hour) out.push(t);
  for (const { at } of rules.transitions) {
    for (const delta of [-2 * hour, -hour, -1000, 0, 1000, hour / 2, hour, 2 * hour]) out.push(at + delta);
  }
  return out;
}

describe("zoneRules", () => {
  it.each([
    ["Europe/Paris", "2025-03-30T01:00:00Z", 1, 2],
    ["Europe/Paris", "2025-10-26T01:00:00Z", 2, 1],
    ["Europe/Amsterdam", "2026-03-29T01:00:00Z", 1, 2],
    ["America/Montreal", "2025-03-09T07:00:00Z", -5, -4],
    ["America/Montreal", "2025-11-02T06:00:00Z", -4, -5],
    ["Australia/Lord_Howe", "2025-04-05T15:00:00Z", 11, 10.5],
    ["Australia/Lord_Howe", "2025-10-04T15:30:00Z", 10.5, 11],
  ])("finds the %s transition at %s to the second", (zone, at, from, to) => {
    const rules = zoneRules(zone, fromYear, toYear);
    expect(rules.transitions).toContainEqual({ at: Date.parse(at), from: from * hour, to: to * hour });
  });

  it.each([
    ["Europe/Paris", 8],
    ["America/Montreal", 8],
    ["Europe/Amsterdam", 8],
    ["Australia/Lord_Howe", 8],
    ["Asia/Kolkata", 0],
    ["UTC", 0],
  ])("finds %s's transitions and nothing else (%i over four years)", (zone, count) => {
    expect(zoneRules(zone, fromYear, toYear).transitions).toHaveLength(count);
  });

  it.each(zones)("gives the same offsets as the Temporal polyfill in %s", (zone) => {
    const rules = zoneRules(zone, fromYear, toYear);
    for (const t of samples(zone)) expect(rules.offsetAt(t), new Date(t).toISOString()).toBe(wallTime(t, zone).offsetMs);
  });

  it("flags both passes through the hour repeated when clocks go back", () => {
    const rules = zoneRules("Europe/Paris", 2025, 2025);
    expect(rules.isAmbiguousWallTime(Date.parse("2025-10-25T23:59:59Z"))).toBe(false); // 01:59:59 CEST
    expect(rules.isAmbiguousWallTime(Date.parse("2025-10-26T00:00:00Z"))).toBe(true); // 02:00 CEST
    expect(rules.isAmbiguousWallTime(Date.parse("2025-10-26T01:30:00Z"))).toBe(true); // 02:30 CET
    expect(rules.isAmbiguousWallTime(Date.parse("2025-10-26T02:00:00Z"))).toBe(false); // 03:00 CET
    expect(rules.isAmbiguousWallTime(Date.parse("2025-03-30T01:30:00Z"))).toBe(false); // 03:30 CEST, after the gap
  });

  it("caches per zone and years", () => {
    expect(zoneRules("Europe/Paris", 2030, 2031)).toBe(zoneRules("Europe/Paris", 2030, 2031));
    expect(zoneRules("Europe/Paris", 2030, 2031)).not.toBe(zoneRules("Europe/Paris", 2030, 2032));
  });

  it("rejects a zone the runtime does not know", () => {
    expect(() => zoneRules("Mars/Olympus_Mons", 2025, 2025)).toThrow(RangeError);
  });
});

describe("vtimezone", () => {
  it.each(zones)("lets ical.js turn %s wall times into the right instants on both sides of every change", (zone) => {
    const icalZone = icalJsZone(vtimezone(zone, fromYear, toYear));
    const rules = zoneRules(zone, fromYear, toYear);
    let checked = 0;
    for (const t of samples(zone)) {
      const { local, ambiguous } = wallTime(t, zone);
      expect(rules.isAmbiguousWallTime(t), new Date(t).toISOString()).toBe(ambiguous);
      if (ambiguous) continue; // the renderer writes these in UTC
      expect(icalTime(local, icalZone).toUnixTime() * 1000, `${zone} ${local.toString()}`).toBe(t);
      checked++;
    }
    expect(checked).toBeGreaterThan(4000);
  });

  it("writes yearly rules as RRULEs and irregular changes as dated components", () => {
    const paris = icalJsZone(vtimezone("Europe/Paris", 2025, 2027)).component;
    const rules = paris.getAllSubcomponents("daylight").map((c) => c.getFirstPropertyValue("rrule")?.toString());
    expect(rules).toEqual(["FREQ=YEARLY;COUNT=3;BYMONTH=3;BYDAY=-1SU"]);
    const lordHowe = icalJsZone(vtimezone("Australia/Lord_Howe", 2025, 2026)).component;
    const standard = lordHowe.getAllSubcomponents("standard").find((c) => c.hasProperty("rrule"))!;
    expect(standard.getFirstPropertyValue("rrule")?.toString()).toBe("FREQ=YEARLY;COUNT=2;BYMONTH=4;BYDAY=1SU");
    expect(standard.getFirstPropertyValue("tzoffsetto")?.toString()).toBe("+10:30");

    // Morocco suspends its summer time for Ramadan, on dates no yearly rule can state.
    const casablanca = icalJsZone(vtimezone("Africa/Casablanca", 2025, 2026));
    expect(casablanca.component.getAllSubcomponents().some((c) => c.hasProperty("rrule"))).toBe(false);
    const transitions = zoneRules("Africa/Casablanca", 2025, 2026).transitions;
    expect(transitions.length).toBeGreaterThanOrEqual(4);
    for (const { at } of transitions) {
      for (const t of [at - 2 * hour, at + 2 * hour]) {
        const { local } = wallTime(t, "Africa/Casablanca");
        expect(icalTime(local, casablanca).toUnixTime() * 1000, local.toString()).toBe(t);
      }
    }
  });

  it.each(zones)("lets python-icalendar read %s times right from the VTIMEZONE and from its own tz data", async (zone) => {
    const rules = zoneRules(zone, fromYear, toYear);
    const instants = samples(zone).filter((t, i) => (i % 12 === 0 || i > 4000) && !rules.isAmbiguousWallTime(t));
    let feed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + rules.vtimezone;
    instants.forEach((t, i) => {
      feed += `BEGIN:VEVENT\r\nUID:${i}\r\nDTSTAMP:20250101T000000Z\r\n`;
      feed += `DTSTART;TZID=${zone}:${formatDateTime(t + rules.offsetAt(t))}\r\nEND:VEVENT\r\n`;
    });
    const parsed = await parseWithPython(feed + "END:VCALENDAR\r\n");
    expect(parsed.events).toHaveLength(instants.length);
    parsed.events.forEach((event, i) => {
      const expected = new Date(instants[i]!).toISOString();
      expect(pythonUtc(event.dtstart?.utc_from_vtimezone), event.dtstart?.local).toBe(expected);
      expect(pythonUtc(event.dtstart?.utc), event.dtstart?.local).toBe(expected);
    });
  });
});
