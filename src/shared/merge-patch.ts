/**
 * A JSON merge patch one level deep (RFC 7396 for top-level fields): fields sent replace stored ones,
 * `null` removes an optional field, fields left out stay. The caller validates the result.
 */
export function mergePatch(current: object, patch: object): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next;
}
