import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { escapeText, foldLine } from "./ical-text.ts";

/** A small seeded generator, so that a failing random case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const alphabet = ["a", "Z", " ", ";", ",", "\\", ":", '"', "\n", "\r\n", "é", "ß", "€", "中", "😀", "🇫🇷", "👩‍👩‍👧", "\u00a0", "\t"];

function randomText(next: () => number, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
  return text;
}

function parseDescription(line: string): string {
  const calendar = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n${line}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`));
  return calendar.getFirstSubcomponent("vevent")!.getFirstPropertyValue("description") as string;
}

describe("escapeText", () => {
  it("escapes backslash, semicolon, comma and line breaks", () => {
    expect(escapeText("a\\b;c,d\ne\r\nf\rg")).toBe("a\\\\b\\;c\\,d\\ne\\nf\\ng");
  });

  it("drops control characters but keeps tabs, and repairs lone surrogates", () => {
    expect(escapeText("a\u0000b\u0007c\td\u007f")).toBe("abc\td");
    expect(escapeText("x\ud83dy")).toBe("x\ufffdy");
  });

  it("leaves plain text untouched", () => {
    const text = "Manifestation à vélo 🚲";
    expect(escapeText(text)).toBe(text);
  });

  it("survives a round trip through ical.js for random texts", () => {
    const next = random(42);
    for (let i = 0; i < 300; i++) {
      const text = randomText(next, 1 + Math.floor(next() * 120));
      const expected = text.replace(/\r\n/g, "\n");
      expect(parseDescription(foldLine("DESCRIPTION:" + escapeText(text)))).toBe(expected);
    }
  });
});

describe("foldLine", () => {
  it("keeps every physical line within 75 octets without splitting a character", () => {
    const next = random(7);
    for (let i = 0; i < 500; i++) {
      const line = "DESCRIPTION:" + escapeText(randomText(next, Math.floor(next() * 400)));
      const folded = foldLine(line);
      const physical = folded.split("\r\n");
      physical.forEach((part, index) => {
        expect(Buffer.byteLength(part, "utf8")).toBeLessThanOrEqual(75);
        // A surrogate pair cut in two would leave an ill-formed half on each side.
        expect(part.isWellFormed()).toBe(true);
        if (index > 0) expect(part.startsWith(" ")).toBe(true);
      });
      expect(physical.map((part, index) => (index === 0 ? part : part.slice(1))).join("")).toBe(line);
    }
  });

  it("fills lines up to exactly 75 octets", () => {
    const folded = foldLine("X".repeat(200)).split("\r\n");
    expect(folded.map((part) => Buffer.byteLength(part))).toEqual([75, 75, 1 + (200 - 75 - 74)]);
  });

  it("does not fold a line of 75 octets", () => {
    const line = "é".repeat(37) + "a";
    expect(Buffer.byteLength(line)).toBe(75);
    expect(foldLine(line)).toBe(line);
  });
});
