/**
 * Text that came from elsewhere, made safe to keep and to show: no control characters (C0, DEL, C1 —
 * among them NUL, which PostgreSQL cannot store, and ESC, which starts terminal escape sequences) and no
 * bidirectional overrides or isolates (which reorder what is shown after them).
 */
const controls = /\p{Cc}/gu;
const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** A display name or similar one-line text: controls become spaces, runs of space one, cut to `max`. */
export function cleanDisplayText(text: string, max: number): string {
  const cleaned = text
    .toWellFormed()
    .replace(controls, " ").replace(bidiControls, "").replace(/\s+/gu, " ").trim();
  const chars = [...cleaned];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : cleaned;
}

/**
 * Multi-line text typed by people (descriptions, summaries), made storable: NUL and the other control
 * characters but tab and line breaks go, and a lone UTF-16 surrogate becomes U+FFFD (PostgreSQL's
 * text and jsonb refuse both).
 */
export function storableMultiline(text: string): string {
  return text.toWellFormed().replace(storableControls, "");
}
const storableControls = /[\p{Cc}--[\t\n\r]]/gv;

/** Every control or bidi character shown as a visible escape (`\x1b`, `\u202e`): for terminal output. */
export function visibleControls(text: string): string {
  return text.replace(new RegExp(`${controls.source}|${bidiControls.source}`, "gu"), (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * The user part of an `acct:` URI (RFC 7565, as WebFinger uses it): unreserved and sub-delims
 * characters, or percent-encoded octets. Anything else is not a handle.
 */
export function isAcctUserpart(user: string): boolean {
  return user.length > 0 && user.length <= 255 && /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/.test(user);
}
