import { describe, expect, it } from "vitest";
import { parseCallInput, signableText } from "./call.schema.ts";

const ctx = { primaryLanguage: "fr", defaultTimezone: "Europe/Paris", mediaOrigin: "https://relais.example/" };

describe("parseCallInput", () => {
  it("reads a call: primary language first, Markdown as sanitized HTML, demands, a deadline date as the end of that day", () => {
    const parsed = parseCallInput(
      {
        title: { de: "Schluss mit der Algorithmen-Kontrolle", fr: "Stop au contrôle algorithmique" },
        pitch: { fr: "Les CAF notent nos vies." },
        body: { fr: "Nous **exigeons** <script>alert(1)</script>![x](https://tracker.example/x.png)", de: "Wir *fordern*" },
        demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
        deadline: "2027-03-01",
        relatedEvents: ["0D6C4C1E-1C4A-4B6B-9F7A-8E2C3D4B5A69"],
      },
      ctx,
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const c = parsed.value;
    expect(Object.keys(c.title)).toEqual(["fr", "de"]);
    expect(c.body.fr).toBe("<p>Nous <strong>exigeons</strong> </p>");
    expect(c.bodySource.fr).toContain("**exigeons**");
    expect(c.demands).toEqual([{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }]);
    expect(c.deadline?.toString()).toBe("2027-03-01T22:59:00Z");
    expect(c.timezone).toBe("Europe/Paris");
    expect(c.relatedEvents).toEqual(["0d6c4c1e-1c4a-4b6b-9f7a-8e2c3d4b5a69"]);
  });

  it("names every problem at once", () => {
    const parsed = parseCallInput(
      { title: { fr: "Titre", de: "Titel" }, body: { fr: "Texte" }, demands: [{ xx_1: "?" }], deadline: "demain", colour: "red", image: { url: "https://elsewhere.example/a.jpg" } },
      ctx,
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const fields = parsed.errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(["colour", "demands.0.xx_1"]));
    const again = parseCallInput({ title: { fr: "Titre", de: "Titel" }, body: { fr: "Texte" }, deadline: "demain", image: { url: "https://elsewhere.example/a.jpg" } }, ctx);
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.errors.map((e) => e.field).sort()).toEqual(["body.de", "deadline", "image.url"]);
  });

  it("requires a title and a body on creation, not on a change", () => {
    const created = parseCallInput({}, ctx);
    expect(created.ok ? [] : created.errors.map((e) => e.field)).toEqual(["title", "body"]);
    expect(parseCallInput({ pitch: null }, { ...ctx, partial: true }).ok).toBe(true);
    const cleared = parseCallInput({ title: null }, { ...ctx, partial: true });
    expect(cleared.ok ? [] : cleared.errors.map((e) => e.field)).toEqual(["title"]);
  });

  it("keeps text in one spelling: NFC, without bidi controls or invisible characters", () => {
    expect(signableText("Cafe\u0301 \u202eevil\u202c zero\u200bwidth joi\u200dner")).toBe("Café evil zerowidth joi\u200dner");
    const parsed = parseCallInput({ title: { fr: "Cafe\u0301\u2066" }, body: { fr: "e\u0301" } }, ctx);
    expect(parsed.ok && parsed.value.title.fr).toBe("Café");
    expect(parsed.ok && parsed.value.body.fr).toBe("<p>é</p>");
  });
});
