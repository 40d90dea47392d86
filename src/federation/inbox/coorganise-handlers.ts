import type { InboxContext } from "@fedify/fedify";
import type { Accept, Add, Delete, Offer, Reject, Update } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import { essentialsDigest } from "../../modules/coorganise/event-essentials.ts";
import { match, paths } from "../../shared/paths.ts";
import { instanceIdentifier } from "../../shared/urls.ts";
import type { FederationDeps } from "../federation.ts";
import { receivedJson } from "../fedify-workarounds.ts";
import { coorganizeStampFacts, eventEssentialsFromJson } from "../mappers/coorganise.mapper.ts";
import { hasType } from "../mappers/cosign.mapper.ts";
import { idOf } from "../mappers/json-values.ts";
import type { JsonObject } from "../mappers/event.mapper.ts";
import { eventFromJson } from "../mappers/remote-event.mapper.ts";
import { checkActorProof, fetchActor, signedGet } from "../object-proofs.ts";
import { decisionLog, handledBy, ourPath, sameOrigin } from "./inbox-util.ts";

const decided = decisionLog(getLogger(["relais", "inbox", "coorganise"]));
const handled = handledBy(decided);

const fetchOpts = (deps: FederationDeps) => ({ allowPrivateAddresses: deps.allowPrivateAddresses });

/**
 * At the invited collective's server: an invitation to co-organise an event (an Offer typed
 * CoorganizeRequest). The event is read from the host's origin (a GET signed by the invited
 * collective), must be attributed to the inviting collective, and its essentials' digest is computed
 * here from what was read. Returns false for any other Offer (a co-signing request).
 */
export async function onCoorganizeOffer(ctx: InboxContext<void>, offer: Offer, deps: FederationDeps): Promise<boolean> {
  const json = receivedJson(ctx);
  if (!json || !hasType(json, "CoorganizeRequest")) return false;
  const type = "CoorganizeRequest";
  const actor = offer.actorId;
  const requestId = offer.id?.href;
  if (!actor || !requestId || !sameOrigin(requestId, actor)) return handled(type, "ignored: no actor, or its id is not on its actor's origin", offer);
  const invited = match(paths.actor, ourPath(deps.origin, idOf(json.object)) ?? "");
  if (!invited) return handled(type, "ignored: it invites no collective of ours", offer);
  const eventUrl = idOf(json.instrument);
  const coorganizersUrl = idOf(json.target);
  if (!eventUrl || !sameOrigin(eventUrl, actor) || !coorganizersUrl || !sameOrigin(coorganizersUrl, actor)) {
    return handled(type, "refused: its event or its co-organisers are not on the host's origin", offer);
  }
  const slug = invited.identifier;
  const fetched = await signedGet(ctx, slug, new URL(eventUrl), fetchOpts(deps));
  if (!fetched.ok) return handled(type, `not stored: its event could not be read (${fetched.reason})`, offer);
  const essentials = eventEssentialsFromJson(fetched.json);
  const parsed = eventFromJson(fetched.json);
  if (!essentials || !parsed.ok || essentials.event !== eventUrl || parsed.value.apId.href !== eventUrl) return handled(type, "refused: its event is not an Event at that URL", offer);
  if (essentials.host !== actor.href || parsed.value.organizerId.href !== actor.href) return handled(type, "refused: the event is not the inviting collective's own", offer);
  const host = await fetchActor(ctx, slug, actor, fetchOpts(deps));
  if (!host.ok) return handled(type, `not stored: the host could not be read (${host.reason})`, offer);
  let expiresAt: Temporal.Instant | undefined;
  try {
    expiresAt = typeof json.endTime === "string" ? Temporal.Instant.from(json.endTime) : undefined;
  } catch {
    expiresAt = undefined;
  }
  const { apId: _a, url, organizerId: _o, ...data } = parsed.value;
  const stored = await deps.coorganise.partner.incomingRequest({
    collectiveSlug: slug,
    requestId,
    host: host.actor.info,
    coorganizersUrl,
    eventApId: eventUrl,
    pageUrl: url?.href,
    event: data,
    digest: essentialsDigest(essentials),
    expiresAt,
  });
  decided(type, stored.ok ? (stored.value.created ? `stored for @${slug}` : "already stored") : `refused: ${stored.reason}`, offer);
  return true;
}

/**
 * At the host's server: the answer to one of our invitations (its `object` is the invitation's id).
 * Returns false when the activity answers something else. A co-organiser is listed only after its
 * stamp was fetched from its origin and its proof checked with its key; the service checks the digest.
 */
export async function onCoorganizeAnswer(ctx: InboxContext<void>, answer: Accept | Reject, accepted: boolean, deps: FederationDeps): Promise<boolean> {
  const json = receivedJson(ctx);
  const found = match(paths.eventCoorganizerInvitation, ourPath(deps.origin, answer.objectId?.href ?? idOf(json?.object)) ?? "");
  if (!found) return false;
  const type = accepted ? "Accept of an invitation to co-organise" : "Reject of an invitation to co-organise";
  const actor = answer.actorId;
  if (!actor || (answer.id !== null && answer.id.origin !== actor.origin)) return handled(type, "ignored: no actor, or its id is not on its actor's origin", answer);
  const { host } = deps.coorganise;
  const invitation = await host.invitation(found.invitation);
  if (!invitation || invitation.eventId !== found.id || invitation.partner.apId !== actor.href) {
    return handled(type, "ignored: it answers no invitation of ours to that collective", answer);
  }
  if (!accepted) {
    const outcome = await host.incomingDecline(invitation.id, actor.href);
    return handled(type, outcome.ok ? "declined (kept private)" : `ignored: ${outcome.reason}`, answer);
  }
  const stampUrl = idOf(json?.result) ?? answer.resultIds[0]?.href;
  if (!stampUrl || !sameOrigin(stampUrl, actor)) return handled(type, "refused: its stamp is not on the co-organiser's origin", answer);
  const fetched = await signedGet(ctx, invitation.collectiveSlug, new URL(stampUrl), fetchOpts(deps));
  if (!fetched.ok) {
    const gone = fetched.status === 410 || fetched.status === 404;
    return handled(type, `refused: ${gone ? "its stamp is gone from its origin (withdrawn)" : `its stamp could not be read (${fetched.reason})`}`, answer);
  }
  const facts = coorganizeStampFacts(fetched.json);
  if (!facts || facts.id !== stampUrl) return handled(type, "refused: its stamp is not a CoorganizeAuthorization", answer);
  if (facts.partner !== actor.href) return handled(type, "refused: its stamp is attributed to another actor", answer);
  if (facts.event !== deps.urls.event(invitation.eventId).href || facts.target !== deps.urls.eventCoorganizers(invitation.eventId).href) {
    return handled(type, "refused: its stamp is for another event", answer);
  }
  const partner = await fetchActor(ctx, invitation.collectiveSlug, actor, fetchOpts(deps));
  if (!partner.ok) return handled(type, `not listed: the co-organiser could not be read (${partner.reason})`, answer);
  const proof = checkActorProof(fetched.json, partner.actor);
  if (!proof.ok) return handled(type, `refused: its stamp's ${proof.reason}`, answer);
  const outcome = await host.incomingAccept(invitation.id, { stampId: facts.id, partnerApId: actor.href, digest: facts.digest, document: fetched.json });
  decided(type, outcome.ok ? `co-organiser listed (${outcome.value.state})` : `refused: ${outcome.reason}`, answer);
  return true;
}

/** At the invited collective's server: the host listed one of our stamps (its Add). False when the Add is about something else. */
export async function onCoorganizeAdd(_ctx: InboxContext<void>, add: Add, deps: FederationDeps): Promise<boolean> {
  const json = receivedJson(_ctx);
  const found = match(paths.stamp, ourPath(deps.origin, add.objectId?.href ?? idOf(json?.object)) ?? "");
  const actor = add.actorId;
  if (!found || !actor || !(await deps.coorganise.partner.stamp(found.id))) return false;
  const outcome = await deps.coorganise.partner.incomingListed(found.id, actor.href);
  decided("Add", outcome.ok ? "our co-organiser stamp is listed" : `ignored: ${outcome.reason}`, add);
  return true;
}

/**
 * A Delete, for co-organised events. At the host: a co-organiser withdraws (Delete of its stamp),
 * believed only when the stamp's origin answers 410 or 404 — returns true. At a co-organiser: the host
 * deleted an event we co-organise, believed when its origin says so — returns false, so that the
 * other Delete handlers (partner events) see it too.
 */
export async function onCoorganizeDelete(ctx: InboxContext<void>, del: Delete, deps: FederationDeps): Promise<boolean> {
  const json = receivedJson(ctx);
  const object = json?.object;
  const objectId = del.objectId?.href ?? idOf(object);
  const actor = del.actorId;
  if (!actor || !objectId || !sameOrigin(objectId, actor)) return false;
  const embedded = typeof object === "object" && object !== null && !Array.isArray(object) ? (object as JsonObject) : undefined;
  const saysStamp = typeof embedded?.formerType === "string" && embedded.formerType.endsWith("CoorganizeAuthorization");
  const { host, partner } = deps.coorganise;
  if (saysStamp || (await host.isKnownStamp(objectId))) {
    if (embedded && idOf(embedded.interactionTarget) !== undefined && idOf(embedded.interactionTarget) !== actor.href) {
      return handled("Delete of a co-organiser stamp", "ignored: the stamp is not the sender's", del);
    }
    const fetched = await signedGet(ctx, instanceIdentifier, new URL(objectId), fetchOpts(deps));
    if (fetched.ok || (fetched.status !== 410 && fetched.status !== 404)) {
      decided("Delete of a co-organiser stamp", fetched.ok ? "ignored: its origin still serves it" : `not confirmed yet (${fetched.reason})`, del);
      if (!fetched.ok && fetched.status === undefined) throw new Error(`the stamp's origin could not be asked: ${fetched.reason}`); // retried
      return true;
    }
    const { unlisted } = await host.incomingRevocation(objectId, actor.href);
    return handled("Delete of a co-organiser stamp", unlisted > 0 ? "withdrawn: the co-organiser is no longer listed" : "nothing listed with it", del);
  }
  if (await partner.isCoorganised(objectId, actor.href)) {
    const fetched = await signedGet(ctx, instanceIdentifier, new URL(objectId), fetchOpts(deps));
    if (!fetched.ok && (fetched.status === 410 || fetched.status === 404)) {
      const n = await partner.incomingEventChanged(objectId, actor.href, "deleted");
      decided("Delete", `a co-organised event was deleted by its host (${n} cop${n === 1 ? "y" : "ies"})`, del);
    }
  }
  return false;
}

/**
 * At a co-organiser's server: the host changed an event we co-organise. The event is read again from
 * its origin (what the activity embeds is not needed), and our copies follow it.
 */
export async function onCoorganisedEventUpdate(ctx: InboxContext<void>, update: Update, deps: FederationDeps): Promise<void> {
  const json = receivedJson(ctx);
  const actor = update.actorId;
  const eventId = update.objectId?.href ?? idOf(json?.object);
  if (!actor || !eventId || !sameOrigin(eventId, actor)) return;
  const { partner } = deps.coorganise;
  if (!(await partner.isCoorganised(eventId, actor.href))) return;
  const fetched = await signedGet(ctx, instanceIdentifier, new URL(eventId), fetchOpts(deps));
  if (!fetched.ok) {
    if (fetched.status === undefined) throw new Error(`the event's origin could not be asked: ${fetched.reason}`); // retried
    return decided("Update", `a co-organised event could not be read again (${fetched.reason})`, update);
  }
  const parsed = eventFromJson(fetched.json);
  if (!parsed.ok || parsed.value.apId.href !== eventId || parsed.value.organizerId.href !== actor.href) return decided("Update", "ignored: the co-organised event's origin serves something else", update);
  const { apId: _a, url: _u, organizerId: _o, ...data } = parsed.value;
  const n = await partner.incomingEventChanged(eventId, actor.href, data);
  decided("Update", `a co-organised event changed (${n} cop${n === 1 ? "y" : "ies"} refreshed)`, update);
}
