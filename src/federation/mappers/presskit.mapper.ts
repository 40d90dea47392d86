import { kitLanguages, licenceNames, type PressKitView } from "../../modules/presskit/presskit.types.ts";
import { escapeHtml, textToHtml } from "../../shared/html.ts";
import type { LanguageMap } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { articleActivityDocument, articleDeleteDocument, articleTombstoneDocument } from "./article-activities.ts";
import { plainText, sanitizedHtmlMap } from "./as2-text.ts";
import type { JsonObject } from "./event.mapper.ts";

/**
 * A published press kit as an `Article`, pure JSON: the release's title as `name`, its lead as
 * `summary` (what Mastodon shows, with a link), the lead and body as `content`, the photos and logos
 * as `Image` attachments (caption as `name`, credit and licence beside it). PDFs are linked from the
 * content, not attached (Mastodon shows only images). The press contact is a role (an address or a
 * phone line of the collective): nothing names a person.
 */

const publicAddress = "https://www.w3.org/ns/activitystreams#Public";
const asContext = "https://www.w3.org/ns/activitystreams";

/** The map with the primary language first and its plain value. */
function withPlain(map: LanguageMap, languages: readonly string[]): { plain: string; map: LanguageMap } {
  const ordered = Object.fromEntries(languages.filter((l) => map[l] !== undefined).map((l) => [l, map[l] as string]));
  return { plain: ordered[languages[0] as string] ?? Object.values(map)[0] ?? "", map: ordered };
}

function contentIn(kit: PressKitView, lang: string, urls: Urls): string {
  const parts = [textToHtml(plainText(kit.lead[lang] ?? "")), sanitizedHtmlMap({ [lang]: kit.body[lang] ?? "" })?.[lang] ?? ""];
  const contact = [kit.contact.label?.[lang] ?? Object.values(kit.contact.label ?? {})[0], kit.contact.email, kit.contact.phone].filter(Boolean).map((s) => escapeHtml(plainText(String(s))));
  if (contact.length > 0) parts.push(`<p>${contact.join(" · ")}</p>`);
  const zip = escapeHtml(urls.pressKitZip(kit.id, lang).href);
  parts.push(`<p><a href="${zip}">${zip}</a></p>`);
  return parts.join("");
}

/** The kit's Article (without `@context`): served at its URL and embedded in Create/Update. */
export function pressKitArticle(kit: PressKitView, urls: Urls): JsonObject {
  const languages = kitLanguages(kit);
  const primary = languages[0] ?? kit.collective.primaryLanguage;
  const title = withPlain(Object.fromEntries(Object.entries(kit.title).map(([l, t]) => [l, plainText(t)])), languages);
  const summary = withPlain(Object.fromEntries(Object.entries(kit.lead).map(([l, t]) => [l, textToHtml(plainText(t))])), languages);
  const content = withPlain(Object.fromEntries(languages.map((l) => [l, contentIn(kit, l, urls)])), languages);
  const images = kit.files.filter((f) => f.kind !== "document");
  const article: JsonObject = {
    id: kit.apId.href,
    type: "Article",
    attributedTo: kit.collective.apId.href,
    actor: kit.collective.apId.href,
    url: kit.apId.href,
    to: [publicAddress],
    cc: [urls.collectiveFollowers(kit.collective.slug).href],
    published: (kit.publishedAt ?? kit.createdAt).toString(),
    name: title.plain,
    nameMap: title.map,
    summary: summary.plain,
    summaryMap: summary.map,
    content: content.plain,
    contentMap: content.map,
    mediaType: "text/html",
    attachment: images.map((f) => ({
      type: "Image",
      mediaType: f.mediaType,
      url: urls.pressKitFile(kit.id, f.name).href,
      name: plainText(`${f.caption[primary] ?? Object.values(f.caption)[0] ?? ""} (${f.credit}, ${licenceNames[f.licence]})`),
      ...(f.width && f.height ? { width: f.width, height: f.height } : {}),
    })),
    tag: [],
  };
  if (kit.publishedAt && Temporal.Instant.compare(kit.updatedAt, kit.publishedAt) > 0) article.updated = kit.updatedAt.toString();
  return article;
}

export function pressKitDocument(kit: PressKitView, urls: Urls): JsonObject {
  return { "@context": asContext, ...pressKitArticle(kit, urls) };
}

/** `Create` (id `…#create`) or `Update` (id `…#update-<revision>`) of the kit's Article. */
export function pressKitActivityDocument(kind: "Create" | "Update", kit: PressKitView, urls: Urls, revision = 0): JsonObject {
  return articleActivityDocument(kind, kit, pressKitArticle(kit, urls), revision);
}

export function pressKitTombstoneDocument(kit: PressKitView, deletedAt: Temporal.Instant): JsonObject {
  return articleTombstoneDocument(kit.apId, deletedAt);
}

export function pressKitDeleteDocument(kit: PressKitView, deletedAt: Temporal.Instant, urls: Urls): JsonObject {
  return articleDeleteDocument(kit, deletedAt, urls);
}
