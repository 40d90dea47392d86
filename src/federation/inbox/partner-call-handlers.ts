import type { InboxContext } from "@fedify/fedify";
import type { Create, Delete, Update } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { FederationDeps } from "../federation.ts";
import { receivedJson } from "../fedify-workarounds.ts";
import { isCallArticle, isCallId, partnerCallFromArticle } from "../mappers/partner-call.mapper.ts";
import { decisionLog, idOf } from "./inbox-util.ts";
import { ownObjectDeleted, partnerObjectRefusal } from "./partner-object.ts";

const decided = decisionLog(getLogger(["relais", "inbox"]));

/**
 * Create or Update of a call to action (an Article at `/calls/{id}`, with `callStatus`) by a partner one
 * of our collectives follows: its title, status and signing deadline are kept for the collectives'
 * "request to sign" screens (FEDERATION.md, "Co-signed calls"). Only the call's own origin, by its
 * collective (`attributedTo`), in an activity whose id is on that origin, not blocked; the Article is read
 * by the same mapper as the backfill's (partner-call.mapper.ts). Never exclusive: the same Create may be
 * the launch of a call we signed (onCallPublished), which runs beside it.
 */
export async function onPartnerCall(ctx: InboxContext<void>, activity: Create | Update, type: "Create" | "Update", deps: FederationDeps): Promise<void> {
  const actor = activity.actorId;
  const objectId = activity.objectId;
  if (!deps.partnerCalls || !actor || !objectId || !isCallId(objectId) || objectId.origin === deps.origin.origin) return;
  const json = receivedJson(ctx);
  const article = json && isCallArticle(json.object) && idOf(json.object) === objectId.href ? json.object : undefined;
  if (!article) return;
  const what = `${type} of a partner's call`;
  const refusal = await partnerObjectRefusal(deps, activity.id, actor, objectId, idOf(article.attributedTo) ?? null);
  if (refusal) return decided(what, refusal, activity);
  const read = partnerCallFromArticle(article, actor);
  if (!read.ok) return decided(what, `ignored: ${read.reason}`, activity);
  const outcome = await deps.partnerCalls.receive(read.call);
  decided(what, outcome === "stale" ? "ignored: older than the one kept" : `partner call ${outcome}`, activity);
}

/**
 * Delete of a partner's call by its collective: it leaves the join screens. False when no such call is kept;
 * true, changing nothing, when the Delete's id is not on its collective's origin.
 */
export async function onPartnerCallDelete(del: Delete, deps: FederationDeps): Promise<boolean> {
  const deleted = ownObjectDeleted(del, isCallId);
  if (!deps.partnerCalls || !deleted) return false;
  const what = "Delete of a partner's call";
  if (deleted.refusal) {
    decided(what, deleted.refusal, del);
    return true;
  }
  const removed = await deps.partnerCalls.delete(deleted.actor.href, deleted.objectId.href);
  if (removed) decided(what, "removed", del);
  return removed;
}
