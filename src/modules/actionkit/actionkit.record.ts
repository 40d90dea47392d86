import { type LanguageMap, primaryFirst } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import type { Collective } from "../collective/collective.entity.ts";
import type { ActionKitRow, ActionKitVersionRow } from "./actionkit.entity.ts";
import type { ActionKitText, ActionKitVersionView, ActionKitView } from "./actionkit.types.ts";

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

/** The text columns of a kit or a version as domain data, every language map with the primary language first again. */
export function rowToText(row: ActionKitRow | ActionKitVersionRow, primary: string): ActionKitText {
  const first = (map: LanguageMap) => primaryFirst(map, primary);
  return {
    title: first(row.title),
    explanation: first(row.explanation),
    country: row.country,
    institution: first(row.institution),
    legalBasis: first(row.legalBasis),
    steps: row.steps.map(first),
    fields: row.fields.map((f) => ({ ...f, label: first(f.label), ...(f.hint ? { hint: first(f.hint) } : {}) })),
    letters: row.letters.map((l) => ({ ...l, title: first(l.title), body: first(l.body) })),
  };
}

/** Domain text as column values (copies: the ORM compares them with what it loaded). */
export function textToColumns(text: ActionKitText) {
  return {
    title: { ...text.title },
    explanation: { ...text.explanation },
    country: text.country,
    institution: { ...text.institution },
    legalBasis: { ...text.legalBasis },
    steps: text.steps.map((s) => ({ ...s })),
    fields: text.fields.map((f) => ({ ...f })),
    letters: text.letters.map((l) => ({ ...l })),
  };
}

export function toKitView(row: ActionKitRow, collective: Collective, urls: Urls): ActionKitView {
  const primary = collective.primaryLanguage;
  return {
    ...rowToText(row, primary),
    id: row.id,
    apId: urls.actionKit(row.id),
    version: row.version,
    published: row.published,
    collective: { id: collective.id, apId: urls.collective(collective.slug), slug: collective.slug, primaryLanguage: primary, name: collective.name },
    origin: row.originApId
      ? { apId: row.originApId, actorApId: row.originActorApId ?? row.originApId, actorName: row.originActorName ?? null, url: row.originUrl ?? null }
      : undefined,
    createdAt: instant(row.createdAt),
    updatedAt: instant(row.updatedAt),
    publishedAt: row.publishedAt ? instant(row.publishedAt) : undefined,
    deletedAt: row.deletedAt ? instant(row.deletedAt) : undefined,
  };
}

export function toKitVersionView(kitId: string, row: ActionKitVersionRow, primary: string): ActionKitVersionView {
  return { ...rowToText(row, primary), kitId, version: row.version, createdAt: instant(row.createdAt) };
}

/** JSON with every object's keys sorted (jsonb keeps its own key order): equal values, equal strings. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
