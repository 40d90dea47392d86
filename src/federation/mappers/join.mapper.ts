import type { JsonObject } from "./event.mapper.ts";
import { cosignContext } from "./cosign.mapper.ts";

/**
 * Join requests on the wire (FEDERATION.md "Join requests", design §5 #6 and #7), as pure JSON. The
 * stamp is named by id, never embedded (ADR 0021: Fedify 2.3 refuses an activity embedding an object
 * of a type it does not know); `target` names the call's signatories so that the initiator knows which
 * call is asked before it fetches the stamp from the requester's origin.
 */

/** #6: a collective asks to sign an open call: a `Create` of its stamp; id `<stamp>#join`. */
export function joinRequestDocument(d: { readonly id: URL; readonly signer: URL; readonly initiator: string; readonly stamp: URL; readonly signatories: string }): JsonObject {
  return {
    "@context": [...cosignContext] as unknown as JsonObject,
    id: d.id.href,
    type: "Create",
    actor: d.signer.href,
    to: [d.initiator],
    object: d.stamp.href,
    target: d.signatories,
  };
}

/** #7: the initiator refuses a join request: a `Reject` of that `Create`, to the requester only. */
export function joinRefusalDocument(d: { readonly id: URL; readonly initiator: URL; readonly requester: string; readonly request: string }): JsonObject {
  return {
    "@context": [...cosignContext] as unknown as JsonObject,
    id: d.id.href,
    type: "Reject",
    actor: d.initiator.href,
    to: [d.requester],
    object: d.request,
  };
}
