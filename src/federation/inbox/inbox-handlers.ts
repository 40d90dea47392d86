import type { Context, InboxContext } from "@fedify/fedify";
import { type Activity, type Delete, Follow, type Undo } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import { instanceIdentifier } from "../../shared/urls.ts";
import type { FederationDeps } from "../federation.ts";
import { remoteActorInfo } from "../mappers/collective.mapper.ts";

const logger = getLogger(["relais", "inbox"]);

/**
 * An activity is only believed for its own origin: its id and its actor must share the origin of the
 * key that signed it (Fedify has checked that the key belongs to the actor).
 */
function sameOriginAsActor(activity: Activity): boolean {
  const actor = activity.actorId;
  if (!actor) return false;
  return activity.id === null || activity.id.origin === actor.origin;
}

function blocked(deps: FederationDeps, activity: Activity): boolean {
  const host = activity.actorId?.hostname;
  return host !== undefined && deps.followers.isBlocked(host);
}

/** The HTTP status of a failed document fetch (Fedify's `FetchError` carries the response), if any. */
export function fetchErrorStatus(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== "FetchError") return undefined;
  const response = (error as Error & { response?: unknown }).response;
  return response instanceof Response ? response.status : undefined;
}

/** The collective a local actor URI points to, or null (unknown, or the instance actor). */
function collectiveSlug(ctx: InboxContext<void>, uri: URL | null): string | null {
  if (!uri) return null;
  const parsed = ctx.parseUri(uri);
  if (parsed?.type !== "actor" || parsed.identifier === instanceIdentifier) return null;
  return parsed.identifier;
}

export async function onFollow(ctx: InboxContext<void>, follow: Follow, deps: FederationDeps): Promise<void> {
  if (blocked(deps, follow) || !sameOriginAsActor(follow) || follow.id === null) {
    logger.info("ignored a Follow from {actor}: blocked, anonymous or from another origin", { actor: follow.actorId?.href });
    return;
  }
  const slug = collectiveSlug(ctx, follow.objectId);
  if (!slug) return;
  const actor = remoteActorInfo(await follow.getActor(ctx));
  if (!actor || actor.apId.href !== follow.actorId?.href) {
    logger.info("ignored a Follow whose actor {actor} could not be resolved", { actor: follow.actorId?.href });
    return;
  }
  const result = await deps.followers.receiveFollow({ slug, actor, followActivityId: follow.id.href });
  if (!result.ok) {
    logger.info("Follow of {slug} by {actor} refused: {reason}", { slug, actor: actor.apId.href, reason: result.reason });
    return;
  }
  logger.info("{actor} follows {slug} ({state})", { actor: actor.apId.href, slug, state: result.state });
}

export async function onUndo(ctx: InboxContext<void>, undo: Undo, deps: FederationDeps): Promise<void> {
  if (blocked(deps, undo) || !sameOriginAsActor(undo)) return;
  // The embedded object is only trusted when it comes from the same origin; Fedify re-fetches it otherwise.
  let object: Awaited<ReturnType<Undo["getObject"]>>;
  try {
    object = await undo.getObject(ctx);
  } catch (error) {
    // Its origin says it does not exist (4xx): nothing to undo, and retrying would not change that.
    // Anything else (5xx, network) may pass: Fedify retries the activity.
    const status = fetchErrorStatus(error);
    if (status === undefined || status < 400 || status >= 500) throw error;
    logger.info("ignored an Undo from {actor}: its object answered {status}", { actor: undo.actorId?.href, status });
    return;
  }
  if (!(object instanceof Follow)) return;
  if (object.actorId?.href !== undo.actorId?.href) return;
  const slug = collectiveSlug(ctx, object.objectId);
  if (!slug || !undo.actorId) return;
  const removed = await deps.followers.removeFollow(slug, undo.actorId.href);
  logger.info("{actor} unfollowed {slug} ({removed})", { actor: undo.actorId.href, slug, removed });
}

export async function onDelete(_ctx: InboxContext<void>, del: Delete, deps: FederationDeps): Promise<void> {
  // Only the deletion of the actor itself concerns us for now.
  if (!del.actorId || del.objectId?.href !== del.actorId.href) return;
  const removed = await deps.followers.removeActor(del.actorId.href);
  logger.info("{actor} was deleted: removed {removed} follow(s)", { actor: del.actorId.href, removed });
}

/** The `keyId` of a draft-cavage `Signature` or an RFC 9421 `Signature-Input` header. */
function signatureKeyId(headers: Headers): URL | undefined {
  const header = headers.get("signature-input") ?? headers.get("signature") ?? "";
  const m = /keyid="([^"]+)"/i.exec(header);
  return m?.[1] && URL.canParse(m[1]) ? new URL(m[1]) : undefined;
}

function idOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as { id?: unknown }).id === "string") {
    return (value as { id: string }).id;
  }
  return undefined;
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
  if (keyId.origin !== actorId.origin || deps.followers.isBlocked(actorId.hostname)) return undefined;
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
  const removed = await deps.followers.removeActor(actorId.href);
  logger.info("{actor} is gone ({status}): removed {removed} follow(s)", { actor: actorId.href, status, removed });
  return new Response(null, { status: 202 });
}
