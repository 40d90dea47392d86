import type { InboxContext } from "@fedify/fedify";
import type { Create, Delete, Update } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import { match, paths } from "../../shared/paths.ts";
import { instanceIdentifier } from "../../shared/urls.ts";
import type { FederationDeps } from "../federation.ts";
import { receivedJson } from "../fedify-workarounds.ts";
import type { JsonObject } from "../mappers/remote-event.mapper.ts";
import { fetchErrorStatus } from "./inbox-handlers.ts";
import { decisionLog, handledBy, idOf, instant, isObject, languageMap } from "./inbox-util.ts";
import { ownObjectDeleted, partnerObjectRefusal } from "./partner-object.ts";

const decided = decisionLog(getLogger(["relais", "inbox"]));
/** Logs the decision on an activity this handler owns; true: no other handler is to see it. */
const handled = handledBy(decided);

/** A Relais action kit's id: `/kits/{id}` on its author's server. */
const isKitId = (id: URL) => match(paths.actionKit, id.pathname) !== undefined;

/**
 * Create or Update of an action kit (an Article at `/kits/{id}`) by a partner one of our collectives
 * follows: its public fields are kept to be listed on our public pages (FEDERATION.md, "Action kits").
 * Only the kit's own origin may; its country, institution and title are read from its `<kit>/text.json`
 * (a signed GET from the instance actor), whose `id` and `attributedTo` must be the Article's. Returns
 * false when the activity is not about a kit (left to the other handlers).
 */
export async function onPartnerKit(ctx: InboxContext<void>, activity: Create | Update, type: "Create" | "Update", deps: FederationDeps): Promise<boolean> {
  const actor = activity.actorId;
  const objectId = activity.objectId;
  if (!deps.actionkits || !actor || !objectId || !isKitId(objectId)) return false;
  const json = receivedJson(ctx);
  const article = json && isObject(json.object) && idOf(json.object) === objectId.href ? json.object : undefined;
  if (article && article.type !== "Article") return false;
  const what = `${type} of an action kit`;
  // Its author is checked against its text, fetched from its origin below.
  const refusal = await partnerObjectRefusal(deps, activity.id, actor, objectId, undefined);
  if (refusal) return handled(what, refusal, activity);
  const load = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
  let text: JsonObject;
  try {
    const { document } = await load(deps.urls.actionKitText(objectId).href);
    if (!isObject(document)) return handled(what, "ignored: its text is not a JSON object", activity);
    text = document;
  } catch (error) {
    const status = fetchErrorStatus(error);
    if (status !== undefined && status >= 400 && status < 500) return handled(what, `ignored: its text answered ${status}`, activity);
    throw error; // network, 5xx: Fedify retries the activity
  }
  if (text.id !== objectId.href || text.attributedTo !== actor.href) return handled(what, "ignored: its text is not that kit's, by its actor", activity);
  const title = languageMap(text.title);
  if (!title) return handled(what, "ignored: its text has no title", activity);
  let authorName: string | undefined;
  try {
    const { document } = await load(actor.href);
    if (isObject(document)) authorName = typeof document.name === "string" ? document.name : typeof document.preferredUsername === "string" ? document.preferredUsername : undefined;
  } catch {
    // The name is only shown; the kit keeps its link.
  }
  const url = article && typeof article.url === "string" && URL.canParse(article.url) && new URL(article.url).origin === actor.origin ? article.url : objectId.href;
  const outcome = await deps.actionkits.receivePartnerKit({
    apId: objectId.href,
    url,
    title,
    country: typeof text.country === "string" ? text.country : null,
    institution: languageMap(text.institution) ?? null,
    authorApId: actor.href,
    authorName: authorName ?? null,
    publishedAt: instant(article?.published) ?? Temporal.Now.instant(),
    remoteUpdatedAt: instant(article?.updated) ?? null,
  });
  decided(what, outcome === "stale" ? "ignored: an older version, or not its author's" : `partner kit ${outcome}`, activity);
  return true;
}

/**
 * Delete of a partner's kit by its author: it leaves our pages. False when it is no kit kept here; true,
 * changing nothing, when the Delete's id is not on its author's origin.
 */
export async function onPartnerKitDelete(del: Delete, deps: FederationDeps): Promise<boolean> {
  const deleted = ownObjectDeleted(del, isKitId);
  if (!deps.actionkits || !deleted) return false;
  if (deleted.refusal) return handled("Delete of an action kit", deleted.refusal, del);
  const removed = await deps.actionkits.deletePartnerKit(deleted.actor.href, deleted.objectId.href);
  if (removed) decided("Delete of an action kit", "a partner kit was deleted by its origin", del);
  return removed;
}
