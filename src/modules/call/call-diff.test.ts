import { describe, expect, it } from "vitest";
import { changed, diffText } from "./call-diff.ts";

const render = (before: string, after: string) =>
  diffText(before, after)
    .map((p) => (p.kind === "same" ? p.text : p.kind === "added" ? `[+${p.text}]` : `[-${p.text}]`))
    .join("");

describe("diffText", () => {
  it("marks the words that changed and keeps the rest", () => {
    expect(render("Nous exigeons la fin du score de risque.", "Nous exigeons la fin immédiate du score.")).toBe(
      "Nous exigeons la fin [+immédiate ]du [-score de risque.][+score.]",
    );
  });

  it("rebuilds both texts from the parts", () => {
    const before = "Un\ndeux trois\n\nquatre cinq six";
    const after = "Un\ndeux 3\n\nquatre six sept";
    const parts = diffText(before, after);
    expect(parts.filter((p) => p.kind !== "added").map((p) => p.text).join("")).toBe(before);
    expect(parts.filter((p) => p.kind !== "removed").map((p) => p.text).join("")).toBe(after);
    expect(changed(parts)).toBe(true);
  });

  it("says nothing changed for equal texts", () => {
    expect(diffText("même texte", "même texte")).toEqual([{ kind: "same", text: "même texte" }]);
    expect(changed(diffText("", ""))).toBe(false);
  });

  it("stays whole on very long rewrites (no quadratic table)", () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join(" ");
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join(" ");
    const parts = diffText(a, b);
    expect(parts.map((p) => p.kind)).toEqual(["removed", "added"]);
  });
});
