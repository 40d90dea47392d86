import { LanguageString } from "@fedify/vocab";
import type { LanguageMap } from "../../shared/language.ts";

/**
 * A language map as Fedify's plural properties: the primary language's text first as a plain value
 * (what Mastodon and other single-language readers show), then every language as a `LanguageString`
 * (serialised as `nameMap`/`summaryMap`/`contentMap`, primary first).
 */
export function toLanguageStrings(map: LanguageMap | null | undefined, primary: string): (string | LanguageString)[] {
  if (!map) return [];
  const entries = Object.entries(map);
  if (entries.length === 0) return [];
  const plain = map[primary] ?? (entries[0] as [string, string])[1];
  const sorted = [...entries.filter(([l]) => l === primary), ...entries.filter(([l]) => l !== primary)];
  return [plain, ...sorted.map(([lang, text]) => new LanguageString(text, lang))];
}

/** Reads Fedify's plural values back into a language map; a plain value goes under `fallbackLanguage`. */
export function fromLanguageStrings(
  values: readonly (string | LanguageString)[],
  fallbackLanguage = "und",
): LanguageMap | undefined {
  const map: Record<string, string> = {};
  let plain: string | undefined;
  for (const v of values) {
    if (v instanceof LanguageString) {
      map[v.locale.baseName] ??= v.toString();
    } else {
      plain ??= v.toString();
    }
  }
  if (Object.keys(map).length === 0 && plain !== undefined) map[fallbackLanguage] = plain;
  return Object.keys(map).length > 0 ? map : undefined;
}
