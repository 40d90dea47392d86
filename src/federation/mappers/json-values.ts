import type { LanguageMap } from "../../shared/language.ts";
import type { JsonObject } from "./remote-event.mapper.ts";

/**
 * Readings of single values of received JSON (compact, as sent), shared by the mappers and the inbox
 * handlers (inbox-util.ts re-exports them). Pure. What must read a raw body the way Fedify will (`@id`,
 * aliases, expanded forms) is in inbox/activity-document.ts, not here.
 */

export const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The id of a compact value as received: a string, or an object's `id` (undefined otherwise). */
export const idOf = (v: unknown): string | undefined => (typeof v === "string" ? v : isObject(v) && typeof v.id === "string" ? v.id : undefined);

/** An instant from an ISO 8601 string, undefined for anything else. */
export function instant(v: unknown): Temporal.Instant | undefined {
  if (typeof v !== "string") return undefined;
  try {
    return Temporal.Instant.from(v);
  } catch {
    return undefined;
  }
}

/** A non-empty map of strings (`nameMap`…), each at most `maxLength` long; undefined otherwise. */
export function languageMap(v: unknown, maxLength = Number.POSITIVE_INFINITY): LanguageMap | undefined {
  return isObject(v) && Object.keys(v).length > 0 && Object.values(v).every((s) => typeof s === "string" && s.length <= maxLength) ? (v as LanguageMap) : undefined;
}
