import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type i18n as I18n, type Resource, type ResourceLanguage } from "i18next";
import { isLanguageTag } from "./language.ts";

export type { I18n };

/** `locales/` at the project root: one folder per language, one `<namespace>.json` per interface area. */
export const defaultLocalesDir = fileURLToPath(new URL("../../locales/", import.meta.url));

/** The language every key must exist in; any other language falls back to it. */
export const fallbackLanguage = "en";

/**
 * Reads every `<dir>/<lang>/<ns>.json`. A new namespace (say `web.json`) needs no change here. A file
 * that is not a JSON object is a bug in the repository, so it throws, naming the file.
 */
export function loadLocaleResources(dir: string = defaultLocalesDir): Resource {
  if (!existsSync(dir)) throw new Error(`locales folder ${dir} does not exist`);
  const resources: Record<string, ResourceLanguage> = {};
  for (const lang of readdirSync(dir).sort()) {
    const langDir = join(dir, lang);
    if (!statSync(langDir).isDirectory()) continue;
    if (!isLanguageTag(lang)) throw new Error(`locales/${lang}: folder names must be language codes such as fr or de`);
    const namespaces: ResourceLanguage = {};
    for (const file of readdirSync(langDir).sort()) {
      if (!file.endsWith(".json")) continue;
      const path = join(langDir, file);
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(path, "utf8"));
      } catch (error) {
        throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
      }
      if (typeof data !== "object" || data === null || Array.isArray(data)) {
        throw new Error(`${path} must hold a JSON object of keys`);
      }
      namespaces[file.slice(0, -".json".length)] = data as ResourceLanguage[string];
    }
    resources[lang] = namespaces;
  }
  return resources;
}

export interface I18nOptions {
  readonly localesDir?: string;
  /** Given resources instead of reading files (tests). */
  readonly resources?: Resource;
}

/**
 * A ready i18next instance over every locale file, with the chain asked language → its base language
 * (fr-BE → fr) → English. Keys are written `namespace:key`, e.g. `event:where.online`.
 *
 * Interpolated values are NOT HTML-escaped: translations are plain text (AS2 `summary`, notes, logs);
 * whoever puts them into HTML escapes them there, like any other text.
 */
export function createI18n(options: I18nOptions = {}): I18n {
  const resources = options.resources ?? loadLocaleResources(options.localesDir);
  const namespaces = [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))].sort();
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: fallbackLanguage,
    fallbackLng: fallbackLanguage,
    ns: namespaces,
    defaultNS: false,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    returnEmptyString: false,
    // A key found in no language (English included) is a bug: remembered, so that tests that render
    // pages can say which (missingTranslationKeys). The page shows the key itself. City names are the
    // exception: a locale lists only its exonyms, and the zone's own city name is the default.
    saveMissing: true,
    missingKeyHandler: (_languages: readonly string[], namespace: string, key: string) => {
      if (!key.startsWith("cities.")) missingKeys.add(`${namespace}:${key}`);
    },
  });
  return instance;
}

const missingKeys = new Set<string>();

/** Every interface key asked for in this process and found in no locale file (none, when all is well). */
export function missingTranslationKeys(): string[] {
  return [...missingKeys].sort();
}

/**
 * Translates an interface key (`namespace:key`, e.g. `event:where.online`) into `language`, falling
 * back to English. Whoever words text for people (event summaries, change notes) is given one by the
 * composition root; domain code never reaches for a process-wide instance.
 */
export type Translate = (language: string, key: string, vars?: Record<string, unknown>) => string;

/** A `Translate` over an i18next instance. */
export function translatorOf(i18n: I18n): Translate {
  return (language, key, vars = {}) => String(i18n.t(key, { ...vars, lng: language }));
}

/** A `Translate` over every locale file (or the given resources). */
export function createTranslator(options: I18nOptions = {}): Translate {
  return translatorOf(createI18n(options));
}

let shared: Translate | undefined;

/**
 * The web pages' translator, over `locales/`, created on first use (the files are read once). Only
 * src/web renders pages with it; src/modules and src/federation are given a `Translate`
 * (tests/architecture/boundaries.test.ts).
 */
export function t(language: string, key: string, vars: Record<string, unknown> = {}): string {
  shared ??= createTranslator();
  return shared(language, key, vars);
}
