import type { EntityManager } from "@mikro-orm/postgresql";
import { type CallRow, CallVersionSchema } from "./call.entity.ts";
import { rowToText, textToColumns } from "./call.record.ts";
import type { CallChangeKind, CallText } from "./call.types.ts";

/** What a saved change of a call is: whether anything changed and in which words, and the version it writes. */

/** JSON with every object's keys sorted (jsonb keeps its own key order): equal values, equal strings. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** What changed between two texts, in the words of change notes (an image alone is worth no note). */
export function describeCallChange(before: CallText, after: CallText): { changed: boolean; kinds: CallChangeKind[] } {
  const same = (a: unknown, b: unknown) => sortedJson(a) === sortedJson(b);
  const kinds: CallChangeKind[] = [];
  if (!same(before.title, after.title) || !same(before.pitch, after.pitch) || !same(before.body, after.body) || !same(before.demands, after.demands)) {
    kinds.push("text");
  }
  const deadline = (t: CallText) => t.deadline?.epochMilliseconds ?? null;
  if (deadline(before) !== deadline(after)) kinds.push("deadline");
  if (!same(before.relatedEvents, after.relatedEvents)) kinds.push("events");
  const changed = kinds.length > 0 || !same(before.image, after.image) || before.timezone !== after.timezone || !same(before.bodySource, after.bodySource);
  return { changed, kinds };
}

/** Writes the row's current text as its version `row.version` (once: versions never change). */
export async function snapshotCallVersion(em: EntityManager, row: CallRow): Promise<void> {
  await em
    .createQueryBuilder(CallVersionSchema)
    .insert({ call: row.id, version: row.version, ...textToColumns(rowToText(row, "und")), createdAt: new Date() })
    .onConflict(["call", "version"])
    .ignore()
    .execute();
}
