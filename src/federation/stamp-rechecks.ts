import type { Federation } from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import type { CosignService } from "../modules/cosign/cosign.service.ts";
import type { StampCheckService } from "../modules/cosign/stamp-checks.service.ts";
import { sleepUnlessAborted } from "../shared/sleep.ts";
import type { Urls } from "../shared/urls.ts";
import { signedGet } from "./object-proofs.ts";

const logger = getLogger(["relais", "cosign", "rechecks"]);

export interface RecheckDeps {
  readonly federation: Federation<void>;
  readonly urls: Urls;
  readonly checks: StampCheckService;
  readonly cosign: CosignService;
  readonly allowPrivateAddresses: boolean;
}

/**
 * One round of re-checks of the stamps we list (design §8): each due stamp is asked at its signer's
 * origin with a GET signed by the call's collective. 200 → confirmed; 410 or 404 → the revocation is
 * kept and the signature delisted (a Delete we never received, or a signer gone); anything else → left
 * listed until the next round, "unreachable since" the first round that failed (cleared once it answers). `olderThanMs`: how long a confirmation holds (a day by default).
 */
export async function recheckStamps(deps: RecheckDeps, opts: { olderThanMs?: number } = {}): Promise<{ confirmed: number; revoked: number; unreachable: number }> {
  const ctx = deps.federation.createContext(deps.urls.origin, undefined);
  const counts = { confirmed: 0, revoked: 0, unreachable: 0 };
  for (const due of await deps.checks.due(200, opts.olderThanMs)) {
    const fetched = await signedGet(ctx, due.slug, new URL(due.stampId), { allowPrivateAddresses: deps.allowPrivateAddresses });
    if (fetched.ok && fetched.json.id === due.stampId) {
      await deps.checks.confirmed(due.signatureId);
      counts.confirmed++;
    } else if (!fetched.ok && (fetched.status === 410 || fetched.status === 404)) {
      await deps.cosign.incomingRevocation(due.stampId, due.signerApId, due.callApId);
      counts.revoked++;
    } else {
      await deps.checks.unreachable(due.signatureId);
      counts.unreachable++;
    }
  }
  if (counts.revoked > 0 || counts.unreachable > 0) logger.info("stamps re-checked: {confirmed} confirmed, {revoked} gone (delisted), {unreachable} unreachable", counts);
  return counts;
}

/** Re-checks in the worker, every `intervalMs` (an hour by default); each stamp at most once a day. */
export async function recheckStampsPeriodically(deps: RecheckDeps, signal: AbortSignal, intervalMs = 60 * 60 * 1000): Promise<void> {
  while (!signal.aborted) {
    try {
      await recheckStamps(deps);
    } catch (error) {
      logger.warn("could not re-check stamps: {error}", { error: String(error) });
    }
    await sleepUnlessAborted(intervalMs, signal);
  }
}
