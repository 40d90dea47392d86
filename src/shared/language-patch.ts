import { canonicalLanguage, type LanguageMap, primaryFirst } from "./language.ts";

/**
 * A PATCH of a language map, one language at a time (RFC 7396 applied to the map, one level below
 * merge-patch.ts): the languages sent replace theirs, those left out stay, one set to null goes. The
 * JSON API of events, calls, slogans, action kits and press kits uses it; the editor's forms send every
 * language and replace the map. Pure: the caller parses the body in between the two steps.
 */
export interface LanguageMapField {
  /** The field, in the body and in the stored object. */
  readonly field: string;
  /** The object always has it: it cannot lose its last language. */
  readonly required?: boolean;
  /** The field with the Markdown this map's HTML is made from: it changes with it, language by language. */
  readonly source?: string;
}

export interface LanguagePatchSpec {
  readonly fields: readonly LanguageMapField[];
  /** Comes first in every merged map. */
  readonly primaryLanguage: string;
  /** At most this many languages in a merged map. */
  readonly maxLanguages?: number;
  /** A key's canonical language, or undefined when it is none this object takes. Default: any BCP 47 tag. */
  readonly language?: (key: string) => string | undefined;
}

/** Languages a PATCH body sets to null (to remove), canonical, by field. */
export type LanguageRemovals = ReadonlyMap<string, readonly string[]>;

export interface LanguageFieldError {
  readonly field: string;
  readonly message: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Step 1, before validation: takes the languages set to null out of the body's language maps
 * (`{"title": {"de": null}}`), so that the rest is validated as usual. A key that is no language (of
 * this object) stays, for the validation to name it.
 */
export function takeLanguageRemovals(body: unknown, spec: LanguagePatchSpec): { body: unknown; removals: LanguageRemovals } {
  if (!isPlainObject(body)) return { body, removals: new Map() };
  const languageOf = spec.language ?? canonicalLanguage;
  const out: Record<string, unknown> = { ...body };
  const removals = new Map<string, string[]>();
  for (const { field } of spec.fields) {
    const map = body[field];
    if (!isPlainObject(map)) continue;
    const kept: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const [key, value] of Object.entries(map)) {
      const lang = value === null ? languageOf(key) : undefined;
      if (lang === undefined) kept[key] = value;
      else removed.push(lang);
    }
    if (removed.length > 0) {
      out[field] = kept;
      removals.set(field, removed);
    }
  }
  return { body: out, removals };
}

/**
 * Step 2, on the validated patch: each language map it sends (or removes from) merged into the stored
 * one, primary language first. A map left with no language clears an optional field (null) and is a
 * problem for a required one (left out of the patch). The Markdown source follows its HTML. Other fields are left alone.
 */
export function mergeLanguageMaps<P extends object>(
  current: object,
  patch: P,
  removals: LanguageRemovals,
  spec: LanguagePatchSpec,
): { patch: P; errors: LanguageFieldError[] } {
  const stored = current as Record<string, unknown>;
  const sentPatch = patch as Record<string, unknown>;
  const out: Record<string, unknown> = { ...sentPatch };
  const errors: LanguageFieldError[] = [];
  const merge = (field: string, removed: readonly string[]): LanguageMap => {
    const next: Record<string, string> = { ...((stored[field] as LanguageMap | undefined) ?? {}), ...((sentPatch[field] as LanguageMap | null | undefined) ?? {}) };
    for (const lang of removed) delete next[lang];
    return next;
  };
  for (const { field, required, source } of spec.fields) {
    const sent = sentPatch[field];
    const removed = removals.get(field) ?? [];
    if (sent === null || (sent === undefined && removed.length === 0)) continue;
    for (const lang of removed) {
      if (isPlainObject(sent) && lang in sent) errors.push({ field: `${field}.${lang}`, message: `the language ${lang} is given twice (a text and null); keep one` });
    }
    const merged = merge(field, removed);
    if (Object.keys(merged).length === 0 && required) {
      // Refused; the field is left out of the patch, so that checks across fields see the stored map.
      errors.push({ field, message: "cannot lose every language: keep at least one" });
      delete out[field];
      if (source) delete out[source];
      continue;
    }
    if (Object.keys(merged).length === 0) {
      out[field] = null;
      if (source) out[source] = null;
      continue;
    }
    if (spec.maxLanguages !== undefined && Object.keys(merged).length > spec.maxLanguages) {
      errors.push({ field, message: `at most ${spec.maxLanguages} languages; remove some` });
    }
    out[field] = primaryFirst(merged, spec.primaryLanguage);
    if (source) out[source] = primaryFirst(merge(source, removed), spec.primaryLanguage);
  }
  return { patch: out as P, errors };
}
