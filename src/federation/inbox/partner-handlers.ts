import { hasProofLike, hasSignatureLike, type InboxContext } from "@fedify/fedify";
import { type Accept, type Activity, type Announce, type Create, getTypeId, type Reject, type Update } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import { instanceIdentifier } from "../../shared/urls.ts";
import type { FederationDeps } from "../federation.ts";
import { receivedJson } from "../fedify-workarounds.ts";
import { eventFromJson, type JsonObject } from "../mappers/remote-event.mapper.ts";
import { fetchErrorStatus } from "./inbox-handlers.ts";
import { decisionLog, idOf, instant, isObject } from "./inbox-util.ts";
import type { ForwardableActivity } from "../../modules/partner/partner.types.ts";

const decided = decisionLog(getLogger(["relais", "inbox"]));

const hasType = (o: JsonObject, ...names: string[]) =>
  (Array.isArray(o.type) ? o.type : [o.type]).some((t) => typeof t === "string" && names.includes(t.slice(Math.max(t.lastIndexOf("#"), t.lastIndexOf(":")) + 1)));

/** Whether what an activity involves is blocked instance-wide (queued before the block, or announced from there). */
async function blocked(deps: FederationDeps, ...urls: URL[]): Promise<boolean> {
  const rules = await deps.blocks.rules();
  return urls.some((u) => rules.blocksActor(u));
}

/** Accept or Reject of one of our Follows: the partner's state. */
export async function onFollowAnswer(ctx: InboxContext<void>, answer: Accept | Reject, accepted: boolean, deps: FederationDeps): Promise<void> {
  const type = accepted ? "Accept" : "Reject";
  const actor = answer.actorId;
  if (!actor || (answer.id !== null && answer.id.origin !== actor.origin)) return decided(type, "ignored: no actor, or its id is not on its actor's origin", answer);
  const json = receivedJson(ctx);
  const object = json?.object;
  const slug = await deps.partners.answered({
    actorApId: actor.href,
    followActivityId: answer.objectId?.href ?? idOf(object),
    collectiveApId: isObject(object) ? idOf(object.actor) : undefined,
    accepted,
  });
  decided(type, slug ? `${accepted ? "accepted" : "rejected"} the follow of @${slug}` : "ignored: it answers no follow of ours", answer);
}

/** A document from its own origin, through the instance actor's signed loader; the value of failures. */
async function fetchFromOrigin(ctx: InboxContext<void>, id: URL): Promise<{ ok: true; json: JsonObject } | { ok: false; reason: string }> {
  const load = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
  try {
    const { document } = await load(id.href);
    if (!isObject(document)) return { ok: false, reason: "its object is not a JSON object" };
    // The origin must describe its own object: a redirect elsewhere, or another id, is not believed.
    if (idOf(document) !== id.href) return { ok: false, reason: "its object's origin answered with another object" };
    return { ok: true, json: document };
  } catch (error) {
    const status = fetchErrorStatus(error);
    if (status !== undefined && status >= 400 && status < 500) return { ok: false, reason: `its object answered ${status} on its origin` };
    throw error; // network, 5xx: Fedify retries the activity
  }
}

/** The Event inside a document: the document itself, or the event a same-origin Create/Update embeds. */
function unwrapEvent(document: JsonObject): JsonObject {
  if (hasType(document, "Create", "Update") && isObject(document.object)) {
    const inner = document.object;
    const outerId = idOf(document);
    const innerId = idOf(inner);
    if (outerId && innerId && URL.canParse(outerId) && URL.canParse(innerId) && new URL(outerId).origin === new URL(innerId).origin) return inner;
  }
  return document;
}

/**
 * Create or Update of an Event by its origin (Relais, Mobilizon, Gancio): stored or changed for every
 * collective that follows the sender. Only an actor of the event's own origin may; the embedded event is
 * read as received when Fedify kept the JSON, else fetched from its origin. Anything else a followed
 * actor creates (a Mastodon Note) is acknowledged and left alone.
 */
export async function onCreateOrUpdate(ctx: InboxContext<void>, activity: Create | Update, type: "Create" | "Update", deps: FederationDeps): Promise<void> {
  const actor = activity.actorId;
  const objectId = activity.objectId;
  if (!actor || !objectId) return decided(type, "ignored: no actor or no object", activity);
  if (await blocked(deps, actor, objectId)) return decided(type, "ignored: its actor or its object's server is blocked", activity);
  if (activity.id !== null && activity.id.origin !== actor.origin) return decided(type, "ignored: its id is not on its actor's origin", activity);
  if (objectId.origin !== actor.origin) return decided(type, "ignored: only the object's own origin may create or change it", activity);
  const known = (await deps.partners.isListeningTo(actor.href)) || (await deps.partners.holds(objectId.href));
  if (!known) return decided(type, "ignored: nobody here follows its actor", activity);

  let document: JsonObject | undefined;
  const json = receivedJson(ctx);
  if (json && isObject(json.object) && idOf(json.object) === objectId.href) {
    if (!hasType(json.object, "Event")) return decided(type, "ignored: not an event", activity);
    document = json;
  } else {
    const fetched = await fetchFromOrigin(ctx, objectId);
    if (!fetched.ok) return decided(type, `ignored: ${fetched.reason}`, activity);
    if (!hasType(fetched.json, "Event")) return decided(type, "ignored: not an event", activity);
    document = fetched.json;
  }
  // The origin's own signed Update is forwarded, as it arrived, to the followers of the collectives that
  // relayed the event, when it changed something (queued with the change: FEDERATION.md, "Relay").
  await receive(type, activity, document, "create", deps, type === "Update" ? forwardable(json, activity) : undefined);
}

/** The activity as it arrived, when it carries a signature or proof that survives forwarding (else none is forwarded). */
function forwardable(json: JsonObject | undefined, activity: Activity): ForwardableActivity | undefined {
  if (!json || !(hasSignatureLike(json) || hasProofLike(json))) return undefined;
  return { json: JSON.stringify(json), id: activity.id?.href, type: getTypeId(activity).href };
}

/**
 * Announce of an event by a followed actor (a Mobilizon group, a Relais collective relaying a partner):
 * the event is read from the announcer's document only when it is the announcer's own, otherwise it is
 * fetched from its origin.
 */
export async function onAnnounce(ctx: InboxContext<void>, announce: Announce, deps: FederationDeps): Promise<void> {
  const actor = announce.actorId;
  const objectId = announce.objectId;
  if (!actor || !objectId) return decided("Announce", "ignored: no actor or no object", announce);
  if (await blocked(deps, actor, objectId)) return decided("Announce", "ignored: its actor or its object's server is blocked", announce);
  if (announce.id !== null && announce.id.origin !== actor.origin) return decided("Announce", "ignored: its id is not on its actor's origin", announce);
  if (objectId.origin === deps.urls.origin.origin) return decided("Announce", "ignored: it announces something of ours", announce);
  if (!(await deps.partners.isListeningTo(actor.href))) return decided("Announce", "ignored: nobody here follows its actor", announce);
  const json = receivedJson(ctx);
  let document: JsonObject;
  if (objectId.origin === actor.origin && json && isObject(json.object) && idOf(json.object) === objectId.href) {
    document = unwrapEvent(json.object);
  } else {
    const fetched = await fetchFromOrigin(ctx, objectId);
    if (!fetched.ok) return decided("Announce", `ignored: ${fetched.reason}`, announce);
    document = unwrapEvent(fetched.json);
  }
  // A group that announces its members' activities (Mobilizon) announces their Deletes too.
  if (hasType(document, "Delete") && objectId.origin === actor.origin) {
    const deleted = idOf(document.object);
    if (deleted && URL.canParse(deleted) && new URL(deleted).origin === actor.origin) return onDeleteObject(announce, actor, new URL(deleted), deps);
  }
  if (!hasType(document, "Event")) return decided("Announce", "ignored: it does not announce an event", announce);
  await receive("Announce", announce, document, "announce", deps);
}

/** Stores the event (and queues the forward of `forward` when it changed it). */
async function receive(type: string, activity: Activity, document: JsonObject, path: "create" | "announce", deps: FederationDeps, forward?: ForwardableActivity): Promise<void> {
  const read = eventFromJson(document);
  if (!read.ok) return decided(type, `ignored: the event cannot be used (${read.reason})`, activity);
  const event = read.value;
  const object = hasType(document, "Event") ? document : isObject(document.object) ? document.object : {};
  const updated = instant(object.updated);
  const result = await deps.partners.receiveEvent({
    senderApId: activity.actorId as URL,
    path,
    event,
    remoteUpdatedAt: updated,
    forward,
  });
  if (!result.ok) return decided(type, `ignored: ${result.reason}`, activity);
  const relayed = result.relayed ? `, relayed by ${result.relayed}` : "";
  const forwarded = result.forwarded ? `, its Update forwarded via ${result.forwarded}` : "";
  decided(type, `event ${result.outcome} for ${result.collectives} collective(s)${relayed}${forwarded}`, activity);
}

/** Delete of an object that is not an actor: a partner event, deleted by its origin only. */
export async function onDeleteObject(del: Activity, actor: URL, objectId: URL, deps: FederationDeps): Promise<void> {
  const deleted = await deps.partners.deleteEvent(actor, objectId);
  decided("Delete", deleted ? "a partner event was deleted by its origin" : "ignored: no partner event of its actor's origin", del);
}
