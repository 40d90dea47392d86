import type { CallWording } from "../../modules/call/call-wording.ts";
import { callLanguages } from "../../modules/call/call-wording.ts";
import type { CallChangeKind, CallChangeNoteView, CallStatus, CallView } from "../../modules/call/call.types.ts";
import { escapeHtml, textToHtml } from "../../shared/html.ts";
import { type LanguageMap, pickLanguage } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { plainText, sanitizedHtmlMap } from "./as2-text.ts";
import { imageMediaType, type JsonObject } from "./event.mapper.ts";
import { relaisContext } from "./relais-context.ts";

/**
 * Calls to action as FEP-b2b8 `Article`s (https://w3id.org/fep/b2b8), with Relais's terms
 * (relais-context.ts), as pure JSON: Fedify's vocabulary has none of them. Mastodon turns an Article
 * into its title as a heading, its `summary` and a link, so the summary carries what people must know
 * without opening it: the status, the day of action and the signing deadline, in every language of the
 * call. Mobilizon ingests it as a group post (it needs `actor` beside `attributedTo`: the collective,
 * never a person).
 */

const publicAddress = "https://www.w3.org/ns/activitystreams#Public";
const asContext = "https://www.w3.org/ns/activitystreams";

export const callContext = [asContext, relaisContext] as const;

export interface CallMapperContext {
  readonly urls: Urls;
  readonly wording: CallWording;
}

const statusTerm: Record<CallStatus, string> = {
  draft: "Consultation",
  consultation: "Consultation",
  open: "Open",
  closed: "Closed",
  withdrawn: "Withdrawn",
};

const changeKindTerm: Record<CallChangeKind, string> = {
  text: "TextChanged",
  signatories: "NewPartners",
  deadline: "DeadlineChanged",
  events: "EventChanged",
  closed: "Closed",
  withdrawn: "Withdrawn",
};

/** An instant with the offset of a zone: "2027-03-01T23:59:00+01:00". */
function withOffset(instant: Temporal.Instant, timezone: string): string {
  return instant.toZonedDateTimeISO(timezone).toString({ timeZoneName: "never", smallestUnit: "second" });
}

/** A language map with the primary language first, and the plain value in that language. */
function withPlain(map: LanguageMap, primary: string): { plain: string; map: LanguageMap } {
  const ordered = Object.fromEntries([...Object.entries(map).filter(([l]) => l === primary), ...Object.entries(map).filter(([l]) => l !== primary)]);
  return { plain: map[primary] ?? Object.values(map)[0] ?? "", map: ordered };
}

/**
 * The summary as HTML paragraphs, at most 500 characters of HTML (escaping included): languages that
 * do not fit are left out, the last first.
 */
export function callSummaryHtml(call: CallView, wording: CallWording): string {
  const paragraph = (line: string) => `<p>${escapeHtml(line)}</p>`;
  const lines = wording.summaryLines(call, call.collective.primaryLanguage, 500, (line) => paragraph(line).length);
  return lines.map(paragraph).join("");
}

/**
 * The body of the call in one language: the status or the dates, the pitch, the text and the numbered
 * demands (an `<ol>`), for servers that show `content` (Mobilizon, Hollo, Relais partners).
 */
function contentIn(call: CallView, lang: string, wording: CallWording): string {
  const primary = call.collective.primaryLanguage;
  const pick = (map: LanguageMap | undefined) => (map ? pickLanguage(map, [lang], primary)?.text : undefined);
  const head = [call.status === "open" ? undefined : wording.statusLabel(call.status, lang), wording.datesLine(call, lang)].filter(Boolean).join(" · ");
  const parts: string[] = [];
  if (head) parts.push(`<p><strong>${escapeHtml(head)}</strong></p>`);
  const pitch = pick(call.pitch);
  if (pitch) parts.push(textToHtml(pitch));
  parts.push(sanitizedHtmlMap({ [lang]: pick(call.body) ?? "" })?.[lang] ?? "");
  const demands = call.demands.map((d) => pick(d)).filter((d): d is string => d !== undefined);
  if (demands.length > 0) parts.push(`<ol>${demands.map((d) => `<li>${escapeHtml(plainText(d))}</li>`).join("")}</ol>`);
  return parts.join("");
}

/** The call's `Article` (without `@context`): served at its URL and embedded in Create/Update. */
export function callArticle(call: CallView, ctx: CallMapperContext): JsonObject {
  const { urls, wording } = ctx;
  const primary = call.collective.primaryLanguage;
  const languages = callLanguages(call, primary);
  const title = withPlain(Object.fromEntries(Object.entries(call.title).map(([l, t]) => [l, plainText(t)])), primary);
  const content = withPlain(Object.fromEntries(languages.map((l) => [l, contentIn(call, l, wording)])), primary);
  const article: JsonObject = {
    id: call.apId.href,
    type: "Article",
    attributedTo: call.collective.apId.href,
    actor: call.collective.apId.href,
    url: call.apId.href,
    to: [publicAddress],
    cc: [urls.collectiveFollowers(call.collective.slug).href],
    published: (call.launchedAt ?? call.createdAt).toString(),
    name: title.plain,
    nameMap: title.map,
    summary: callSummaryHtml(call, wording),
    content: content.plain,
    contentMap: content.map,
    mediaType: "text/html",
    attachment: call.image
      ? [
          {
            type: "Image",
            mediaType: call.image.mediaType ?? imageMediaType(call.image.url),
            url: call.image.url,
            ...(call.image.alt ? { name: plainText(pickLanguage(call.image.alt, [primary], primary)?.text ?? "") } : {}),
          },
        ]
      : [],
    tag: [],
    callStatus: statusTerm[call.status],
    version: call.version,
    currentVersion: urls.callVersion(call.id, call.version).href,
    versions: urls.callVersions(call.id).href,
    signatories: urls.callSignatories(call.id).href,
    pendingSignatories: urls.callPendingSignatories(call.id).href,
    authoritativeLanguages: [primary],
    demands: call.demands.map((d) => ({ type: "Demand", nameMap: withPlain(Object.fromEntries(Object.entries(d).map(([l, t]) => [l, plainText(t)])), primary).map })),
    relatedEvents: call.events.map((e) => e.apId.href),
  };
  if (call.pitch) article.summaryMap = withPlain(Object.fromEntries(Object.entries(call.pitch).map(([l, t]) => [l, textToHtml(t)])), primary).map;
  if (call.deadline) article.deadline = withOffset(call.deadline, call.timezone);
  if (call.launchedAt && Temporal.Instant.compare(call.updatedAt, call.launchedAt) > 0) article.updated = call.updatedAt.toString();
  return article;
}

/** The Article as a document: what the call's URL answers to servers. */
export function callDocument(call: CallView, ctx: CallMapperContext): JsonObject {
  return { "@context": [...callContext] as unknown as JsonObject, ...callArticle(call, ctx) };
}

/**
 * `Create` or `Update` of the call, the Article embedded whole (Relais's terms included). Ids are
 * derived from the call: `…#create`, `…#update-<revision>`.
 */
export function callActivityDocument(kind: "Create" | "Update", call: CallView, ctx: CallMapperContext): JsonObject {
  const article = callArticle(call, ctx);
  return {
    "@context": [...callContext] as unknown as JsonObject,
    id: `${call.apId.href}#${kind === "Create" ? "create" : `update-${call.revision}`}`,
    type: kind,
    actor: call.collective.apId.href,
    published: (kind === "Create" ? (call.launchedAt ?? call.createdAt) : call.updatedAt).toString(),
    to: [publicAddress],
    cc: article.cc as string[],
    object: article,
  };
}

/**
 * `formerType` as a vocabulary term (see event-activity.mapper.ts): "Article" expands to the AS2 IRI
 * and stays "Article" for readers of the compact form.
 */
const tombstoneContext = [asContext, { formerType: { "@id": "as:formerType", "@type": "@vocab" } }];

function tombstone(id: URL, formerType: "Article" | "Note", deletedAt: Temporal.Instant): JsonObject {
  return { id: id.href, type: "Tombstone", formerType, deleted: deletedAt.toString() };
}

/** What a deleted call's (or change note's) URL answers, with 410. */
export function callTombstoneDocument(id: URL, formerType: "Article" | "Note", deletedAt: Temporal.Instant): JsonObject {
  return { "@context": tombstoneContext, ...tombstone(id, formerType, deletedAt) };
}

/** `Delete` of the call or of one of its change notes; id `<object>#delete`. */
export function callDeleteDocument(call: CallView, object: { id: URL; formerType: "Article" | "Note"; deletedAt: Temporal.Instant }, urls: Urls): JsonObject {
  return {
    "@context": tombstoneContext,
    id: `${object.id.href}#delete`,
    type: "Delete",
    actor: call.collective.apId.href,
    to: publicAddress,
    cc: urls.collectiveFollowers(call.collective.slug).href,
    object: tombstone(object.id, object.formerType, object.deletedAt),
  };
}

/**
 * The Note that tells followers what changed (Mastodon shows no Update of an Article), in every
 * language of the call, quoting it: `quote` (FEP-044f, Mastodon 4.4 and later show the call as a
 * card; a self-quote needs no authorization), `quoteUrl`/`_misskey_quote`/`quoteUri` for Misskey and
 * Fedibird forks, and an inline "RE:" link that servers which show the quote remove.
 */
export function callChangeNote(call: CallView, note: CallChangeNoteView, urls: Urls): JsonObject {
  const primary = call.collective.primaryLanguage;
  const link = escapeHtml(call.apId.href);
  const html = (text: string) => `${textToHtml(text)}<p class="quote-inline">RE: <a href="${link}">${link}</a></p>`;
  const content = withPlain(Object.fromEntries(Object.entries(note.text).map(([l, t]) => [l, html(t)])), primary);
  return {
    id: urls.callChangeNote(call.id, note.revision).href,
    type: "Note",
    attributedTo: call.collective.apId.href,
    to: [publicAddress],
    cc: [urls.collectiveFollowers(call.collective.slug).href],
    published: note.createdAt.toString(),
    content: content.plain,
    contentMap: content.map,
    url: call.apId.href,
    quote: call.apId.href,
    quoteUrl: call.apId.href,
    _misskey_quote: call.apId.href,
    quoteUri: call.apId.href,
    changeOf: call.apId.href,
    changeKind: note.kinds.map((k) => changeKindTerm[k]),
    tag: [],
  };
}

/** The change Note as a document, served at its URL. */
export function callChangeNoteDocument(call: CallView, note: CallChangeNoteView, urls: Urls): JsonObject {
  return { "@context": [...callContext] as unknown as JsonObject, ...callChangeNote(call, note, urls) };
}

/** `Create` of a change note; id `<note>#create`. */
export function callChangeNoteCreate(call: CallView, note: CallChangeNoteView, urls: Urls): JsonObject {
  const object = callChangeNote(call, note, urls);
  return {
    "@context": [...callContext] as unknown as JsonObject,
    id: `${object.id as string}#create`,
    type: "Create",
    actor: call.collective.apId.href,
    published: note.createdAt.toString(),
    to: [publicAddress],
    cc: object.cc as string[],
    object,
  };
}
