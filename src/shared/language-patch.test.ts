import { describe, expect, it } from "vitest";
import { type LanguagePatchSpec, mergeLanguageMaps, takeLanguageRemovals } from "./language-patch.ts";

const spec: LanguagePatchSpec = {
  fields: [{ field: "title", required: true }, { field: "pitch" }, { field: "body", source: "bodySource" }],
  primaryLanguage: "fr",
  maxLanguages: 3,
};
const stored = { title: { fr: "Titre", de: "Titel" }, pitch: { fr: "Accroche" }, body: { fr: "<p>Texte</p>", de: "<p>Text</p>" }, bodySource: { fr: "Texte", de: "Text" }, other: 1 };

describe("language patch", () => {
  it("takes the languages set to null out of the maps, canonical, and leaves keys that are no language for the validation", () => {
    const { body, removals } = takeLanguageRemovals({ title: { DE: null, fr: "Titre" }, pitch: { "??": null }, other: { de: null } }, spec);
    expect(body).toEqual({ title: { fr: "Titre" }, pitch: { "??": null }, other: { de: null } });
    expect([...removals]).toEqual([["title", ["de"]]]);
    expect(takeLanguageRemovals({ title: { nl: null } }, { ...spec, language: (k) => (k === "fr" ? k : undefined) }).removals.size).toBe(0);
    expect(takeLanguageRemovals("not an object", spec).body).toBe("not an object");
  });

  it("changes only the languages named, primary first; the source follows its HTML; other fields are left alone", () => {
    const { patch, errors } = mergeLanguageMaps(stored, { title: { nl: "Titel NL" }, body: { de: "<p>Neu</p>" }, bodySource: { de: "Neu" }, other: 2 }, new Map([["title", ["de"]]]), spec);
    expect(errors).toEqual([]);
    expect(patch).toEqual({ title: { fr: "Titre", nl: "Titel NL" }, body: { fr: "<p>Texte</p>", de: "<p>Neu</p>" }, bodySource: { fr: "Texte", de: "Neu" }, other: 2 });
    const moved = mergeLanguageMaps({ title: { de: "Titel" } }, { title: { fr: "Titre" } }, new Map(), spec).patch;
    expect(Object.keys(moved.title)).toEqual(["fr", "de"]);
    expect(stored.title).toEqual({ fr: "Titre", de: "Titel" });
  });

  it("clears an optional map left empty, with its source; refuses a required one, too many languages, a language both sent and removed", () => {
    const cleared = mergeLanguageMaps(stored, {}, new Map([["pitch", ["fr"]], ["body", ["fr", "de"]]]), spec);
    expect(cleared).toEqual({ patch: { pitch: null, body: null, bodySource: null }, errors: [] });
    expect(mergeLanguageMaps(stored, { title: {} }, new Map([["title", ["fr", "de"]]]), spec)).toEqual({ patch: {}, errors: [{ field: "title", message: "cannot lose every language: keep at least one" }] });
    expect(mergeLanguageMaps(stored, { title: { nl: "a", en: "b" } }, new Map(), spec).errors).toEqual([{ field: "title", message: "at most 3 languages; remove some" }]);
    expect(mergeLanguageMaps(stored, { title: { de: "x" } }, new Map([["title", ["de"]]]), spec).errors.map((e) => e.field)).toEqual(["title.de"]);
    // A field sent whole as null, or not at all, is not touched here (merge-patch.ts clears it).
    expect(mergeLanguageMaps(stored, { pitch: null }, new Map(), spec).patch).toEqual({ pitch: null });
  });
});
