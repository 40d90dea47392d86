import { type ActionKitView, type KitCount, kitLanguages } from "../modules/actionkit/actionkit.types.ts";
import type { Urls } from "../shared/urls.ts";

/** The JSON API's action kit: the model's names, its pages per language and (one kit) its opt-in count. */
export function presentActionKit(kit: ActionKitView, urls: Urls, count?: KitCount) {
  return {
    id: kit.id,
    url: kit.apId.href,
    apId: kit.apId.href,
    collective: kit.collective.slug,
    title: kit.title,
    explanation: kit.explanation,
    country: kit.country,
    institution: kit.institution,
    legalBasis: kit.legalBasis,
    steps: kit.steps,
    fields: kit.fields,
    letters: kit.letters,
    published: kit.published,
    version: kit.version,
    origin: kit.origin ?? null,
    pages: Object.fromEntries(kitLanguages(kit, kit.collective.primaryLanguage).map((l) => [l, urls.actionKitPage(kit.id, l).href])),
    ...(count ? { count } : {}),
    createdAt: kit.createdAt.toString(),
    updatedAt: kit.updatedAt.toString(),
    publishedAt: kit.publishedAt?.toString() ?? null,
  };
}
