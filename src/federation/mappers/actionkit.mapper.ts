import { blank, fillTemplate } from "../../modules/actionkit/actionkit-template.ts";
import type { ActionKitWording } from "../../modules/actionkit/actionkit-wording.ts";
import { type ActionKitView, kitLanguages } from "../../modules/actionkit/actionkit.types.ts";
import { escapeHtml, textToHtml } from "../../shared/html.ts";
import type { LanguageMap } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { articleActivityDocument, articleDeleteDocument, articleTombstoneDocument } from "./article-activities.ts";
import { plainText } from "./as2-text.ts";
import type { JsonObject } from "./event.mapper.ts";

/**
 * A published action kit as an `Article`, pure JSON (FEDERATION.md, "Action kits"): the title as
 * `name`, the explanation's first paragraph with the institution and legal basis as `summary` (what
 * Mastodon shows, with the link), and as `content` the explanation, the steps, and each letter as text
 * with its blanks (`__________ (label)`), then the link to the kit's page in that language, where the
 * letters are filled in the reader's browser. Every language of the kit, the collective's primary first.
 */

const publicAddress = "https://www.w3.org/ns/activitystreams#Public";
const asContext = "https://www.w3.org/ns/activitystreams";

export interface ActionKitMapperContext {
  readonly urls: Urls;
  readonly wording: ActionKitWording;
}

const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;

function summaryIn(kit: ActionKitView, lang: string, wording: ActionKitWording): string {
  const first = plainText(kit.explanation[lang] ?? "").split(/\n{2,}/)[0] ?? "";
  const facts = `${wording.institution(plainText(kit.institution[lang] ?? ""), lang)} · ${wording.legalBasis(plainText(kit.legalBasis[lang] ?? ""), lang)}`;
  return `${textToHtml(first)}<p>${escapeHtml(facts)}</p>`;
}

function contentIn(kit: ActionKitView, lang: string, ctx: ActionKitMapperContext): string {
  const { urls, wording } = ctx;
  const text = (map: LanguageMap) => plainText(map[lang] ?? "");
  const parts = [textToHtml(text(kit.explanation))];
  parts.push(`<p>${escapeHtml(wording.institution(text(kit.institution), lang))}<br>${escapeHtml(wording.legalBasis(text(kit.legalBasis), lang))}</p>`);
  if (kit.origin) parts.push(`<p>${escapeHtml(wording.origin(kit.origin.actorName ?? new URL(kit.origin.actorApId).host, lang))}</p>`);
  if (kit.steps.length > 0) parts.push(`<p><strong>${escapeHtml(wording.steps(lang))}</strong></p><ol>${kit.steps.map((s) => `<li>${escapeHtml(text(s))}</li>`).join("")}</ol>`);
  const labels = new Map(kit.fields.map((f) => [f.name, plainText(f.label[lang] ?? Object.values(f.label)[0] ?? "")]));
  for (const letter of kit.letters) {
    const withBlanks = fillTemplate(text(letter.body), (name) => blank(labels.get(name)));
    parts.push(`<p><strong>${escapeHtml(wording.letter(text(letter.title), lang))}</strong></p>${textToHtml(withBlanks)}`);
  }
  const page = urls.actionKitPage(kit.id, lang).href;
  parts.push(`<p>${escapeHtml(wording.fill(lang))}: ${link(page, page)}</p>`);
  return parts.join("");
}

function ordered(languages: readonly string[], value: (lang: string) => string): { plain: string; map: LanguageMap } {
  const map = Object.fromEntries(languages.map((l) => [l, value(l)]));
  return { plain: map[languages[0] as string] ?? "", map };
}

/** The kit's Article (without `@context`): served at its URL and embedded in Create/Update. */
export function actionKitArticle(kit: ActionKitView, ctx: ActionKitMapperContext): JsonObject {
  const languages = kitLanguages(kit, kit.collective.primaryLanguage);
  const title = ordered(languages, (l) => plainText(kit.title[l] ?? ""));
  const summary = ordered(languages, (l) => summaryIn(kit, l, ctx.wording));
  const content = ordered(languages, (l) => contentIn(kit, l, ctx));
  const article: JsonObject = {
    id: kit.apId.href,
    type: "Article",
    attributedTo: kit.collective.apId.href,
    url: kit.apId.href,
    to: [publicAddress],
    cc: [ctx.urls.collectiveFollowers(kit.collective.slug).href],
    published: (kit.publishedAt ?? kit.createdAt).toString(),
    name: title.plain,
    nameMap: title.map,
    summary: summary.plain,
    summaryMap: summary.map,
    content: content.plain,
    contentMap: content.map,
    mediaType: "text/html",
    tag: [],
  };
  if (kit.version > 1) article.updated = kit.updatedAt.toString();
  return article;
}

export function actionKitDocument(kit: ActionKitView, ctx: ActionKitMapperContext): JsonObject {
  return { "@context": asContext, ...actionKitArticle(kit, ctx) };
}

/** `Create` (id `…#create`) or `Update` (id `…#update-<version>`) of the kit's Article. */
export function actionKitActivityDocument(kind: "Create" | "Update", kit: ActionKitView, ctx: ActionKitMapperContext, version = kit.version): JsonObject {
  return articleActivityDocument(kind, kit, actionKitArticle(kit, ctx), version);
}

export function actionKitTombstoneDocument(kit: ActionKitView, deletedAt: Temporal.Instant): JsonObject {
  return articleTombstoneDocument(kit.apId, deletedAt);
}

export function actionKitDeleteDocument(kit: ActionKitView, deletedAt: Temporal.Instant, urls: Urls): JsonObject {
  return articleDeleteDocument(kit, deletedAt, urls);
}
