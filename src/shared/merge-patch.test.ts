import { describe, expect, it } from "vitest";
import { mergePatch } from "./merge-patch.ts";

describe("mergePatch", () => {
  it("replaces sent fields, removes nulls, keeps the rest, and leaves the stored object alone", () => {
    const stored = { name: { fr: "Marche" }, summary: { fr: "Résumé" }, place: "Lyon" };
    const next = mergePatch(stored, { name: { de: "Marsch" }, summary: null, place: undefined });
    expect(next).toEqual({ name: { de: "Marsch" }, place: "Lyon" });
    expect(stored).toEqual({ name: { fr: "Marche" }, summary: { fr: "Résumé" }, place: "Lyon" });
  });
});
