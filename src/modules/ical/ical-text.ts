// Text and lines of iCalendar (RFC 5545 §3.1, §3.3.11). ical-generator escapes `\`, `;`, `,` and line
// breaks of the texts it writes, but leaves control characters and lone surrogates in (invalid in TEXT and
// in UTF-8), and does not escape the calendar name at all. Its line folding appends one character at a
// time, which made it the largest cost of a feed (docs/adr/0007): feeds are folded here.
import { escape as escapeIcal } from "ical-generator";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters other than tab and line breaks are not allowed in TEXT
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const controlCharacters = new RegExp(controlCharacter.source, "g");

/** A text safe to write: control characters (but tab and line breaks) dropped, lone surrogates made U+FFFD. */
export function icalSafeText(value: string): string {
  const text = value.isWellFormed() ? value : value.toWellFormed();
  return controlCharacter.test(text) ? text.replace(controlCharacters, "") : text;
}

/** A TEXT value, escaped: `\`, `;`, `,` get a backslash, line breaks become `\n`, as in `icalSafeText`. */
export function escapeText(value: string): string {
  return escapeIcal(icalSafeText(value), false);
}

/**
 * Folds one content line (without its CRLF) so that no physical line exceeds 75 octets of UTF-8, the
 * leading space of a continuation line included. Never splits a character: a surrogate pair moves whole.
 */
export function foldLine(line: string): string {
  const length = line.length;
  // Each UTF-16 unit is at most 3 octets of UTF-8 (a surrogate pair, two units, is 4).
  if (length <= 25) return line;
  let out = "";
  let segmentStart = 0;
  let octets = 0;
  for (let i = 0; i < length; i++) {
    const code = line.charCodeAt(i);
    let size = 1;
    let units = 1;
    if (code >= 0x80) {
      if (code < 0x800) size = 2;
      else if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
        const next = line.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          size = 4;
          units = 2;
        } else size = 3;
      } else size = 3;
    }
    if (octets + size > 75) {
      out += line.slice(segmentStart, i) + "\r\n ";
      segmentStart = i;
      octets = 1;
    }
    octets += size;
    i += units - 1;
  }
  return segmentStart === 0 ? line : out + line.slice(segmentStart);
}
