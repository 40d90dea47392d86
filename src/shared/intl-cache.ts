/**
 * Intl formatters are costly to build (tens of microseconds: locale negotiation, zone data) and cheap to
 * use, and they hold no state between calls: each is built once per locale and options and kept. The
 * maps are bounded (languages and zones come from content), starting over when full.
 */
const maxEntries = 2000;
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const displayNamesCache = new Map<string, Intl.DisplayNames>();

function cached<T>(map: Map<string, T>, key: string, build: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = build();
    if (map.size >= maxEntries) map.clear();
    map.set(key, value);
  }
  return value;
}

const keyOf = (locales: string | readonly string[], options: object) => `${String(locales)}\u0000${JSON.stringify(options)}`;

/** `new Intl.DateTimeFormat(locales, options)`, built once. Throws the same RangeError for bad input. */
export function dateTimeFormat(locales: string | readonly string[], options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached(dateTimeFormats, keyOf(locales, options), () => new Intl.DateTimeFormat(locales as string | string[], options));
}

/** `new Intl.DisplayNames(locales, options)`, built once. */
export function displayNames(locales: string | readonly string[], options: Intl.DisplayNamesOptions): Intl.DisplayNames {
  return cached(displayNamesCache, keyOf(locales, options), () => new Intl.DisplayNames(locales as string | string[], options));
}
