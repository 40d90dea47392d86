import type { CosignPartner } from "../modules/cosign/cosign.types.ts";
import type { PartnerResolver } from "./partner-resolver.ts";
import type { ServerSoftwareResolver } from "./server-software.ts";

export type CosignPartnerLookup = (ref: string) => Promise<{ ok: true; partner: CosignPartner } | { ok: false; reason: string }>;

/**
 * Finds a collective that can co-sign: a handle or an actor URL (as partners are found), on a server
 * whose NodeInfo says it runs Relais. Only Relais collectives host stamps with Ed25519 proofs; other
 * actors (Mastodon accounts, Mobilizon groups, Gancio) can follow and boost a call, never sign it, and
 * are sent no invitation (FEDERATION.md "Co-signed calls").
 */
export function cosignPartnerLookup(deps: { partners: PartnerResolver; software: ServerSoftwareResolver }): CosignPartnerLookup {
  return async (ref) => {
    const found = await deps.partners.resolve(ref);
    if (!found.ok) return found;
    const { actor } = found;
    const software = (await deps.software.softwareOf([actor.apId.origin])).get(actor.apId.origin);
    if (software !== "relais") {
      return { ok: false, reason: `${actor.apId.href} runs ${software ?? "an unknown server"}, not Relais: only Relais collectives can co-sign a call (others may boost it)` };
    }
    if (actor.type !== "Group") return { ok: false, reason: `${actor.apId.href} is not a collective (a Group)` };
    return { ok: true, partner: { apId: actor.apId, inboxUrl: actor.inboxUrl, sharedInboxUrl: actor.sharedInboxUrl, name: actor.name } };
  };
}
