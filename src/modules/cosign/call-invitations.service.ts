import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { conflict, invalid, notFound } from "../../shared/errors.ts";
import { isUuid } from "../../shared/uuid.ts";
import { CallSchema, type CallRow } from "../call/call.entity.ts";
import type { CallActor } from "../call/call.service.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import { coversUnchanged, type SignableVersion, stampDigestMismatch, versionDigests } from "./call-digest.ts";
import { auditCosign, type CosignContext, day, declineCooldownDays, defaultInvitationDays, editableCall, signableStatuses, storedSignable } from "./cosign-context.ts";
import { CallInvitationSchema, CallSignatureSchema, type CallSignatureRow } from "./cosign.entity.ts";
import type { CosignOutcome, CosignPartner, IncomingStamp, InvitationView, SignatureView } from "./cosign.types.ts";
import { invitationView, signatureView } from "./cosign.views.ts";

/**
 * The initiator's invitations (design §6 "Partner entry at A"): inviting a partner to sign a version,
 * the answers (a signature to verify and list, a decline), and asking signers again when a new version
 * changed what they signed. Every change and the activity it sends are written in one transaction.
 */
export class CallInvitationService {
  readonly #ctx: CosignContext;

  constructor(ctx: CosignContext) {
    this.#ctx = ctx;
  }

  async invite(actor: CallActor, callId: string, partner: CosignPartner, opts: { expiresAt?: Temporal.Instant | undefined } = {}): Promise<InvitationView> {
    const { view, queued } = await this.#withCall(actor, callId, async (em, call, collective) => {
      if (!(signableStatuses as readonly string[]).includes(call.status)) {
        throw conflict(`a ${call.status} call cannot be signed: put it in consultation (or open it) before inviting partners`);
      }
      if (partner.apId.origin === this.#ctx.urls.origin.origin && partner.apId.href === this.#ctx.urls.collective(collective.slug).href) {
        throw invalid("a collective cannot invite itself to sign its own call", [{ field: "partner", message: "is the call's own collective" }]);
      }
      const now = this.#ctx.now();
      const current = await em.findOne(CallSignatureSchema, { call: call.id, signerApId: partner.apId.href, state: "current" });
      if (current && current.version === call.version) throw conflict(`${partner.apId.href} has signed version ${call.version} already`);
      const previous = await em.find(CallInvitationSchema, { call: call.id, partnerApId: partner.apId.href }, { orderBy: { createdAt: "desc" } });
      const open = previous.find((i) => i.state === "invited" && i.expiresAt > now);
      if (open && open.version === call.version) return { view: invitationView(open, this.#ctx.now()), queued: false };
      const declined = previous.find((i) => i.state === "declined");
      if (declined?.answeredAt && now.getTime() - declined.answeredAt.getTime() < declineCooldownDays * day) {
        const again = new Date(declined.answeredAt.getTime() + declineCooldownDays * day);
        throw conflict(`${partner.apId.href} declined on ${declined.answeredAt.toISOString().slice(0, 10)}: it may be invited again from ${again.toISOString().slice(0, 10)}`);
      }
      const expiresAt = this.#expiry(call, opts.expiresAt, now);
      for (const p of previous) if (p.state === "invited") p.state = "superseded";
      const row = em.create(CallInvitationSchema, {
        call: call.id,
        partnerApId: partner.apId.href,
        partnerInbox: partner.inboxUrl.href,
        partnerSharedInbox: partner.sharedInboxUrl?.href ?? null,
        partnerName: partner.name ?? null,
        version: call.version,
        purpose: current ? "reconfirm" : "sign",
        state: "invited",
        expiresAt,
        createdAt: now,
      });
      await em.flush();
      const queued = await writeOutbox(em, this.#ctx.urls.callInvitation(call.id, row.id).href, { kind: "cosign-request", collectiveId: collective.id, invitationId: row.id });
      await auditCosign(em, actor, collective.id, "call.invite", call.id, partner.apId.href);
      return { view: invitationView(row, this.#ctx.now()), queued };
    });
    if (queued) this.#ctx.onOutbox();
    return view;
  }

  /**
   * Withdraws an invitation not answered yet (design #4, an Undo of the request): the partner's server
   * is told, its editors no longer see the text nor can sign it, and the partner may no longer read the
   * call before launch. A signature that arrives afterwards is refused (the invitation is withdrawn).
   */
  async withdraw(actor: CallActor, callId: string, invitationId: string): Promise<InvitationView> {
    const { view, queued } = await this.#withCall(actor, callId, async (em, call, collective) => {
      const row = isUuid(invitationId) ? await em.findOne(CallInvitationSchema, { id: invitationId, call: call.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
      if (!row) throw notFound(`the invitation ${invitationId}`);
      if (row.state === "withdrawn") return { view: invitationView(row, this.#ctx.now()), queued: false };
      if (row.state !== "invited") {
        throw conflict(`the invitation is ${row.state}: only an invitation not answered yet can be withdrawn${row.state === "signed" ? " (a signature is the signer's to revoke)" : ""}`);
      }
      const now = this.#ctx.now();
      // Every earlier invitation of the partner to this call goes too: none of them lets it read the call any more.
      for (const p of await em.find(CallInvitationSchema, { call: call.id, partnerApId: row.partnerApId, state: { $in: ["invited", "superseded", "expired"] } })) {
        p.state = "withdrawn";
        p.answeredAt ??= now;
      }
      await em.flush();
      const queued = await writeOutbox(em, `${this.#ctx.urls.callInvitation(call.id, row.id).href}#withdraw`, { kind: "cosign-withdraw", collectiveId: collective.id, invitationId: row.id });
      await auditCosign(em, actor, collective.id, "call.invite-withdraw", call.id, row.partnerApId);
      return { view: invitationView(row, now), queued };
    });
    if (queued) this.#ctx.onOutbox();
    return view;
  }

  /** The invitations a call's editors sent and the signatures they hold (every state): private. */
  async invitations(actor: CallActor, callId: string): Promise<{ invitations: InvitationView[]; signatures: SignatureView[] }> {
    const em = this.#ctx.em.fork();
    const call = await editableCall(em, actor, callId);
    const invitations = await em.find(CallInvitationSchema, { call: call.id }, { orderBy: { createdAt: "asc" } });
    const signatures = await em.find(CallSignatureSchema, { call: call.id }, { orderBy: { createdAt: "asc" } });
    const now = this.#ctx.now();
    return {
      invitations: invitations.map((i) => invitationView(i, now)),
      signatures: signatures.map((s) => signatureView(s)),
    };
  }

  /** Whether `actorApId` was ever invited to sign the call (the embargo lets it read the call). */
  async isInvited(callId: string, actorApId: string): Promise<boolean> {
    if (!isUuid(callId)) return false;
    const found = await this.#ctx.em.fork().count(CallInvitationSchema, { call: callId, partnerApId: actorApId, state: { $nin: ["withdrawn"] } });
    return found > 0;
  }

  /** An invitation, for the federation layer (to send it, or to match an answer to it). */
  async invitation(invitationId: string): Promise<(InvitationView & { partnerInbox: string; partnerSharedInbox: string | null; collectiveSlug: string }) | null> {
    if (!isUuid(invitationId)) return null;
    const row = await this.#ctx.em.fork().findOne(CallInvitationSchema, { id: invitationId }, { populate: ["call", "call.collective"] });
    if (!row) return null;
    return { ...invitationView(row, this.#ctx.now()), partnerInbox: row.partnerInbox, partnerSharedInbox: row.partnerSharedInbox ?? null, collectiveSlug: row.call.collective.slug };
  }

  /** The signable form of one version of a local call (to serve its CallVersion document and to check stamps). */
  async signableVersion(callId: string, version: number): Promise<SignableVersion | null> {
    if (!isUuid(callId) || !Number.isSafeInteger(version)) return null;
    const em = this.#ctx.em.fork();
    const call = await em.findOne(CallSchema, { id: callId }, { populate: ["collective"] });
    if (!call) return null;
    return storedSignable(em, this.#ctx.urls, call, version);
  }

  /**
   * A signer's Accept of an invitation, its stamp fetched from the signer's origin and its proof
   * checked by the federation layer. Listed when it answers an open invitation of this very signer and
   * its digests are the version's; a stamp id seen before changes nothing (a revoked one is refused).
   */
  async incomingSignature(invitationId: string, stamp: IncomingStamp): Promise<CosignOutcome<{ signatureId: string; state: "current" | "pending" }>> {
    if (!isUuid(invitationId)) return { ok: false, reason: "it answers no invitation of ours" };
    const result = await this.#ctx.em.fork().transactional(async (em): Promise<CosignOutcome<{ signatureId: string; state: "current" | "pending" }> & { queued?: boolean }> => {
      const invitation = await em.findOne(CallInvitationSchema, { id: invitationId }, { populate: ["call", "call.collective"], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!invitation) return { ok: false, reason: "it answers no invitation of ours" };
      if (invitation.partnerApId !== stamp.signerApId) return { ok: false, reason: "the invitation was sent to another collective" };
      const seen = await em.findOne(CallSignatureSchema, { stampId: stamp.stampId });
      if (seen) {
        if (seen.state === "revoked" || seen.state === "removed") return { ok: false, reason: "that stamp was revoked: its id is never listed again" };
        return { ok: true, value: { signatureId: seen.id, state: seen.state as "current" | "pending" } };
      }
      const call = invitation.call;
      if (call.deletedAt || !(signableStatuses as readonly string[]).includes(call.status)) return { ok: false, reason: `the call is ${call.deletedAt ? "deleted" : call.status}` };
      if (invitation.state !== "invited") return { ok: false, reason: `the invitation is ${invitation.state}` };
      if (invitation.expiresAt <= this.#ctx.now()) return { ok: false, reason: "the invitation has expired" };
      if (stamp.version !== invitation.version) return { ok: false, reason: `the stamp pins version ${stamp.version}, the invitation was for version ${invitation.version}` };
      const signed = await storedSignable(em, this.#ctx.urls, call, invitation.version);
      if (!signed) return { ok: false, reason: "the invited version is unknown" };
      const mismatch = stampDigestMismatch(stamp.digests, signed, call.collective.primaryLanguage);
      if (mismatch) return { ok: false, reason: mismatch };
      // Signed an older version while the call moved on: listed only if what it covers is unchanged.
      let state: "current" | "pending" = "current";
      if (invitation.version !== call.version) {
        const now = await storedSignable(em, this.#ctx.urls, call, call.version);
        state = now && coversUnchanged(stamp.digests, versionDigests(now)) ? "current" : "pending";
      }
      for (const old of await em.find(CallSignatureSchema, { call: call.id, signerApId: stamp.signerApId, state: { $in: ["current", "pending"] } })) old.state = "removed";
      const row = em.create(CallSignatureSchema, {
        call: call.id,
        invitation: invitation.id,
        signerApId: stamp.signerApId,
        signerInbox: invitation.partnerInbox,
        signerSharedInbox: invitation.partnerSharedInbox,
        signerName: invitation.partnerName,
        stampId: stamp.stampId,
        version: stamp.version,
        digests: stamp.digests.map((d) => ({ ...d })),
        stamp: stamp.document,
        state,
        createdAt: this.#ctx.now(),
        verifiedAt: this.#ctx.now(),
      });
      invitation.state = "signed";
      invitation.answeredAt = this.#ctx.now();
      await em.flush();
      let queued = false;
      if (state === "current") {
        queued = await writeOutbox(em, `${this.#ctx.urls.callSignatories(call.id).href}#add-${row.id}`, { kind: "cosign-listed", collectiveId: call.collective.id, signatureId: row.id });
      } else {
        queued = await this.#reinvite(em, call, row);
      }
      return { ok: true, value: { signatureId: row.id, state }, queued };
    });
    if ("queued" in result && result.queued) this.#ctx.onOutbox();
    return result.ok ? { ok: true, value: result.value } : result;
  }

  /**
   * A new version of a call was written (in the caller's transaction): every current signature whose
   * covered languages changed awaits reconfirmation (no longer shown or counted) and its signer is asked
   * again; a signature whose languages did not change (a new translation) stays. Open invitations for an
   * older version are sent again for this one. Returns whether activities were queued.
   */
  async reviewSignatures(em: EntityManager, callId: string): Promise<boolean> {
    const call = await em.findOne(CallSchema, { id: callId }, { populate: ["collective"] });
    if (!call) return false;
    const now = await storedSignable(em, this.#ctx.urls, call, call.version);
    if (!now) return false;
    const digests = versionDigests(now);
    let queued = false;
    for (const s of await em.find(CallSignatureSchema, { call: call.id, state: { $in: ["current", "pending"] } })) {
      const unchanged = coversUnchanged(s.digests, digests);
      if (s.state === "current" && !unchanged) {
        s.state = "pending";
        queued = (await this.#reinvite(em, call, s)) || queued;
      } else if (s.state === "pending" && unchanged) {
        s.state = "current"; // the text came back to what was signed
      }
    }
    const pending = await em.find(CallInvitationSchema, { call: call.id, state: "invited", version: { $lt: call.version }, expiresAt: { $gt: this.#ctx.now() } });
    for (const old of pending) {
      if (await em.count(CallSignatureSchema, { call: call.id, signerApId: old.partnerApId, state: "pending" })) continue; // asked above
      old.state = "superseded";
      const row = em.create(CallInvitationSchema, {
        call: call.id,
        partnerApId: old.partnerApId,
        partnerInbox: old.partnerInbox,
        partnerSharedInbox: old.partnerSharedInbox,
        partnerName: old.partnerName,
        version: call.version,
        purpose: old.purpose,
        state: "invited",
        expiresAt: old.expiresAt,
        createdAt: this.#ctx.now(),
      });
      await em.flush();
      queued = (await writeOutbox(em, this.#ctx.urls.callInvitation(call.id, row.id).href, { kind: "cosign-request", collectiveId: call.collective.id, invitationId: row.id })) || queued;
    }
    await em.flush();
    return queued;
  }

  /** A signer declined (Reject of the invitation): private, nothing is sent. */
  async incomingDecline(invitationId: string, signerApId: string): Promise<CosignOutcome> {
    if (!isUuid(invitationId)) return { ok: false, reason: "it answers no invitation of ours" };
    return this.#ctx.em.fork().transactional(async (em) => {
      const invitation = await em.findOne(CallInvitationSchema, { id: invitationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!invitation || invitation.partnerApId !== signerApId) return { ok: false, reason: "it answers no invitation of ours to that collective" };
      if (invitation.state !== "invited") return { ok: true, value: undefined };
      invitation.state = "declined";
      invitation.answeredAt = this.#ctx.now();
      await em.flush();
      return { ok: true, value: undefined };
    });
  }

  #expiry(call: CallRow, asked: Temporal.Instant | undefined, now: Date): Date {
    let end = asked ? new Date(asked.epochMilliseconds) : new Date(now.getTime() + defaultInvitationDays * day);
    if (end.getTime() <= now.getTime()) throw invalid("the invitation's end is in the past", [{ field: "expiresAt", message: "must be in the future" }]);
    if (call.deadline && call.deadline < end) end = call.deadline;
    return end;
  }

  /** Asks a signer again for the call's current version (its signature pins an older text). */
  async #reinvite(em: EntityManager, call: CallRow, signature: CallSignatureRow): Promise<boolean> {
    const now = this.#ctx.now();
    for (const p of await em.find(CallInvitationSchema, { call: call.id, partnerApId: signature.signerApId, state: "invited" })) p.state = "superseded";
    const row = em.create(CallInvitationSchema, {
      call: call.id,
      partnerApId: signature.signerApId,
      partnerInbox: signature.signerInbox,
      partnerSharedInbox: signature.signerSharedInbox,
      partnerName: signature.signerName,
      version: call.version,
      purpose: "reconfirm",
      state: "invited",
      expiresAt: this.#expiry(call, undefined, now),
      createdAt: now,
    });
    await em.flush();
    return writeOutbox(em, this.#ctx.urls.callInvitation(call.id, row.id).href, { kind: "cosign-request", collectiveId: call.collective.id, invitationId: row.id });
  }

  async #withCall<T>(actor: CallActor, callId: string, apply: (em: EntityManager, call: CallRow, collective: Collective) => Promise<T>): Promise<T> {
    if (!isUuid(callId)) throw notFound(`the call ${callId}`);
    return this.#ctx.em.fork().transactional(async (em) => {
      const call = await editableCall(em, actor, callId, true);
      return apply(em, call, call.collective);
    });
  }
}
