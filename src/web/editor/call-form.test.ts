import { describe, expect, it } from "vitest";
import { blankCallForm, callBodyOf, callFormProblems, readCallForm } from "./call-form.ts";

const media = (name: string) => new URL(`https://relais.example/media/${name}`);

describe("the call form", () => {
  it("reads demands row by row, dropping the spare rows at the end but keeping the numbering of the rest", () => {
    const v = readCallForm(
      { languages: "fr,de", demandRows: "4", "demand.0.fr": "Un", "demand.0.de": "Eins", "demand.1.fr": "", "demand.2.de": "Drei", "demand.3.fr": " " },
      "fr",
    );
    expect(v.demands).toEqual([{ fr: "Un", de: "Eins" }, { fr: "", de: "" }, { fr: "", de: "Drei" }]);
    expect(callBodyOf(v, media).demands).toEqual([{ fr: "Un", de: "Eins" }, { de: "Drei" }]);
  });

  it("maps the service's demand numbers back to the form's rows, skipping empty rows", () => {
    const v = readCallForm({ languages: "fr", demandRows: "3", "demand.0.fr": "Un", "demand.2.fr": "Trois" }, "fr");
    const problems = callFormProblems([{ field: "demands.1.fr", message: "too long" }, { field: "title", message: "is required" }], "en", v);
    expect(problems.map((p) => p.field)).toEqual(["demand.2.fr", "title.fr"]);
  });

  it("turns a date without a time into the date alone (the end of that day for the service), and an empty one into null", () => {
    const base = blankCallForm("fr", "Europe/Paris");
    expect(callBodyOf({ ...base, deadlineDate: "2030-03-01" }, media).deadline).toBe("2030-03-01");
    expect(callBodyOf({ ...base, deadlineDate: "2030-03-01", deadlineTime: "18:00" }, media).deadline).toBe("2030-03-01T18:00");
    expect(callBodyOf(base, media).deadline).toBeNull();
    expect(callBodyOf({ ...base, image: "0123456789abcdef0123456789abcdef.png", imageAlt: { fr: "Affiche" } }, media).image).toEqual({
      url: "https://relais.example/media/0123456789abcdef0123456789abcdef.png",
      mediaType: "image/png",
      alt: { fr: "Affiche" },
    });
  });
});
