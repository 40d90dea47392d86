import { isIPv4, isIPv6 } from "node:net";
import { domainToASCII } from "node:url";

/**
 * What a block is about: a whole server (its domain and every subdomain, on every port) or one actor
 * (its ActivityPub id). Domains are kept in their ASCII form (IDNs as punycode), lower case, without a
 * trailing dot: the form `URL.hostname` gives, so matching is a string comparison.
 */
export type BlockTarget = { readonly kind: "domain"; readonly domain: string } | { readonly kind: "actor"; readonly actor: URL };

/** What an operator or an owner typed: a domain, an actor's URL, or a handle still to resolve. */
export type ParsedBlockInput =
  | { readonly ok: true; readonly target: BlockTarget }
  /** `host` is the hostname (ASCII, lower case) and `port` the port the handle names, if any (loopback tests). */
  | { readonly ok: true; readonly handle: { readonly user: string; readonly host: string; readonly port?: number } }
  | { readonly ok: false; readonly message: string };

/** Longest actor URL accepted (the one follower actors are held to, FEDERATION.md). */
export const maxActorUrlLength = 2048;

/**
 * Reads `input` as a block target:
 * - `spam.example`, `Bücher.example`, `*.spam.example`, `127.0.0.4`, `[::1]`: a domain (subdomains
 *   included; `*.` says the same thing);
 * - `https://spam.example/users/troll`: an actor;
 * - `@troll@spam.example` or `troll@spam.example`: a handle, resolved to its actor by the caller.
 * Each refusal says what to write instead.
 */
export function parseBlockInput(raw: string): ParsedBlockInput {
  const input = raw.trim();
  if (input === "") return { ok: false, message: "give a domain (spam.example), an actor's URL or a handle (@user@spam.example)" };
  if (/[\p{Cc}\p{Cf}\s]/u.test(input)) return { ok: false, message: `"${printable(input)}" contains spaces or control characters` };
  if (input.includes("://")) return parseActorUrl(input);
  const handle = /^@?([^@/]+)@([^@/]+)$/.exec(input);
  if (handle) {
    const host = normaliseHost(handle[2] as string, { allowPort: true });
    if (!host.ok) return { ok: false, message: `the handle ${input}: ${host.message}` };
    return { ok: true, handle: { user: handle[1] as string, host: host.host, ...(host.port === undefined ? {} : { port: host.port }) } };
  }
  if (input.includes("@") || input.includes("/")) {
    return { ok: false, message: `"${printable(input)}" is neither a domain, an actor's URL (https://…) nor a handle (@user@host)` };
  }
  const domain = normaliseDomain(input);
  return domain.ok ? { ok: true, target: { kind: "domain", domain: domain.domain } } : domain;
}

/** A domain as blocks keep it, or why it cannot be one. */
export function normaliseDomain(raw: string): { ok: true; domain: string } | { ok: false; message: string } {
  let input = raw.trim();
  if (input.startsWith("*.")) input = input.slice(2);
  const host = normaliseHost(input, { allowPort: false });
  return host.ok ? { ok: true, domain: host.host } : host;
}

function normaliseHost(raw: string, opts: { allowPort: boolean }): { ok: true; host: string; port?: number } | { ok: false; message: string } {
  let input = raw.trim();
  let portNumber: number | undefined;
  // An IPv6 literal, bracketed or not.
  const bare = input.replace(/^\[(.*)\]$/, "$1");
  if (isIPv6(bare)) return { ok: true, host: new URL(`http://[${bare}]/`).hostname };
  const port = /^(.*):(\d+)$/.exec(input);
  if (port) {
    if (!opts.allowPort) {
      return { ok: false, message: `"${printable(input)}" has a port: a domain block covers every port, give ${printable(port[1] as string)}` };
    }
    input = port[1] as string;
    portNumber = Number(port[2]);
    if (portNumber < 1 || portNumber > 65535) return { ok: false, message: `${port[2]} is not a port` };
  }
  const withPort = (host: string) => ({ ok: true as const, host, ...(portNumber === undefined ? {} : { port: portNumber }) });
  if (isIPv4(input)) return withPort(input);
  const withoutDot = input.endsWith(".") ? input.slice(0, -1) : input;
  const ascii = domainToASCII(withoutDot);
  if (ascii === "" || !URL.canParse(`http://${ascii}/`) || new URL(`http://${ascii}/`).hostname !== ascii) {
    return { ok: false, message: `"${printable(raw.trim())}" is not a domain name (e.g. spam.example)` };
  }
  const labels = ascii.split(".");
  if (ascii.length > 253 || labels.some((l) => l.length === 0 || l.length > 63 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(l))) {
    return { ok: false, message: `"${printable(raw.trim())}" is not a domain name: labels of letters, digits and inner hyphens, 63 characters at most each` };
  }
  if (labels.length < 2 && ascii !== "localhost") {
    return { ok: false, message: `"${ascii}" is a top-level domain, not a server: give a server's domain such as spam.${ascii}` };
  }
  // "1.2.3" reads as the address 1.2.0.3: an address must be written whole.
  if (/^\d+$/.test(labels[labels.length - 1] as string)) {
    return { ok: false, message: `"${printable(raw.trim())}" is not a domain name, nor an IP address written whole (a.b.c.d)` };
  }
  return withPort(ascii);
}

function parseActorUrl(input: string): ParsedBlockInput {
  if (input.length > maxActorUrlLength) return { ok: false, message: `an actor's URL has at most ${maxActorUrlLength} characters` };
  if (!URL.canParse(input)) return { ok: false, message: `"${printable(input)}" is not a URL` };
  const url = new URL(input);
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, message: `"${printable(input)}" is not an http(s) URL` };
  if (url.username !== "" || url.password !== "") return { ok: false, message: "an actor's URL carries no user name or password" };
  if (url.pathname === "/" && url.search === "") {
    return { ok: false, message: `"${printable(input)}" names a whole server: to block it, give its domain (${url.hostname})` };
  }
  url.hash = "";
  return { ok: true, target: { kind: "actor", actor: url } };
}

/** A host as URLs give it, compared with blocked domains: lower case, no trailing dot. */
export function comparableHost(hostname: string): string {
  const h = hostname.toLowerCase();
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

/** Whether `hostname` is `domain` or one of its subdomains. */
export function hostIsUnder(hostname: string, domain: string): boolean {
  const h = comparableHost(hostname);
  return h === domain || h.endsWith(`.${domain}`);
}

/** The text of a target as shown and stored: the domain, or the actor's URL. */
export function targetText(target: BlockTarget): string {
  return target.kind === "domain" ? target.domain : target.actor.href;
}

function printable(s: string): string {
  const cut = s.length > 100 ? `${s.slice(0, 100)}…` : s;
  return cut.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
