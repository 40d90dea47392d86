import type { Request } from "express";
import { AppError, type FieldProblem } from "../shared/errors.ts";
import { type Page, type PageRequest, pageLimits } from "../shared/list-page.ts";

/**
 * `?limit=&cursor=` of a list: `limit` from 1 to 100 (default 20); `cursor` as the previous page gave
 * it. Problems are added to `problems` (the caller answers them all in one 400); without `problems`, a
 * problem is a 400 at once.
 */
export function parsePageQuery(query: Request["query"], problems?: FieldProblem[]): PageRequest {
  const found: FieldProblem[] = problems ?? [];
  let limit: number = pageLimits.default;
  if (query.limit !== undefined) {
    const v = query.limit;
    if (typeof v !== "string" || !/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > pageLimits.max) {
      found.push({ field: "limit", message: `must be a whole number from 1 to ${pageLimits.max}` });
    } else limit = Number(v);
  }
  let cursor: string | undefined;
  if (query.cursor !== undefined) {
    if (typeof query.cursor !== "string" || query.cursor === "") found.push({ field: "cursor", message: "give it once, as the previous page's `next`" });
    else cursor = query.cursor;
  }
  if (!problems && found.length > 0) throw badQuery(found);
  return { limit, cursor };
}

export const badQuery = (problems: readonly FieldProblem[]) =>
  new AppError("bad_query", 400, problems.map((p) => `${p.field}: ${p.message}`).join("; "), problems);

/** A page as the API writes it: `{ items, next }`, `next` being the cursor of the next page or null. */
export function presentPage<T, U>(page: Page<T>, present: (item: T) => U): { items: U[]; next: string | null } {
  return { items: page.items.map(present), next: page.next };
}
