/** Languages the interface speaks. Content may be in any BCP 47 language; these are the ones we translate. */
export const interfaceLanguages = ["fr", "de", "nl", "en"] as const;
export type InterfaceLanguage = (typeof interfaceLanguages)[number];

/**
 * Multilingual text: language code → text, e.g. `{ fr: "Manifestation", de: "Demo" }`. Insertion order
 * is meaningful: the primary language comes first. Stored as jsonb, published as `nameMap`/`contentMap`.
 */
export type LanguageMap = Readonly<Record<string, string>>;

const languageTag = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function isLanguageTag(value: string): boolean {
  return languageTag.test(value);
}

/** The canonical spelling of a language tag ("FR-be" → "fr-BE"), or undefined when it is not one. */
export function canonicalLanguage(value: string): string | undefined {
  try {
    const [tag] = Intl.getCanonicalLocales(value);
    return tag !== undefined && isLanguageTag(tag) ? tag : undefined;
  } catch {
    return undefined;
  }
}

/** Reorders a map so that `primary` comes first (when present), the others keeping their order. */
export function primaryFirst(map: LanguageMap, primary: string): LanguageMap {
  if (!(primary in map)) return map;
  const { [primary]: first, ...rest } = map;
  return { [primary]: first as string, ...rest };
}

/**
 * The fallback chain used by pages and feeds: the languages asked for, then the primary language, then
 * whatever the map has first. Returns the chosen language and its text, or undefined for an empty map.
 */
export function pickLanguage(
  map: LanguageMap,
  wanted: readonly string[],
  primary: string,
): { language: string; text: string } | undefined {
  for (const lang of [...wanted, primary]) {
    const text = map[lang];
    if (text !== undefined) return { language: lang, text };
    const base = lang.split("-")[0];
    if (base !== undefined && base !== lang && map[base] !== undefined) return { language: base, text: map[base] };
  }
  const first = Object.entries(map)[0];
  return first === undefined ? undefined : { language: first[0], text: first[1] };
}
