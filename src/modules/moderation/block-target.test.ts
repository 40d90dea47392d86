import { describe, expect, it } from "vitest";
import { hostIsUnder, parseBlockInput } from "./block-target.ts";

const domainOf = (input: string) => {
  const parsed = parseBlockInput(input);
  return parsed.ok && "target" in parsed && parsed.target.kind === "domain" ? parsed.target.domain : parsed;
};

describe("reading what to block", () => {
  it.each([
    ["spam.example", "spam.example"],
    ["  Spam.EXAMPLE.  ", "spam.example"],
    ["*.spam.example", "spam.example"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["BÜCHER.example", "xn--bcher-kva.example"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["例え.テスト", "xn--r8jz45g.xn--zckzah"],
    ["127.0.0.4", "127.0.0.4"],
    ["[::1]", "[::1]"],
    ["::1", "[::1]"],
    ["localhost", "localhost"],
  ])("normalises the domain %j to %j", (input, domain) => {
    expect(domainOf(input)).toBe(domain);
  });

  it("reads an actor's URL without its fragment", () => {
    const parsed = parseBlockInput("https://spam.example/users/troll#main-key");
    expect(parsed.ok && "target" in parsed && parsed.target.kind === "actor" && parsed.target.actor.href).toBe("https://spam.example/users/troll");
  });

  it.each([
    ["@troll@spam.example", { user: "troll", host: "spam.example" }],
    ["troll@Spam.Example", { user: "troll", host: "spam.example" }],
    ["@troll@127.0.0.2:8080", { user: "troll", host: "127.0.0.2", port: 8080 }],
  ])("reads the handle %j", (input, handle) => {
    expect(parseBlockInput(input)).toEqual({ ok: true, handle });
  });

  it.each([
    ["", /give a domain/],
    ["com", /"com" is a top-level domain, not a server: give a server's domain such as spam\.com/],
    ["spam.example:8080", /has a port: a domain block covers every port, give spam\.example/],
    ["spam..example", /is not a domain name/],
    ["-spam.example", /is not a domain name/],
    ["sp am.example", /contains spaces or control characters/],
    ["spam\u0000.example", /contains spaces or control characters/],
    ["exa_mple.org", /is not a domain name/],
    ["spam.example/users/a", /neither a domain, an actor's URL/],
    ["ftp://spam.example/users/a", /is not an http\(s\) URL/],
    ["https://user:pw@spam.example/users/a", /no user name or password/],
    ["https://spam.example/", /names a whole server: to block it, give its domain \(spam\.example\)/],
    ["https://", /is not a URL/],
    [`https://spam.example/${"a".repeat(2100)}`, /at most 2048 characters/],
    ["999.1.2.3", /is not a domain name/],
    ["1.2.3", /is not a domain name/],
    ["@troll@", /neither a domain/],
  ])("refuses %j, saying what to write", (input, message) => {
    const parsed = parseBlockInput(input);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });
});

describe("subdomains", () => {
  it("are under their domain; look-alikes are not", () => {
    expect(hostIsUnder("spam.example", "spam.example")).toBe(true);
    expect(hostIsUnder("a.b.spam.example", "spam.example")).toBe(true);
    expect(hostIsUnder("A.Spam.Example.", "spam.example")).toBe(true);
    expect(hostIsUnder("notspam.example", "spam.example")).toBe(false);
    expect(hostIsUnder("spam.example.org", "spam.example")).toBe(false);
  });
});
