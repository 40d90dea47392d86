import type { ReceivedPartnerCall } from "../../modules/call/partner-calls.service.ts";
import type { PartnerCallStatus } from "../../modules/call/partner-call.entity.ts";
import type { LanguageMap } from "../../shared/language.ts";
import { match, paths } from "../../shared/paths.ts";
import { callContext } from "./call.mapper.ts";
import type { JsonObject } from "./event.mapper.ts";
import { idOf, instant, isObject, languageMap } from "./json-values.ts";

/**
 * A partner's call to action as the join screens keep it (FEDERATION.md "Co-signed calls", "A partner's
 * open calls"), read from an `Article`: one listed in its `<actor>/open-calls` collection (the backfill)
 * or the object of a Create/Update it sent (the inbox's onPartnerCall). Pure.
 */

const statuses: Record<string, PartnerCallStatus> = { Open: "open", Closed: "closed", Withdrawn: "withdrawn" };

/** The call's primary language: its first authoritative one, else the first of its `nameMap` (the primary, as sent). */
function primaryLanguage(article: JsonObject, title: LanguageMap): string {
  const authoritative = Array.isArray(article.authoritativeLanguages) ? article.authoritativeLanguages[0] : undefined;
  return typeof authoritative === "string" && authoritative in title ? authoritative : (Object.keys(title)[0] ?? "und");
}

/** A Relais call's id: `/calls/{id}` on its collective's server. */
export const isCallId = (id: URL) => match(paths.call, id.pathname) !== undefined;

/** Whether a JSON object is a Relais call (an Article with `callStatus`), so worth reading as one. */
export const isCallArticle = (v: unknown): v is JsonObject => isObject(v) && v.type === "Article" && typeof v.callStatus === "string";

export type PartnerCallRead = { readonly ok: true; readonly call: ReceivedPartnerCall } | { readonly ok: false; readonly reason: string };

/**
 * A call of `actor` from its Article: a `/calls/{id}` id on the actor's origin, `attributedTo` the actor,
 * a public `callStatus` (Open, Closed, Withdrawn), a title and a publication date; the reason otherwise.
 */
export function partnerCallFromArticle(article: JsonObject, actor: URL): PartnerCallRead {
  const id = idOf(article);
  if (!id || !URL.canParse(id) || !isCallId(new URL(id))) return { ok: false, reason: "not a call's id" };
  if (new URL(id).origin !== actor.origin || idOf(article.attributedTo) !== actor.href) return { ok: false, reason: "only the call's collective may" };
  const status = typeof article.callStatus === "string" ? statuses[article.callStatus] : undefined;
  if (!status) return { ok: false, reason: `not public (${String(article.callStatus)})` };
  const title = languageMap(article.nameMap, 500) ?? (typeof article.name === "string" ? { und: article.name } : undefined);
  const published = instant(article.published);
  if (!title || !published) return { ok: false, reason: "no title or publication date" };
  const url = typeof article.url === "string" && URL.canParse(article.url) && new URL(article.url).origin === actor.origin ? article.url : id;
  return {
    ok: true,
    call: {
      apId: id,
      url,
      title,
      language: primaryLanguage(article, title),
      status,
      deadline: instant(article.deadline) ?? null,
      authorApId: actor.href,
      publishedAt: published,
      remoteUpdatedAt: instant(article.updated) ?? published,
    },
  };
}

/** At most this many calls are listed in, and read from, an `open-calls` collection. */
export const openCallsLimit = 50;

/** A collective's open calls (`<actor>/open-calls`): one `OrderedCollection`, newest first, each call's Article whole (the calls' context). */
export function openCallsDocument(id: URL, collective: URL, articles: readonly JsonObject[]): JsonObject {
  const items = articles.slice(0, openCallsLimit).map((a) => {
    const { "@context": _c, ...rest } = a;
    return rest as JsonObject;
  });
  return { "@context": [...callContext] as unknown as JsonObject, id: id.href, type: "OrderedCollection", attributedTo: collective.href, totalItems: items.length, orderedItems: items };
}

/** The Articles an `open-calls` collection lists (its first `openCallsLimit` items; anything else is left out). */
export function openCallsItems(collection: JsonObject): JsonObject[] {
  const items = Array.isArray(collection.orderedItems) ? collection.orderedItems : Array.isArray(collection.items) ? collection.items : [];
  return items.slice(0, openCallsLimit).filter(isCallArticle);
}

/**
 * The open-calls collection an actor document lists in its `streams` (on the actor's own origin, its path
 * ending in `/open-calls`); undefined when it lists none: such a server is never asked for one (Gancio,
 * for one, logs every request it does not know).
 */
export function openCallsStream(actorDocument: JsonObject, actor: URL): URL | undefined {
  const streams = Array.isArray(actorDocument.streams) ? actorDocument.streams : [actorDocument.streams];
  for (const stream of streams) {
    const id = idOf(stream);
    if (!id || !URL.canParse(id)) continue;
    const url = new URL(id);
    if (url.origin === actor.origin && url.pathname.endsWith("/open-calls")) return url;
  }
  return undefined;
}
