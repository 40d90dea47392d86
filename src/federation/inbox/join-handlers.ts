import type { InboxContext } from "@fedify/fedify";
import type { Create, Reject } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import { match, paths } from "../../shared/paths.ts";
import type { FederationDeps } from "../federation.ts";
import { receivedJson } from "../fedify-workarounds.ts";
import { fetchAndCheckStamp } from "./cosign-handlers.ts";
import { decisionLog, idOf, ourPath, sameOrigin } from "./inbox-util.ts";

const decided = decisionLog(getLogger(["relais", "inbox", "cosign"]));

/**
 * #6 at the initiator's server: a collective asks to sign one of our open calls, a `Create` whose
 * `object` is its stamp (on its own origin) and whose `target` is the call's signatories. The stamp is
 * fetched from the requester's origin with a GET signed by the call's collective and checked (type,
 * attribution, call, target, proof) before anything is stored; the service checks the digests and
 * applies the call's policy. Returns false when the Create is something else.
 */
export async function onJoinRequest(ctx: InboxContext<void>, create: Create, deps: FederationDeps): Promise<boolean> {
  const json = receivedJson(ctx);
  const found = match(paths.callSignatories, ourPath(deps.origin, idOf(json?.target)) ?? "");
  if (!found || !deps.joins) return false;
  const type = "Create of a stamp (join request)";
  const actor = create.actorId;
  const stampUrl = idOf(json?.object);
  const activityId = create.id?.href;
  if (!actor || !activityId || !sameOrigin(activityId, actor) || !stampUrl || !sameOrigin(stampUrl, actor)) {
    decided(type, "ignored: its id or its stamp is not on its actor's origin", create);
    return true;
  }
  const call = await deps.joins.joinable(found.id);
  if (!call) {
    decided(type, "ignored: no open call of ours", create);
    return true;
  }
  const checked = await fetchAndCheckStamp(ctx, call.slug, new URL(stampUrl), actor, deps, { call: deps.urls.call(found.id).href, signatories: deps.urls.callSignatories(found.id).href });
  if (!checked.ok) {
    decided(type, `refused: ${checked.reason}`, create);
    return true;
  }
  const s = checked.signer;
  const outcome = await deps.joins.incomingJoin({
    callId: found.id,
    activityId,
    requester: { apId: s.apId, inboxUrl: s.inboxUrl, sharedInboxUrl: s.sharedInboxUrl, name: s.name },
    stamp: checked.stamp,
  });
  decided(type, outcome.ok ? (outcome.value.state === "approved" ? "listed (automatic approval)" : `kept ${outcome.value.state}`) : `refused: ${outcome.reason}`, create);
  return true;
}

/**
 * #7 at the requester's server: the initiator refused our request, a `Reject` whose `object` is our
 * Create (`<stamp>#join`). Only that call's initiator may; the stamp then answers 410. Returns false
 * when the Reject is about something else.
 */
export async function onJoinRefusal(ctx: InboxContext<void>, reject: Reject, deps: FederationDeps): Promise<boolean> {
  const json = receivedJson(ctx);
  const object = reject.objectId?.href ?? idOf(json?.object);
  if (!object || !URL.canParse(object) || !deps.joins) return false;
  const url = new URL(object);
  if (url.origin !== deps.origin.origin || url.hash !== "#join") return false;
  const stamp = match(paths.stamp, url.pathname);
  if (!stamp) return false;
  const actor = reject.actorId;
  if (!actor || (reject.id !== null && reject.id.origin !== actor.origin)) {
    decided("Reject of a join request", "ignored: no actor, or its id is not on its actor's origin", reject);
    return true;
  }
  const outcome = await deps.joins.incomingRefusal(stamp.id, actor.href);
  decided("Reject of a join request", outcome.ok ? "refused: our stamp is withdrawn (410)" : `ignored: ${outcome.reason}`, reject);
  return true;
}
