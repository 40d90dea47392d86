import type { KvStoreSetOptions } from "@fedify/fedify";

/**
 * JSON with object keys sorted, so that two deep-equal values (Fedify compares `cas` values with a deep
 * equality) always give the same text and can be compared as strings.
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v == null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
  if (text === undefined) throw new TypeError(`A key–value store value must be JSON-serialisable, got ${typeof value}`);
  return text;
}

/** The TTL in whole milliseconds (at least 1), or null when the value never expires. */
export function ttlMilliseconds(options: KvStoreSetOptions | undefined): number | null {
  if (options?.ttl == null) return null;
  return Math.max(1, Math.ceil(options.ttl.total({ unit: "millisecond" })));
}
