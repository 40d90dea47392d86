import { LockMode } from "@mikro-orm/core";
import { isUuid } from "../../shared/uuid.ts";
import type { CosignContext } from "./cosign-context.ts";
import { CallSignatureSchema, StampRevocationSchema } from "./cosign.entity.ts";
import type { SignatureView } from "./cosign.types.ts";
import { signatureView } from "./cosign.views.ts";

/**
 * The signatures an initiator lists (design §4.4): what its collections show and count, where its
 * signatories receive activities, and the revocations that unlist them (a signer's Delete confirmed at
 * its origin, or the signer gone).
 */
export class CallSignatureService {
  readonly #ctx: CosignContext;

  constructor(ctx: CosignContext) {
    this.#ctx = ctx;
  }

  /** The signatures shown and counted (current ones), oldest first: public once the call is. */
  async signatories(callId: string): Promise<SignatureView[]> {
    if (!isUuid(callId)) return [];
    const rows = await this.#ctx.em.fork().find(CallSignatureSchema, { call: callId, state: "current" }, { orderBy: { createdAt: "asc" } });
    return rows.map((s) => signatureView(s));
  }

  /** The signatures awaiting reconfirmation (they signed an older text): listed apart, never counted as signed. */
  async pendingSignatories(callId: string): Promise<SignatureView[]> {
    if (!isUuid(callId)) return [];
    const rows = await this.#ctx.em.fork().find(CallSignatureSchema, { call: callId, state: "pending" }, { orderBy: { createdAt: "asc" } });
    return rows.map((s) => signatureView(s));
  }

  /** A signature, for the federation layer (to announce its listing). */
  async signature(signatureId: string): Promise<(SignatureView & { signerInbox: string }) | null> {
    if (!isUuid(signatureId)) return null;
    const row = await this.#ctx.em.fork().findOne(CallSignatureSchema, { id: signatureId });
    return row ? { ...signatureView(row), signerInbox: row.signerInbox } : null;
  }

  /** Where the current signatories of a call receive activities (the launch reaches them too). */
  async signatoryRecipients(callId: string): Promise<{ apId: URL; inboxUrl: URL; sharedInboxUrl?: URL | undefined }[]> {
    if (!isUuid(callId)) return [];
    const rows = await this.#ctx.em.fork().find(CallSignatureSchema, { call: callId, state: "current" }, { orderBy: { createdAt: "asc" } });
    return rows.map((r) => ({ apId: new URL(r.signerApId), inboxUrl: new URL(r.signerInbox), sharedInboxUrl: r.signerSharedInbox ? new URL(r.signerSharedInbox) : undefined }));
  }

  /** Whether a stamp id is one the initiator lists or listed (a Delete of it is then worth checking). */
  async isKnownStamp(stampId: string): Promise<boolean> {
    return (await this.#ctx.em.fork().count(CallSignatureSchema, { stampId })) > 0;
  }

  /**
   * A revocation confirmed by the stamp's origin (the federation layer fetched it: 410 or 404): kept,
   * and a signature listed here with that stamp is no longer shown or counted. Idempotent.
   */
  async incomingRevocation(stampId: string, signerApId: string, callApId: string | undefined): Promise<{ unlisted: number }> {
    return this.#ctx.em.fork().transactional(async (em) => {
      await em
        .createQueryBuilder(StampRevocationSchema)
        .insert({ stampId, signerApId, callApId: callApId ?? null, createdAt: this.#ctx.now() })
        .onConflict("stampId")
        .ignore()
        .execute();
      const rows = await em.find(CallSignatureSchema, { stampId, signerApId, state: { $in: ["current", "pending"] } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      for (const r of rows) {
        r.state = "revoked";
        r.revokedAt = this.#ctx.now();
      }
      await em.flush();
      return { unlisted: rows.length };
    });
  }

  /**
   * A signer gone for good (its Delete of itself, or its actor answering 410; design §13 #16): every
   * signature of it that we list is unlisted at once, as a revocation, and its stamps are never believed
   * again. No change note: a collective that no longer exists withdrew nothing.
   */
  async signerGone(signerApId: string): Promise<{ unlisted: number }> {
    return this.#ctx.em.fork().transactional(async (em) => {
      const rows = await em.find(CallSignatureSchema, { signerApId, state: { $in: ["current", "pending"] } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      for (const r of rows) {
        await em
          .createQueryBuilder(StampRevocationSchema)
          .insert({ stampId: r.stampId, signerApId, callApId: this.#ctx.urls.call(r.call.id).href, createdAt: this.#ctx.now() })
          .onConflict("stampId")
          .ignore()
          .execute();
        r.state = "revoked";
        r.revokedAt = this.#ctx.now();
      }
      await em.flush();
      return { unlisted: rows.length };
    });
  }

  /** Whether this server heard of (and confirmed) the revocation of a stamp. */
  async isRevoked(stampId: string): Promise<boolean> {
    return (await this.#ctx.em.fork().count(StampRevocationSchema, { stampId })) > 0;
  }
}
