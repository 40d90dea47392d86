/**
 * What PostgreSQL and our own code cannot take from a parsed JSON value, found before anything reads
 * it: nesting deeper than `maxDepth` (recursive code — JSON-LD expansion, JSON.stringify, validators —
 * overflows the stack on 10,000 `[`), the NUL character (text and jsonb refuse it) and lone UTF-16
 * surrogates (jsonb refuses `\ud800`). Walks without recursion, so the check itself cannot overflow.
 */
export const defaultMaxJsonDepth = 64;

export interface JsonProblem {
  /** Dotted path to the offending value (`location.name`, `tag.2`), `(body)` for the top level. */
  readonly field: string;
  readonly message: string;
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The problem with a string, or undefined when PostgreSQL can store it. */
export function unstorableText(text: string): string | undefined {
  if (text.includes("\u0000")) return "contains a NUL character (\\u0000), which cannot be stored";
  if (loneSurrogate.test(text)) return "contains a lone UTF-16 surrogate, which is not valid Unicode";
  return undefined;
}

/** The first problem found in `value` (a result of JSON.parse), or undefined. */
export function unstorableJson(value: unknown, maxDepth = defaultMaxJsonDepth): JsonProblem | undefined {
  const stack: { value: unknown; path: string[]; depth: number }[] = [{ value, path: [], depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; path: string[]; depth: number };
    const field = item.path.length > 0 ? item.path.join(".") : "(body)";
    if (typeof item.value === "string") {
      const problem = unstorableText(item.value);
      if (problem) return { field, message: problem };
      continue;
    }
    if (item.value === null || typeof item.value !== "object") continue;
    if (item.depth >= maxDepth) return { field, message: `is nested deeper than ${maxDepth} levels` };
    const entries = Array.isArray(item.value) ? item.value.map((v, i) => [String(i), v] as const) : Object.entries(item.value);
    for (const [key, child] of entries) {
      const problem = unstorableText(key);
      if (problem) return { field: [...item.path, JSON.stringify(key)].join("."), message: `has a key that ${problem}` };
      stack.push({ value: child, path: [...item.path, key], depth: item.depth + 1 });
    }
  }
  return undefined;
}
