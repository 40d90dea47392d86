import { describe, expect, it } from "vitest";
import { parseTimestamp } from "./plain-rows.ts";

describe("PostgreSQL timestamps as Dates", () => {
  it("read every form PostgreSQL writes", () => {
    expect(parseTimestamp("2026-12-02 11:35:35.796123+00").toISOString()).toBe("2026-12-02T11:35:35.796Z");
    expect(parseTimestamp("2026-12-02 11:35:35+00").toISOString()).toBe("2026-12-02T11:35:35.000Z");
    expect(parseTimestamp("2026-12-02 11:35:35.5+05:30").toISOString()).toBe("2026-12-02T06:05:35.500Z");
    expect(parseTimestamp("2026-12-02 11:35:35-03").toISOString()).toBe("2026-12-02T14:35:35.000Z");
    expect(parseTimestamp("1890-01-01 00:00:00+00:09:21").toISOString()).toBe("1889-12-31T23:50:39.000Z");
    expect(parseTimestamp("0099-12-02 11:35:35+00").toISOString()).toBe("0099-12-02T11:35:35.000Z");
    expect(parseTimestamp("0044-03-15 12:00:00+00 BC").getUTCFullYear()).toBe(-43);
    expect(() => parseTimestamp("yesterday")).toThrow(/not a PostgreSQL timestamp/);
  });
});
