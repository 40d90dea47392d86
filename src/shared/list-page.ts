import { AppError } from "./errors.ts";
import { isUuid } from "./uuid.ts";

/**
 * Lists are read a page at a time, by position (keyset), never by offset: a page starts right after the
 * last item of the previous one, so items added or removed meanwhile neither repeat nor go missing, and
 * a deep page costs what the first one does. The position travels as an opaque cursor: the list's name
 * and the sort key of the last item, as base64url JSON. Clients must not build or read it.
 */

/** What a list request asks for: at most `limit` items, after the position of `cursor` if given. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** A page of items and the cursor of the next one (null on the last page). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}

export const pageLimits = { default: 20, max: 100 } as const;

/** One value of a sort key as it travels in a cursor. */
export type KeyPart = string | number;
/** Checks one decoded key part; returns false when the cursor cannot come from this list. */
export type KeyCheck = (part: unknown) => boolean;

export const keyChecks = {
  uuid: isUuid,
  /** Milliseconds since the epoch. */
  instant: (p: unknown) => typeof p === "number" && Number.isSafeInteger(p),
} satisfies Record<string, KeyCheck>;

export function encodeCursor(list: string, key: readonly KeyPart[]): string {
  return Buffer.from(JSON.stringify([list, ...key]), "utf8").toString("base64url");
}

export const badCursor = () =>
  new AppError("bad_query", 400, "cursor: not a cursor of this list; pass the `next` value of the previous page unchanged, or leave cursor out to start at the beginning", [
    { field: "cursor", message: "not a cursor of this list" },
  ]);

/** The sort key in `cursor`, or a 400 when it was not made by `encodeCursor(list, …)` with this key's shape. */
export function decodeCursor(cursor: string, list: string, shape: readonly KeyCheck[]): KeyPart[] {
  let parsed: unknown;
  try {
    if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor();
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length + 1 || parsed[0] !== list) throw badCursor();
  const key = parsed.slice(1);
  if (!shape.every((check, i) => check(key[i]))) throw badCursor();
  return key as KeyPart[];
}

/**
 * Cuts the `limit + 1` rows a keyset query fetched into a page: the extra row only says that another
 * page exists, and the cursor is the key of the last row kept.
 */
export function toPage<R, T>(rows: readonly R[], limit: number, list: string, keyOf: (row: R) => readonly KeyPart[], map: (row: R) => T): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return { items: kept.map(map), next: rows.length > limit && last !== undefined ? encodeCursor(list, keyOf(last)) : null };
}
