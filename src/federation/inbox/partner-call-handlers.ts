import type { InboxContext } from "@fedify/fedify";
import type { Create, Delete, Update } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { PartnerCallStatus } from "../../modules/call/partner-call.entity.ts";
import type { LanguageMap } from "../../shared/language.ts";
import { match, paths } from "../../shared/paths.ts";
import type { FederationDeps } from "../federation.ts";
import { receivedJson } from "../fedify-workarounds.ts";
import type { JsonObject } from "../mappers/event.mapper.ts";
import { decisionLog, idOf, instant, isObject, languageMap } from "./inbox-util.ts";
import { ownObjectDeleted, partnerObjectRefusal } from "./partner-object.ts";

const decided = decisionLog(getLogger(["relais", "inbox"]));
const statuses: Record<string, PartnerCallStatus> = { Open: "open", Closed: "closed", Withdrawn: "withdrawn" };

/** The call's primary language: its first authoritative one, else the first of its `nameMap` (the primary, as sent). */
function primaryLanguage(article: JsonObject, title: LanguageMap): string {
  const authoritative = Array.isArray(article.authoritativeLanguages) ? article.authoritativeLanguages[0] : undefined;
  return typeof authoritative === "string" && authoritative in title ? authoritative : (Object.keys(title)[0] ?? "und");
}

/** A Relais call's id: `/calls/{id}` on its collective's server. */
const isCallId = (id: URL) => match(paths.call, id.pathname) !== undefined;

/**
 * Create or Update of a call to action (an Article at `/calls/{id}`, with `callStatus`) by a partner one
 * of our collectives follows: its title, status and signing deadline are kept for the collectives'
 * "request to sign" screens (FEDERATION.md, "Co-signed calls"). Only the call's own origin, by its
 * collective (`attributedTo`), in an activity whose id is on that origin, not blocked. Never exclusive:
 * the same Create may be the launch of a call we signed (onCallPublished), which runs beside it.
 */
export async function onPartnerCall(ctx: InboxContext<void>, activity: Create | Update, type: "Create" | "Update", deps: FederationDeps): Promise<void> {
  const actor = activity.actorId;
  const objectId = activity.objectId;
  if (!deps.partnerCalls || !actor || !objectId || !isCallId(objectId) || objectId.origin === deps.origin.origin) return;
  const json = receivedJson(ctx);
  const article = json && isObject(json.object) && idOf(json.object) === objectId.href ? json.object : undefined;
  if (article?.type !== "Article" || typeof article.callStatus !== "string") return;
  const what = `${type} of a partner's call`;
  const refusal = await partnerObjectRefusal(deps, activity.id, actor, objectId, idOf(article.attributedTo) ?? null);
  if (refusal) return decided(what, refusal, activity);
  const status = statuses[article.callStatus];
  if (!status) return decided(what, `ignored: not public (${article.callStatus})`, activity);
  const title = languageMap(article.nameMap, 500) ?? (typeof article.name === "string" ? { und: article.name } : undefined);
  const published = instant(article.published);
  if (!title || !published) return decided(what, "ignored: no title or publication date", activity);
  const url = typeof article.url === "string" && URL.canParse(article.url) && new URL(article.url).origin === actor.origin ? article.url : objectId.href;
  const outcome = await deps.partnerCalls.receive({
    apId: objectId.href,
    url,
    title,
    language: primaryLanguage(article, title),
    status,
    deadline: instant(article.deadline) ?? null,
    authorApId: actor.href,
    publishedAt: published,
    remoteUpdatedAt: instant(article.updated) ?? published,
  });
  decided(what, outcome === "stale" ? "ignored: older than the one kept" : `partner call ${outcome}`, activity);
}

/** Delete of a partner's call by its collective: it leaves the join screens. False when no such call is kept. */
export async function onPartnerCallDelete(del: Delete, deps: FederationDeps): Promise<boolean> {
  const deleted = ownObjectDeleted(del, isCallId);
  if (!deps.partnerCalls || !deleted) return false;
  const removed = await deps.partnerCalls.delete(deleted.actor.href, deleted.objectId.href);
  if (removed) decided("Delete of a partner's call", "removed", del);
  return removed;
}
