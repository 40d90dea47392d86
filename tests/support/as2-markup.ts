// Checks that an AS2 document carries no markup where a reader could take it for markup.
import { expect } from "vitest";

/** What a browser reads as the start of markup: a `<` followed by a letter, `/`, `!` or `?`. */
export const markupStart = /<[a-z/!?]/i;

const contentPath = /(^|\.)content(Map\.[a-z]+)?$/;
const summaryPath = /(^|\.)summary(Map\.[a-z]+)?$/;
// What sanitized descriptions and change notes may hold: a few tags, links only to http(s).
const allowedContentTag = /<\/?(p|br|strong|em|ul|ol|li|h2|h3|h4|blockquote|code|pre|hr|a(\s+href="https?:[^"]*"|\s+rel="[a-z ]*")*)>/g;

/** Every string of a JSON document with its path ("object.nameMap.de"). */
export function jsonStrings(value: unknown, path = ""): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => jsonStrings(v, `${path}.${i}`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => jsonStrings(v, path === "" ? k : `${path}.${k}`));
  }
  return [];
}

/**
 * No markup in plain-text fields; in `summary` (plain text made HTML) only paragraphs and line breaks; in
 * `content` only the tags descriptions may hold. Returns how many strings were checked.
 */
export function expectNoMarkup(doc: unknown): number {
  const all = jsonStrings(doc);
  for (const [path, value] of all) {
    if (contentPath.test(path)) expect(value.replace(allowedContentTag, ""), path).not.toMatch(markupStart);
    else if (summaryPath.test(path)) expect(value.replace(/<\/?p>|<br>/g, ""), path).not.toMatch(markupStart);
    else expect(value, path).not.toMatch(markupStart);
  }
  return all.length;
}
