import type { InboxContext } from "@fedify/fedify";
import type { Accept, Add, Create, Delete, Offer, Reject, Update } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import { match, paths } from "../../shared/paths.ts";
import { instanceIdentifier } from "../../shared/urls.ts";
import type { FederationDeps } from "../federation.ts";
import { receivedJson } from "../fedify-workarounds.ts";
import { readCallVersion } from "../cosign-call-reader.ts";
import { hasType, stampFacts } from "../mappers/cosign.mapper.ts";
import { idOf } from "../mappers/json-values.ts";
import type { JsonObject } from "../mappers/event.mapper.ts";
import { checkActorProof, type FetchedActor, fetchActor, signedGet } from "../object-proofs.ts";
import { decisionLog, ourPath, sameOrigin } from "./inbox-util.ts";

const decided = decisionLog(getLogger(["relais", "inbox", "cosign"]));

const fetchOpts = (deps: FederationDeps) => ({ allowPrivateAddresses: deps.allowPrivateAddresses });

/**
 * #1, at the invited collective's server: an invitation to sign one version of a call (an Offer typed
 * CosignRequest, FEDERATION.md). The version is fetched from the initiator's origin with a GET signed
 * by the invited collective (it is not public yet), its proof checked with the initiator's key, its
 * HTML checked unchanged by our sanitizer (what editors see is what they sign), then stored once.
 */
export async function onOffer(ctx: InboxContext<void>, offer: Offer, deps: FederationDeps): Promise<void> {
  const json = receivedJson(ctx);
  if (!json || !hasType(json, "CosignRequest")) return decided("Offer", "ignored: not an invitation to co-sign", offer);
  const actor = offer.actorId;
  const requestId = offer.id?.href;
  if (!actor || !requestId || !sameOrigin(requestId, actor)) return decided("CosignRequest", "ignored: no actor, or its id is not on its actor's origin", offer);
  const invited = match(paths.actor, ourPath(deps.origin, idOf(json.object)) ?? "");
  if (!invited) return decided("CosignRequest", "ignored: it invites no collective of ours", offer);
  const versionUrl = idOf(json.instrument);
  const signatoriesUrl = idOf(json.target);
  if (!versionUrl || !sameOrigin(versionUrl, actor) || !signatoriesUrl || !sameOrigin(signatoriesUrl, actor)) {
    return decided("CosignRequest", "refused: its version or its signatories are not on the initiator's origin", offer);
  }
  const slug = invited.identifier;
  const version = await readCallVersion(ctx, slug, new URL(versionUrl), actor, fetchOpts(deps));
  if (!version.ok) return decided("CosignRequest", `refused: ${version.reason}`, offer);
  const endTime = typeof json.endTime === "string" ? json.endTime : undefined;
  let expiresAt: Temporal.Instant | undefined;
  try {
    expiresAt = endTime ? Temporal.Instant.from(endTime) : undefined;
  } catch {
    expiresAt = undefined;
  }
  const stored = await deps.cosign.incomingInvitation({
    collectiveSlug: slug,
    requestId,
    initiator: version.initiator,
    signatoriesUrl,
    signable: version.signable,
    authoritativeLanguages: version.authoritativeLanguages,
    versionDocument: version.document,
    expiresAt,
  });
  decided("CosignRequest", stored.ok ? (stored.value.created ? `stored for @${slug}` : "already stored") : `refused: ${stored.reason}`, offer);
}

/**
 * #2 and #3, at the initiator's server: the answer to one of our invitations (its `object` is the
 * invitation's id). Returns false when the activity answers something else (a Follow). A signature is
 * listed only after its stamp was fetched from the signer's origin (so a revocation that overtook the
 * Accept wins) and its proof checked with the signer's key.
 */
export async function onCosignAnswer(ctx: InboxContext<void>, answer: Accept | Reject, accepted: boolean, deps: FederationDeps): Promise<boolean> {
  const json = receivedJson(ctx);
  const objectId = answer.objectId?.href ?? idOf(json?.object);
  const found = match(paths.callInvitation, ourPath(deps.origin, objectId) ?? "");
  if (!found) return false;
  const type = accepted ? "Accept of an invitation" : "Reject of an invitation";
  const actor = answer.actorId;
  if (!actor || (answer.id !== null && answer.id.origin !== actor.origin)) {
    decided(type, "ignored: no actor, or its id is not on its actor's origin", answer);
    return true;
  }
  const invitation = await deps.cosign.invitation(found.invitation);
  if (!invitation || invitation.callId !== found.id || invitation.partner.apId !== actor.href) {
    decided(type, "ignored: it answers no invitation of ours to that collective", answer);
    return true;
  }
  if (!accepted) {
    const outcome = await deps.cosign.incomingDecline(invitation.id, actor.href);
    decided(type, outcome.ok ? "declined (kept private)" : `ignored: ${outcome.reason}`, answer);
    return true;
  }
  const stampUrl = idOf(json?.result) ?? answer.resultIds[0]?.href;
  if (!stampUrl || !sameOrigin(stampUrl, actor)) {
    decided(type, "refused: its stamp is not on the signer's origin", answer);
    return true;
  }
  const checked = await fetchAndCheckStamp(ctx, invitation.collectiveSlug, new URL(stampUrl), actor, deps, {
    call: deps.urls.call(invitation.callId).href,
    signatories: deps.urls.callSignatories(invitation.callId).href,
  });
  if (!checked.ok) {
    decided(type, `refused: ${checked.reason}`, answer);
    return true;
  }
  const outcome = await deps.cosign.incomingSignature(invitation.id, checked.stamp);
  decided(type, outcome.ok ? `signature ${outcome.value.state === "current" ? "listed" : "kept pending reconfirmation"}` : `refused: ${outcome.reason}`, answer);
  return true;
}

/**
 * A stamp read from its signer's origin and checked (design §8, steps 3–5): a CosignAuthorization of
 * `signer` (attributedTo and interactionTarget), for this call and its signatories, with a valid proof
 * by a key the signer lists. What the service still checks: the invitation, and the digests.
 */
export async function fetchAndCheckStamp(
  ctx: InboxContext<void>,
  identifier: string,
  stampUrl: URL,
  signer: URL,
  deps: FederationDeps,
  expected: { call: string; signatories: string },
): Promise<
  | { ok: true; stamp: { stampId: string; signerApId: string; version: number; digests: { language: string; digest: string }[]; document: JsonObject }; signer: FetchedActor["info"] }
  | { ok: false; reason: string }
> {
  const fetched = await signedGet(ctx, identifier, stampUrl, fetchOpts(deps));
  if (!fetched.ok) return { ok: false, reason: fetched.status === 410 || fetched.status === 404 ? "its stamp is gone from the signer's origin (revoked)" : `its stamp could not be read (${fetched.reason})` };
  const facts = stampFacts(fetched.json);
  if (!facts || facts.id !== stampUrl.href) return { ok: false, reason: "its stamp is not a CosignAuthorization" };
  if (facts.signer !== signer.href) return { ok: false, reason: "its stamp is attributed to another actor" };
  if (facts.call !== expected.call || facts.target !== expected.signatories) return { ok: false, reason: "its stamp is for another call" };
  const actor = await fetchActor(ctx, identifier, signer, fetchOpts(deps));
  if (!actor.ok) return { ok: false, reason: `the signer could not be read (${actor.reason})` };
  const proof = checkActorProof(fetched.json, actor.actor);
  if (!proof.ok) return { ok: false, reason: `its stamp's ${proof.reason}` };
  return { ok: true, stamp: { stampId: facts.id, signerApId: signer.href, version: facts.version, digests: facts.digests, document: fetched.json }, signer: actor.actor.info };
}

/** #5, at the signer's server: the initiator listed one of our stamps. */
export async function onAdd(ctx: InboxContext<void>, add: Add, deps: FederationDeps): Promise<void> {
  const json = receivedJson(ctx);
  const actor = add.actorId;
  const stampId = match(paths.stamp, ourPath(deps.origin, add.objectId?.href ?? idOf(json?.object)) ?? "");
  if (!actor || !stampId) return decided("Add", "ignored: it adds nothing of ours", add);
  const outcome = await deps.cosign.incomingListed(stampId.id, actor.href);
  decided("Add", outcome.ok ? "our stamp is listed" : `ignored: ${outcome.reason}`, add);
  if (!outcome.ok) return;
  // Signed after the launch: the call is asked (from its origin) whether it is open, to boost it now.
  const waiting = await deps.cosign.awaitingLaunch(stampId.id);
  if (!waiting) return;
  const call = await signedGet(ctx, waiting.slug, new URL(waiting.callApId), fetchOpts(deps));
  if (call.ok && idOf(call.json) === waiting.callApId && idOf(call.json.attributedTo) === waiting.initiatorApId && call.json.callStatus === "Open") {
    const boosts = await deps.cosign.incomingLaunch(waiting.callApId, waiting.initiatorApId);
    decided("Add", `the call is open: ${boosts} boost(s) queued`, add);
  }
}

/**
 * #10 at a signer's server: the initiator's Create (or Update) of a call we signed, open: its launch.
 * Our stamps for it become public and each signing collective boosts it once (FEDERATION.md).
 * Anything else is left to the other Create/Update handlers.
 */
export async function onCallPublished(ctx: InboxContext<void>, activity: Create | Update, deps: FederationDeps): Promise<void> {
  const json = receivedJson(ctx);
  const object = json?.object;
  const actor = activity.actorId;
  if (!actor || typeof object !== "object" || object === null || Array.isArray(object)) return;
  const article = object as JsonObject;
  const callId = idOf(article);
  if (!hasType(article, "Article") || !callId || !sameOrigin(callId, actor) || idOf(article.attributedTo) !== actor.href || article.callStatus !== "Open") return;
  const boosts = await deps.cosign.incomingLaunch(callId, actor.href);
  if (boosts > 0) decided(activity.id?.href.endsWith("#create") ? "Create" : "Update", `a call we signed is open: ${boosts} boost(s) queued`, activity);
}

/**
 * #9 anywhere: a signer revokes its stamp (Delete of it, by the signer). Believed only when the stamp's
 * own origin confirms it (410 or 404): then the initiator unlists it, and every server that hears it
 * keeps the revocation. Returns false when the Delete is about something else (left to onDelete).
 */
export async function onStampDelete(ctx: InboxContext<void>, del: Delete, deps: FederationDeps): Promise<boolean> {
  const json = receivedJson(ctx);
  const object = json?.object;
  const stampId = del.objectId?.href ?? idOf(object);
  const actor = del.actorId;
  if (!actor || !stampId) return false;
  const embedded = typeof object === "object" && object !== null && !Array.isArray(object) ? (object as JsonObject) : undefined;
  const saysStamp = embedded !== undefined && typeof embedded.formerType === "string" && embedded.formerType.endsWith("CosignAuthorization");
  if (!saysStamp && !(await deps.cosign.isKnownStamp(stampId))) return false;
  if (!sameOrigin(stampId, actor) || (embedded && idOf(embedded.interactionTarget) !== undefined && idOf(embedded.interactionTarget) !== actor.href)) {
    decided("Delete of a stamp", "ignored: the stamp is not the sender's", del);
    return true;
  }
  const fetched = await signedGet(ctx, instanceIdentifier, new URL(stampId), fetchOpts(deps));
  if (fetched.ok || (fetched.status !== 410 && fetched.status !== 404)) {
    decided("Delete of a stamp", fetched.ok ? "ignored: its origin still serves it" : `not confirmed yet (${fetched.reason})`, del);
    if (!fetched.ok && fetched.status === undefined) throw new Error(`the stamp's origin could not be asked: ${fetched.reason}`); // retried
    return true;
  }
  const call = embedded ? idOf(embedded.interactingObject) : undefined;
  const { unlisted } = await deps.cosign.incomingRevocation(stampId, actor.href, call);
  decided("Delete of a stamp", unlisted > 0 ? "revoked: the signature is no longer listed" : "revocation kept", del);
  return true;
}
