import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import { CallSignatureSchema } from "./cosign.entity.ts";

/** A listed signature whose stamp is due to be asked again at its signer's origin. */
export interface StampToCheck {
  readonly signatureId: string;
  readonly stampId: string;
  readonly signerApId: string;
  readonly callApId: string;
  /** The call's collective: it signs the GET (a stamp is served to its initiator before launch). */
  readonly slug: string;
}

/** How long a listed stamp is believed without asking its origin again (design §8: daily). */
export const stampRecheckMs = 24 * 60 * 60 * 1000;

/**
 * The initiator's re-checks of the stamps it lists (design §8 "Re-checks", §10 "Signer gone"): a
 * listed signature not confirmed at its signer's origin for a day is due; the federation layer asks the
 * origin and reports: still served → confirmed now; 410 or 404 → revoked (CosignService.incomingRevocation);
 * unreachable → left listed with the time it was first found so, asked again at the next round.
 */
export class StampCheckService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #now: () => Date;

  constructor(em: EntityManager, urls: Urls, opts: { now?: () => Date } = {}) {
    this.#em = em;
    this.#urls = urls;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Listed signatures (current or awaiting reconfirmation) last confirmed before `olderThanMs` ago, oldest first. */
  async due(limit = 200, olderThanMs = stampRecheckMs): Promise<StampToCheck[]> {
    const rows = await this.#em.fork().find(
      CallSignatureSchema,
      { state: { $in: ["current", "pending"] }, verifiedAt: { $lt: new Date(this.#now().getTime() - olderThanMs) }, call: { deletedAt: null } },
      { populate: ["call", "call.collective"], orderBy: { verifiedAt: "asc" }, limit },
    );
    return rows.map((r) => ({ signatureId: r.id, stampId: r.stampId, signerApId: r.signerApId, callApId: this.#urls.call(r.call.id).href, slug: r.call.collective.slug }));
  }

  /** The stamp's origin still serves it: believed for another day, and no longer "unreachable". */
  async confirmed(signatureId: string): Promise<void> {
    if (!isUuid(signatureId)) return;
    const em = this.#em.fork();
    const row = await em.findOne(CallSignatureSchema, { id: signatureId });
    if (!row) return;
    row.verifiedAt = this.#now();
    row.unreachableSince = null;
    await em.flush();
  }

  /**
   * The stamp's origin did not answer (network error, 5xx): the signature stays listed (design §10
   * "Signer offline"), its editors are shown "unreachable since" the first round that failed.
   */
  async unreachable(signatureId: string): Promise<void> {
    if (!isUuid(signatureId)) return;
    await this.#em.fork().nativeUpdate(CallSignatureSchema, { id: signatureId, unreachableSince: null }, { unreachableSince: this.#now() });
  }
}
