import { describe, expect, it } from "vitest";
import { createCollectiveSchema } from "./collective.schema.ts";

describe("collective input", () => {
  it("cleans text PostgreSQL cannot store (NUL, lone surrogates) out of names and summaries", () => {
    const parsed = createCollectiveSchema.parse({
      slug: "lyon",
      name: { fr: "Droits\u0000 sociaux" },
      summary: { fr: "Ligne 1\nligne\ud800 2" },
      primaryLanguage: "fr",
    });
    expect(parsed.name).toEqual({ fr: "Droits sociaux" });
    expect(parsed.summary).toEqual({ fr: "Ligne 1\nligne\ufffd 2" });
  });

  it("refuses a name that is nothing but such characters", () => {
    const result = createCollectiveSchema.safeParse({ slug: "lyon", name: { fr: "\u0000\u0001" }, primaryLanguage: "fr" });
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toContain("name.fr: must not be empty");
  });
});
