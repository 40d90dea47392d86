import { describe, expect, it } from "vitest";
import { civil, epochFromCivil, formatDateTime, formatOffset } from "./ical-time.ts";

describe("calendar arithmetic", () => {
  it("agrees with Date on random instants from 1700 to 2400", () => {
    let state = 12_345;
    for (let i = 0; i < 5000; i++) {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      const ms = Math.floor(-8_520_336_000 + (state / 2 ** 31) * 22_089_888_000) * 1000;
      const iso = new Date(ms).toISOString();
      const expected = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + "T" + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
      expect(formatDateTime(ms)).toBe(expected);
      const c = civil(ms);
      expect(c.weekday).toBe(new Date(ms).getUTCDay());
      expect(epochFromCivil(c.year, c.month, c.day, c.hour, c.minute, c.second)).toBe(ms);
    }
  });

  it("formats UTC offsets", () => {
    expect([3_600_000, -16_200_000, 37_800_000, 0, 19_800_000 + 28_000].map(formatOffset)).toEqual([
      "+0100",
      "-0430",
      "+1030",
      "+0000",
      "+053028",
    ]);
  });
});
