import { canonicalLanguage, type LanguageMap, primaryFirst } from "../../shared/language.ts";
import { eventLimits } from "./event-fields.schema.ts";
import type { EventInput, EventPatch, FieldError } from "./event.schema.ts";

/** The language maps a PATCH of the JSON API changes one language at a time (RFC 7396, one level further down). */
const mapFields = ["name", "summary", "description", "statusReason"] as const;
type MapField = (typeof mapFields)[number];

/** Languages a PATCH body sets to null (to remove), by field. */
export type LanguageRemovals = ReadonlyMap<MapField, readonly string[]>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Takes the languages set to null out of a PATCH body's language maps (`{"name": {"de": null}}`), so
 * that the rest is validated as usual; returns them, canonical. A key that is no language code stays,
 * for the validation to name it.
 */
export function takeLanguageRemovals(body: unknown): { body: unknown; removals: LanguageRemovals } {
  if (!isPlainObject(body)) return { body, removals: new Map() };
  const out: Record<string, unknown> = { ...body };
  const removals = new Map<MapField, string[]>();
  for (const field of mapFields) {
    const map = body[field];
    if (!isPlainObject(map)) continue;
    const kept: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const [key, value] of Object.entries(map)) {
      const lang = value === null ? canonicalLanguage(key) : undefined;
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
 * The PATCH with each language map it sends merged into the stored one: the languages sent replace
 * theirs, those left out stay, those set to null go. A map left with no language clears the field
 * (`name` cannot be: a problem). The description's Markdown source follows its HTML.
 */
export function mergeLanguageMaps(current: EventInput, patch: EventPatch, removals: LanguageRemovals, primaryLanguage: string): { patch: EventPatch; errors: FieldError[] } {
  const out: Record<string, unknown> = { ...patch };
  const errors: FieldError[] = [];
  const merge = (stored: LanguageMap | undefined, sent: LanguageMap | null | undefined, removed: readonly string[]): LanguageMap => {
    const next: Record<string, string> = { ...(stored ?? {}), ...(sent ?? {}) };
    for (const lang of removed) delete next[lang];
    return next;
  };
  for (const field of mapFields) {
    const sent = patch[field];
    const removed = removals.get(field) ?? [];
    if (sent === null || (sent === undefined && removed.length === 0)) continue;
    const merged = merge(current[field], sent, removed);
    if (Object.keys(merged).length === 0) {
      if (field === "name") errors.push({ field: "name", message: "cannot lose every language: keep at least one" });
      out[field] = null;
      if (field === "description") out.descriptionSource = null;
      continue;
    }
    if (Object.keys(merged).length > eventLimits.languages) errors.push({ field, message: `at most ${eventLimits.languages} languages; remove some` });
    out[field] = primaryFirst(merged, primaryLanguage);
    if (field === "description") out.descriptionSource = primaryFirst(merge(current.descriptionSource, patch.descriptionSource, removed), primaryLanguage);
  }
  return { patch: out as EventPatch, errors };
}
