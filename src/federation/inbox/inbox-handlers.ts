import type { Context, InboxContext } from "@fedify/fedify";
import { type Activity, type Delete, Follow, type Undo } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import { instanceIdentifier } from "../../shared/urls.ts";
import type { FederationDeps } from "../federation.ts";
import { forgetGoneActor } from "../gone-actors.ts";
import { remoteActorInfo } from "../mappers/collective.mapper.ts";
import { idOf, signatureKeyId } from "./activity-document.ts";
import { decisionLog } from "./inbox-util.ts";
import { onDeleteObject } from "./partner-handlers.ts";

const logger = getLogger(["relais", "inbox"]);

const decided = decisionLog(logger);

/**
 * An activity is only believed for its own origin: its id and its actor must share the origin of the
 * key that signed it (Fedify has checked that the key belongs to the actor), and neither the actor nor
 * its server may be blocked instance-wide (the inbox refuses those before anything is queued; this
 * catches what was queued before the block). Returns the actor, or logs why not and returns null.
 */
async function believable(deps: FederationDeps, type: string, activity: Activity): Promise<URL | null> {
  const actor = activity.actorId;
  let problem: string | undefined;
  if (!actor) problem = "ignored: it names no actor";
  else if ((await deps.blocks.rules()).blocksActor(actor)) problem = "ignored: its actor is blocked";
  else if (activity.id !== null && activity.id.origin !== actor.origin) problem = "ignored: its id is not on its actor's origin";
  if (problem) decided(type, problem, activity);
  return problem === undefined ? actor : null;
}

/** The HTTP status of a failed document fetch (Fedify's `FetchError` carries the response), if any. */
export function fetchErrorStatus(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== "FetchError") return undefined;
  const response = (error as Error & { response?: unknown }).response;
  return response instanceof Response ? response.status : undefined;
}

/**
 * The local actor a URI points to, as followers know it: a collective's slug, or `relais.instance` for
 * the instance actor (the instance-wide relay); null otherwise.
 */
function followable(ctx: InboxContext<void>, uri: URL | null): string | null {
  if (!uri) return null;
  const parsed = ctx.parseUri(uri);
  return parsed?.type === "actor" ? parsed.identifier : null;
}

export async function onFollow(ctx: InboxContext<void>, follow: Follow, deps: FederationDeps): Promise<void> {
  const actorId = await believable(deps, "Follow", follow);
  if (!actorId) return;
  if (follow.id === null) return decided("Follow", "ignored: it has no id to answer", follow);
  const slug = followable(ctx, follow.objectId);
  if (!slug) return decided("Follow", "ignored: its object is not an actor of this instance", follow);
  const actor = remoteActorInfo(await follow.getActor(ctx));
  if (!actor || actor.apId.href !== actorId.href) {
    return decided("Follow", "ignored: its actor could not be resolved to a usable actor", follow, { slug });
  }
  const result = await deps.followers.receiveFollow({ slug, actor, followActivityId: follow.id.href });
  if (!result.ok) return decided("Follow", `refused: ${result.reason}`, follow, { slug });
  decided("Follow", `${result.state}${result.created ? " (new follower)" : ""}`, follow, { slug });
}

export async function onUndo(ctx: InboxContext<void>, undo: Undo, deps: FederationDeps): Promise<void> {
  const actor = await believable(deps, "Undo", undo);
  if (!actor) return;
  // By the id of the Follow we stored: some servers embed their Follow without its actor (Gancio) or
  // send its id alone. Only the Undo's actor's own follow goes, and only for a Follow id of its origin.
  const objectId = undo.objectId;
  if (objectId !== null && objectId.origin === actor.origin) {
    const slug = await deps.followers.removeFollowByActivityId(actor.href, objectId.href);
    if (slug) return decided("Undo", "unfollowed (matched by the Follow's id)", undo, { slug });
    // An initiator withdrawing its invitation to co-sign (design #4): the request is named by its id.
    const withdrawal = await deps.cosign.incomingWithdrawal(objectId.href, actor.href);
    if (withdrawal.ok) return decided("Undo", `invitation to co-sign withdrawn (${withdrawal.value.withdrawn} pending)`, undo);
  }
  // Otherwise by what the Follow says. The embedded object is only trusted when it comes from the same
  // origin; Fedify re-fetches it otherwise.
  let object: Awaited<ReturnType<Undo["getObject"]>>;
  try {
    object = await undo.getObject(ctx);
  } catch (error) {
    // Its origin says it does not exist (4xx): nothing to undo, and retrying would not change that.
    // Anything else (5xx, network) may pass: Fedify retries the activity.
    const status = fetchErrorStatus(error);
    if (status === undefined || status < 400 || status >= 500) throw error;
    return decided("Undo", `ignored: its object answered ${status}`, undo);
  }
  if (!(object instanceof Follow)) return decided("Undo", "ignored: its object is not a Follow we know", undo);
  if (object.actorId === null) return decided("Undo", "ignored: its Follow names no actor and its id matches no follow of this actor", undo);
  if (object.actorId.href !== actor.href) return decided("Undo", "ignored: its Follow is another actor's", undo);
  const slug = followable(ctx, object.objectId);
  if (!slug) return decided("Undo", "ignored: its Follow's object is not an actor of this instance", undo);
  const removed = await deps.followers.removeFollow(slug, actor.href);
  decided("Undo", removed ? "unfollowed" : "nothing to undo: not a follower", undo, { slug });
}

export async function onDelete(_ctx: InboxContext<void>, del: Delete, deps: FederationDeps): Promise<void> {
  const actor = await believable(deps, "Delete", del);
  if (!actor) return;
  // The deletion of a partner's event (only its origin may), or of the actor itself.
  if (del.objectId === null) return decided("Delete", "ignored: it names no object", del);
  if (del.objectId.href !== actor.href) return onDeleteObject(del, actor, del.objectId, deps);
  const gone = await forgetGoneActor(deps, actor.href);
  decided("Delete", `actor deleted: removed ${gone.follows} follow(s), ${gone.partners} partner follow(s), ${gone.events} partner event(s)${gone.signatures ? `, ${gone.signatures} co-signature(s) unlisted` : ""}`, del);
}

/**
 * A deleted actor's key goes with it, so Fedify cannot tie the signature of its `Delete` to the actor
 * any more and answers 401: either the key cannot be fetched, or it verifies from Fedify's key cache
 * (kept without expiry) but the actor document that should list it answers 410. Such a Delete is
 * believed only when the actor's own server says so: the Delete must be signed with a key on the
 * actor's origin, and a signed GET of the actor must answer 404 or 410. Then its follows go (202).
 * `request` is a copy of the refused request; undefined keeps Fedify's answer.
 */
export async function acceptDeleteOfGoneActor(
  ctx: Context<void>,
  request: Request,
  deps: FederationDeps,
): Promise<Response | undefined> {
  const keyId = signatureKeyId(request.headers);
  if (!keyId) return undefined;
  let activity: Record<string, unknown>;
  try {
    activity = JSON.parse(await request.text()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const actor = idOf(activity.actor);
  if (activity.type !== "Delete" || !actor || idOf(activity.object) !== actor || !URL.canParse(actor)) return undefined;
  const actorId = new URL(actor);
  if (keyId.origin !== actorId.origin || (await deps.blocks.rules()).blocksActor(actorId)) return undefined;
  // Signed (servers in authorized-fetch mode refuse anonymous GETs), never cached, private addresses
  // refused unless configured otherwise.
  const load = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
  let status: number | undefined;
  try {
    await load(actorId.href);
    return undefined; // the actor still exists: the signature should have been valid
  } catch (error) {
    status = fetchErrorStatus(error);
  }
  if (status !== 404 && status !== 410) return undefined;
  const gone = await forgetGoneActor(deps, actorId.href);
  logger.info("Delete: a deleted actor's server says it is gone ({status}): removed {removed} follow(s), {partners} partner follow(s), {events} partner event(s)", {
    status,
    removed: gone.follows,
    partners: gone.partners,
    events: gone.events,
  });
  logger.debug("{actor} is gone ({status})", { actor: actorId.href, status });
  return new Response(null, { status: 202 });
}
