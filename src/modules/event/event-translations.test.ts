import { describe, expect, it } from "vitest";
import { staleTranslations, textTimes } from "./event-translations.ts";

const t0 = new Date("2030-01-01T10:00:00Z");
const t1 = new Date("2030-01-02T10:00:00Z");

describe("translation times", () => {
  const first = { name: { fr: "Rassemblement", de: "Kundgebung" }, summary: { fr: "Contre" }, descriptionSource: undefined };
  const times0 = textTimes(undefined, first, t0);

  it("starts every language at the first save", () => {
    expect(times0).toEqual({ fr: t0.toISOString(), de: t0.toISOString() });
    expect(staleTranslations(times0, "fr")).toEqual([]);
  });

  it("makes a translation stale when only the source text changes, and fresh again when it changes too", () => {
    const frOnly = { ...first, summary: { fr: "Contre le contrôle" } };
    const times1 = textTimes({ before: first, times: times0 }, frOnly, t1);
    expect(times1).toEqual({ fr: t1.toISOString(), de: t0.toISOString() });
    expect(staleTranslations(times1, "fr")).toEqual(["de"]);
    const both = { ...frOnly, name: { fr: "Rassemblement", de: "Kundgebung heute" } };
    expect(staleTranslations(textTimes({ before: frOnly, times: times1 }, both, t1), "fr")).toEqual([]);
  });

  it("does not count a change of the translation alone against it, and forgets removed languages", () => {
    const deOnly = { ...first, name: { fr: "Rassemblement", de: "Kundgebung!" } };
    const times1 = textTimes({ before: first, times: times0 }, deOnly, t1);
    expect(staleTranslations(times1, "fr")).toEqual([]);
    expect(textTimes({ before: deOnly, times: times1 }, { ...deOnly, name: { fr: "Rassemblement" } }, t1)).toEqual({ fr: t0.toISOString() });
    expect(staleTranslations(null, "fr")).toEqual([]);
  });
});
