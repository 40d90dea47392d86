import type { EventInput } from "./event.schema.ts";

type Texts = Pick<EventInput, "name" | "summary" | "descriptionSource">;

const languagesOf = (e: Texts) => new Set([...Object.keys(e.name), ...Object.keys(e.summary ?? {}), ...Object.keys(e.descriptionSource ?? {})]);
const textOf = (e: Texts, lang: string) => [e.name[lang] ?? "", e.summary?.[lang] ?? "", e.descriptionSource?.[lang] ?? ""].join("\u0000");

/**
 * When each language's text last changed, after a save: languages whose name, summary or description
 * changed (or appeared) get `now`, the others keep their time, removed ones go. `previous` is undefined
 * for a new event, or for one stored before times were kept (then every language starts at `now`).
 */
export function textTimes(previous: { before: Texts; times: Readonly<Record<string, string>> } | undefined, after: Texts, now: Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lang of languagesOf(after)) {
    const kept = previous?.times[lang];
    out[lang] = kept && textOf(previous.before, lang) === textOf(after, lang) ? kept : now.toISOString();
  }
  return out;
}

/** Translations older than the primary language's text (the text they came from), in stored order. */
export function staleTranslations(times: Readonly<Record<string, string>> | null | undefined, primary: string): string[] {
  const source = times?.[primary];
  if (!times || !source) return [];
  return Object.entries(times)
    .filter(([lang, at]) => lang !== primary && Date.parse(at) < Date.parse(source))
    .map(([lang]) => lang);
}
