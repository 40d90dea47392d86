import { describe, expect, it } from "vitest";
import { cleanDisplayText, isAcctUserpart, visibleControls } from "./plain-text.ts";

describe("text from elsewhere", () => {
  it("cleans a display name of NUL, escape sequences, line breaks and bidi overrides", () => {
    expect(cleanDisplayText("Ev\u0000il \u001b]0;pwned\u0007 name\r\n\u202etxt.exe", 200)).toBe("Ev il ]0;pwned name txt.exe");
    expect(cleanDisplayText("bad \ud800 half", 200)).toBe("bad \ufffd half");
    expect(cleanDisplayText("\u0001\u0002", 200)).toBe("");
  });

  it("cuts a long name at a character boundary", () => {
    expect(cleanDisplayText("é".repeat(10) + "😀".repeat(10), 12)).toBe(`${"é".repeat(10)}😀…`);
  });

  it("shows control characters as visible escapes, for terminals", () => {
    expect(visibleControls("a\u001b[2Jb\rc\td\u202ee\u0000")).toBe("a\\x1b[2Jb\\x0dc\\x09d\\u202ee\\x00");
    expect(visibleControls("Zoé — ok")).toBe("Zoé — ok");
  });

  it("accepts acct user parts as RFC 7565 writes them, and nothing else", () => {
    expect(["ana", "ana.b-c_d~", "a%C3%A9", "x!$&'()*+,;="].map(isAcctUserpart)).toEqual([true, true, true, true]);
    expect(["", "a b", "a@b", "é", "\u001b]0;x", "a\r", "%zz", "x".repeat(256)].map(isAcctUserpart)).toEqual(Array(8).fill(false));
  });
});
