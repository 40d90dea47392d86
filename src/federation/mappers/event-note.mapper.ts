import { Document, Hashtag, LanguageString, Note } from "@fedify/vocab";
import { eventAudience } from "./audience.ts";
import type { EventWording } from "../../modules/event/event-summary.ts";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import { escapeHtml } from "../../shared/html.ts";
import { pickLanguage } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { plainText, plainTextMap } from "./as2-text.ts";
import { imageMediaType, type JsonObject } from "./event.mapper.ts";

/**
 * The event as a `Note`, for servers that do not show an `Event` (server-profiles.ts): what Mastodon
 * shows of the Event — its name, the summary line (status, date, time and zone, place, the organisers'
 * one-line summary) and the link to its page — with its image and hashtags, in every language the event
 * is written in, the collective's first. No `summary`: on a Note it is a content warning.
 */
export function eventNote(event: PublishedEvent, { urls, wording }: { urls: Urls; wording: EventWording }): Note {
  const primary = event.organizer.primaryLanguage;
  const languages = [...new Set([primary, ...Object.keys(event.name), ...Object.keys(event.summary ?? {})])];
  const link = `<p><a href="${escapeHtml(event.apId.href)}">${escapeHtml(event.apId.href)}</a></p>`;
  const html = (lang: string) => {
    const name = plainText(pickLanguage(event.name, [lang], primary)?.text ?? "");
    return `<p><strong>${escapeHtml(name)}</strong></p><p>${escapeHtml(wording.mastodonSummary(event, lang))}</p>${link}`;
  };
  const followers = urls.collectiveFollowers(event.organizer.slug);
  const { to, cc } = eventAudience(event, followers);
  const alt = event.image ? plainTextMap(event.image.alt) : undefined;
  const altText = alt ? pickLanguage(alt, [primary], primary)?.text : undefined;
  return new Note({
    id: urls.eventNote(event.id),
    attribution: event.organizer.apId,
    to,
    cc,
    contents: [html(primary), ...languages.map((lang) => new LanguageString(html(lang), lang))],
    url: event.apId,
    attachments: event.image
      ? [new Document({ url: new URL(event.image.url), mediaType: event.image.mediaType ?? imageMediaType(event.image.url), name: altText ?? null })]
      : [],
    tags: event.tags.map((tag) => new Hashtag({ name: `#${tag}` })),
    published: event.publishedAt,
    updated: event.updatedAt.equals(event.publishedAt) ? null : event.updatedAt,
    sensitive: false,
    replyTarget: null,
  });
}

/** The event's Note as JSON-LD, served at its URL. */
export async function eventNoteDocument(event: PublishedEvent, ctx: Parameters<typeof eventNote>[1]): Promise<JsonObject> {
  return (await eventNote(event, ctx).toJsonLd({ format: "compact" })) as JsonObject;
}
