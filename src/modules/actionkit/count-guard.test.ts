import { describe, expect, it } from "vitest";
import { capReportedCounts, maxIncreasePerHour } from "./count-guard.ts";

const hour = 60 * 60 * 1000;

describe("capReportedCounts", () => {
  it("keeps a report that grows less than the hour's allowance as it is", () => {
    expect(capReportedCounts({ fr: 10, en: 2 }, { fr: 40, en: 3 }, hour)).toEqual({ kept: { fr: 40, en: 3 }, capped: false });
  });
  it("keeps decreases as reported", () => {
    expect(capReportedCounts({ fr: 10, en: 2 }, { fr: 4 }, 10 * 60 * 1000)).toEqual({ kept: { fr: 4 }, capped: false });
  });
  it("caps a first report at one hour's worth, languages in alphabetical order", () => {
    expect(capReportedCounts(undefined, { fr: 400, en: 300 }, 0)).toEqual({ kept: { en: 300, fr: maxIncreasePerHour - 300 }, capped: true });
  });
  it("allows at least one hour's worth after ten minutes, and more after a longer silence", () => {
    expect(capReportedCounts({ fr: 0 }, { fr: 10_000 }, 10 * 60 * 1000).kept).toEqual({ fr: maxIncreasePerHour });
    expect(capReportedCounts({ fr: 0 }, { fr: 10_000 }, 3 * hour).kept).toEqual({ fr: 3 * maxIncreasePerHour });
  });
  it("leaves out a language whose whole increase is beyond the allowance", () => {
    expect(capReportedCounts({ de: 1 }, { de: 1 + maxIncreasePerHour, nl: 7 }, hour)).toEqual({ kept: { de: 1 + maxIncreasePerHour }, capped: true });
  });
});
