import { placardFormats } from "../modules/slogan/placard.service.ts";
import { languagesOf, type SloganView } from "../modules/slogan/slogan.types.ts";
import type { Urls } from "../shared/urls.ts";

/** The JSON API's slogan: the model's names, its page, and the URLs of its placards and share images. */
export function presentSlogan(slogan: SloganView, urls: Urls) {
  const languages = languagesOf(slogan);
  return {
    id: slogan.id,
    url: slogan.apId.href,
    apId: slogan.apId.href,
    collective: slogan.collective.slug,
    text: slogan.text,
    tags: slogan.tags,
    call: slogan.callId ?? null,
    event: slogan.eventId ?? null,
    published: slogan.published,
    version: slogan.version,
    origin: slogan.origin ?? null,
    placards: Object.fromEntries(
      languages.map((lang) => [lang, Object.fromEntries(placardFormats.map((f) => [f, urls.sloganPlacard(slogan.id, lang, ...(f.split("-") as [string, string])).href]))]),
    ),
    shareImages: Object.fromEntries(languages.map((lang) => [lang, urls.sloganShareImage(slogan.id, lang, slogan.version).href])),
    createdAt: slogan.createdAt.toString(),
    updatedAt: slogan.updatedAt.toString(),
    publishedAt: slogan.publishedAt?.toString() ?? null,
  };
}
