import { describe, expect, it } from "vitest";
import { formatApiTime, formatInstant } from "./event.presenter.ts";

const zones = [
  "Europe/Paris",
  "America/New_York",
  "America/St_Johns",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Africa/Casablanca",
  "Pacific/Kiritimati",
  "America/Sao_Paulo",
  "UTC",
  "Etc/GMT+5",
  "Europe/Amsterdam",
];

describe("API times without the Temporal polyfill", () => {
  it("write what Temporal writes, in every kind of zone, around transitions, over decades", () => {
    const instants: number[] = [];
    for (let ms = Date.UTC(1937, 0, 1); ms < Date.UTC(2041, 0, 1); ms += 86_400_000 * 27 + 3_600_000 * 7 + 61_001) instants.push(ms);
    // Both sides of the 2026 European and American changes, to the second.
    for (const at of [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1), Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6)]) {
      for (const d of [-1001, -1000, -1, 0, 1, 999, 1000]) instants.push(at + d);
    }
    for (const zone of zones) {
      for (const ms of instants) {
        const instant = Temporal.Instant.fromEpochMilliseconds(ms);
        const zoned = instant.toZonedDateTimeISO(zone);
        expect(formatApiTime(instant, zone, false), `${zone} ${ms}`).toBe(zoned.toString({ timeZoneName: "never", smallestUnit: "second" }));
        expect(formatApiTime(instant, zone, true), `${zone} ${ms}`).toBe(zoned.toPlainDate().toString());
      }
    }
  });

  it("write instants as Temporal does", () => {
    for (const ms of [0, Date.UTC(2026, 11, 2, 12, 56, 44, 290), Date.UTC(2026, 11, 2, 12, 56, 44, 300), Date.UTC(2026, 11, 2, 12, 56, 44, 7), Date.UTC(2026, 11, 2, 12, 56, 44, 120), Date.UTC(1969, 6, 20, 20, 17, 40, 1)]) {
      const instant = Temporal.Instant.fromEpochMilliseconds(ms);
      expect(formatInstant(instant)).toBe(instant.toString());
    }
  });
});
