import { Create, Document, Hashtag, LanguageString, Note, Update } from "@fedify/vocab";
import type { SloganWording } from "../../modules/slogan/slogan-wording.ts";
import { languagesOf, type SloganView } from "../../modules/slogan/slogan.types.ts";
import { escapeHtml } from "../../shared/html.ts";
import { pickLanguage } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import type { JsonObject } from "./event.mapper.ts";
import { tombstoneResponseDocument } from "./event-activity.mapper.ts";

const publicAddress = new URL("https://www.w3.org/ns/activitystreams#Public");

export interface SloganMapperContext {
  readonly urls: Urls;
  readonly wording: SloganWording;
}

/**
 * A slogan as a `Note` from its collective (FEDERATION.md, "Slogans"): in each language of the slogan
 * (`contentMap`, the collective's language first and as plain `content`) the slogan as a paragraph, the
 * call or event it belongs to, where it was adopted from, and its hashtags; `nameMap` holds the bare
 * lines (what a partner adopting it takes). Its share image (1200×630 PNG, in the collective's
 * language) is attached with alt text. No `summary`: on a Note it is a content warning.
 */
export function sloganNote(slogan: SloganView, { urls, wording }: SloganMapperContext): Note {
  const primary = slogan.collective.primaryLanguage;
  const languages = languagesOf(slogan);
  const first = languages[0] ?? primary;
  const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const html = (lang: string) => {
    const pick = (map: Readonly<Record<string, string>>) => pickLanguage(map, [lang], primary)?.text ?? "";
    const parts = [`<p>${escapeHtml(pick(slogan.text))}</p>`];
    if (slogan.call) parts.push(`<p>${link(slogan.call.apId.href, wording.forCall(pick(slogan.call.title), lang))}</p>`);
    if (slogan.event) parts.push(`<p>${link(slogan.event.apId.href, wording.forEvent(pick(slogan.event.name), lang))}</p>`);
    if (slogan.origin) {
      const name = slogan.origin.actorName ?? new URL(slogan.origin.actorApId).host;
      parts.push(`<p>${link(slogan.origin.url ?? slogan.origin.apId, wording.origin(name, lang))}</p>`);
    }
    if (slogan.tags.length > 0) parts.push(`<p>${slogan.tags.map((t) => `#${escapeHtml(t)}`).join(" ")}</p>`);
    return parts.join("");
  };
  return new Note({
    id: slogan.apId,
    attribution: slogan.collective.apId,
    to: publicAddress,
    cc: urls.collectiveFollowers(slogan.collective.slug),
    contents: [html(first), ...languages.map((lang) => new LanguageString(html(lang), lang))],
    names: [slogan.text[first] ?? "", ...languages.map((lang) => new LanguageString(slogan.text[lang] ?? "", lang))],
    url: slogan.apId,
    attachments: [
      new Document({
        url: urls.sloganShareImage(slogan.id, first, slogan.version),
        mediaType: "image/png",
        name: wording.shareAlt(slogan, first),
        width: 1200,
        height: 630,
      }),
    ],
    tags: slogan.tags.map((tag) => new Hashtag({ name: `#${tag}` })),
    published: slogan.publishedAt ?? slogan.createdAt,
    updated: slogan.version > 1 ? slogan.updatedAt : null,
    sensitive: false,
    replyTarget: null,
  });
}

/** The Note as JSON-LD, served at the slogan's URL. */
export async function sloganNoteDocument(slogan: SloganView, ctx: SloganMapperContext): Promise<JsonObject> {
  return (await sloganNote(slogan, ctx).toJsonLd({ format: "compact" })) as JsonObject;
}

/** `Create` (when published, id `<slogan>#create`) or `Update` (each new version, id `<slogan>#update-<version>`) of the Note. */
export function sloganActivity(kind: "create" | "update", slogan: SloganView, ctx: SloganMapperContext, version = slogan.version): Create | Update {
  const values = {
    actor: slogan.collective.apId,
    object: sloganNote(slogan, ctx),
    to: publicAddress,
    cc: ctx.urls.collectiveFollowers(slogan.collective.slug),
  };
  return kind === "create"
    ? new Create({ ...values, id: new URL(`${slogan.apId.href}#create`), published: slogan.publishedAt ?? slogan.createdAt })
    : new Update({ ...values, id: new URL(`${slogan.apId.href}#update-${version}`), updated: slogan.updatedAt });
}

/** What a deleted slogan's URL answers, with 410. */
export function sloganTombstoneDocument(slogan: SloganView, deletedAt: Temporal.Instant): JsonObject {
  return tombstoneResponseDocument(slogan.apId, "Note", deletedAt);
}

/** `Delete` of the slogan's Note, with a Tombstone; id `<slogan>#delete`. */
export function sloganDeleteDocument(slogan: SloganView, deletedAt: Temporal.Instant, urls: Urls): JsonObject {
  const { "@context": context, ...tombstone } = tombstoneResponseDocument(slogan.apId, "Note", deletedAt);
  return {
    "@context": context,
    id: `${slogan.apId.href}#delete`,
    type: "Delete",
    actor: slogan.collective.apId.href,
    to: publicAddress.href,
    cc: urls.collectiveFollowers(slogan.collective.slug).href,
    object: tombstone,
  };
}
