import type { Request, Response } from "express";

/** Cookie header → name/value pairs (the first of each name wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!out.has(name)) {
      try {
        out.set(name, decodeURIComponent(value));
      } catch {
        out.set(name, value);
      }
    }
  }
  return out;
}

/**
 * The editor's cookies. On an https origin they carry the `__Host-` prefix (the browser then insists
 * on Secure, Path=/ and no Domain: no subdomain can set or shadow them); on a plain-http development
 * origin the prefix is impossible (it requires Secure), so the names go without it.
 */
export class CookieJar {
  readonly #secure: boolean;
  constructor(origin: URL) {
    this.#secure = origin.protocol === "https:";
  }

  name(base: "session" | "csrf" | "lang"): string {
    return `${this.#secure ? "__Host-" : ""}relais-${base}`;
  }

  read(req: Request, base: "session" | "csrf" | "lang"): string | undefined {
    return parseCookies(req.get("cookie")).get(this.name(base));
  }

  set(res: Response, base: "session" | "csrf" | "lang", value: string, opts: { maxAgeMs?: number; sameSite?: "Lax" | "Strict"; httpOnly?: boolean } = {}): void {
    const attrs = [`${this.name(base)}=${encodeURIComponent(value)}`, "Path=/", `SameSite=${opts.sameSite ?? "Lax"}`];
    if (opts.httpOnly !== false) attrs.push("HttpOnly");
    if (this.#secure) attrs.push("Secure");
    if (opts.maxAgeMs !== undefined) attrs.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeMs / 1000))}`);
    res.append("Set-Cookie", attrs.join("; "));
  }

  clear(res: Response, base: "session" | "csrf" | "lang"): void {
    this.set(res, base, "", { maxAgeMs: 0 });
  }
}
