import type { Request } from "express";
import { interfaceLanguages } from "../shared/language.ts";

/**
 * The visitor's languages, most wanted first: `?lang=` then Accept-Language (by q), limited to
 * well-formed tags. Used for the interface (falling back to English) and for content (falling back to
 * the collective's primary language, then any).
 */
export function wantedLanguages(query: unknown, acceptLanguage: string | undefined): string[] {
  const out: string[] = [];
  if (typeof query === "string" && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(query)) out.push(query);
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(",")
      .slice(0, 20)
      .map((part, i) => {
        const [tag, ...params] = part.trim().split(";");
        const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
        return { tag: (tag ?? "").trim(), q: q ? Number(q.slice(2)) : 1, i };
      })
      .filter((x) => /^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(x.tag) && x.q > 0)
      .sort((a, b) => b.q - a.q || a.i - b.i);
    for (const r of ranked) out.push(r.tag.toLowerCase());
  }
  return [...new Set(out)];
}

/** The interface language: the first wanted one we translate (by base language), else English. */
export function interfaceLanguage(wanted: readonly string[]): string {
  for (const tag of wanted) {
    const base = tag.split("-")[0] as string;
    if ((interfaceLanguages as readonly string[]).includes(base)) return base;
  }
  return "en";
}

/** What a request asks for: content languages by preference, and the interface language. */
export function visitorLanguages(req: Request): { wanted: string[]; lang: string } {
  const wanted = wantedLanguages(req.query.lang, req.get("accept-language"));
  return { wanted, lang: interfaceLanguage(wanted) };
}
