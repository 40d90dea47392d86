// Content-line encoding of RFC 5545 §3.1 and §3.3.11: TEXT escaping, parameter quoting (RFC 6868) and
// folding at 75 octets without cutting a UTF-8 sequence.

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in TEXT (RFC 5545 §3.3.11); they are dropped
const textSpecial = /[\\;,\n\r\u0000-\u0008\u000b-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: same set as textSpecial, CRLF first so that it becomes one \n
const textSpecialAll = /\r\n|[\\;,\n\r\u0000-\u0008\u000b-\u001f\u007f]/g;

function textReplacement(match: string): string {
  switch (match) {
    case "\\":
      return "\\\\";
    case ";":
      return "\\;";
    case ",":
      return "\\,";
    case "\r\n":
    case "\n":
    case "\r":
      return "\\n";
    default:
      return "";
  }
}

/**
 * Escapes a TEXT value: `\`, `;`, `,` get a backslash, line breaks become `\n`, other control characters
 * (except tab) are dropped, and lone surrogates become U+FFFD so that the output is valid UTF-8.
 */
export function escapeText(value: string): string {
  const text = value.isWellFormed() ? value : value.toWellFormed();
  return textSpecial.test(text) ? text.replace(textSpecialAll, textReplacement) : text;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters cannot appear in a parameter value
const paramUnsafe = /[";:,^\r\n\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * A parameter value (RFC 5545 §3.2, RFC 6868): as is when it is a plain token, else DQUOTEd with `^`, `"`
 * and line breaks caret-encoded and other control characters dropped.
 */
export function paramValue(value: string): string {
  if (!paramUnsafe.test(value)) return value;
  const encoded = value
    .replace(/\^/g, "^^")
    .replace(/"/g, "^'")
    .replace(/\r\n|\r|\n/g, "^n")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
  return '"' + encoded + '"';
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

/** One folded content line with its CRLF. `value` must already be encoded for its type. */
export function contentLine(nameAndParams: string, value: string): string {
  return foldLine(nameAndParams + ":" + value) + "\r\n";
}
