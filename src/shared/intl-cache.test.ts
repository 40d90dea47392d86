import { describe, expect, it } from "vitest";
import { dateTimeFormat, displayNames } from "./intl-cache.ts";

describe("cached Intl formatters", () => {
  it("build one formatter per locale and options, formatting as a new one would", () => {
    const options: Intl.DateTimeFormatOptions = { dateStyle: "full", timeStyle: "short", timeZone: "Europe/Paris" };
    const a = dateTimeFormat("fr", options);
    expect(dateTimeFormat("fr", { ...options })).toBe(a);
    expect(dateTimeFormat("de", options)).not.toBe(a);
    expect(dateTimeFormat("fr", { ...options, timeZone: "America/Montreal" })).not.toBe(a);
    const at = new Date(Date.UTC(2026, 2, 8, 13));
    expect(a.format(at)).toBe(new Intl.DateTimeFormat("fr", options).format(at));
    expect(displayNames(["nl"], { type: "region" }).of("BE")).toBe("België");
    expect(displayNames(["nl"], { type: "region" })).toBe(displayNames(["nl"], { type: "region" }));
  });

  it("refuse bad input as Intl does, and cache nothing for it", () => {
    expect(() => dateTimeFormat("fr", { timeZone: "Mars/Olympus" })).toThrow(RangeError);
    expect(() => dateTimeFormat("fr", { timeZone: "Mars/Olympus" })).toThrow(RangeError);
  });
});
