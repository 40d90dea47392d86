import { describe, expect, it } from "vitest";
import { blank, fillTemplate, placeholders } from "./actionkit-template.ts";

describe("letter templates", () => {
  it("lists the blanks once each, in order, spaces inside the braces allowed", () => {
    expect(placeholders("Je soussigné·e {{name}}, {{ address }}, n° {{file_number}}. {{name}}")).toEqual(["name", "address", "file_number"]);
    expect(placeholders("no blank, { single } braces")).toEqual([]);
    expect(placeholders("{{Bad-Name}}")).toEqual(["Bad-Name"]);
  });

  it("fills and blanks", () => {
    const text = "Madame, Monsieur, je soussigné·e {{ name }} (dossier {{file_number}})";
    expect(fillTemplate(text, (n) => ({ name: "Ana Martin", file_number: "123" })[n] ?? "")).toBe("Madame, Monsieur, je soussigné·e Ana Martin (dossier 123)");
    expect(fillTemplate(text, () => blank("Nom"))).toBe("Madame, Monsieur, je soussigné·e __________ (Nom) (dossier __________ (Nom))");
  });
});
