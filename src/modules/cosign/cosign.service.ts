import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { AppError, conflict, forbidden, invalid, notFound } from "../../shared/errors.ts";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import { CallSchema, type CallRow, CallVersionSchema } from "../call/call.entity.ts";
import { rowToText } from "../call/call.record.ts";
import type { CallActor } from "../call/call.service.ts";
import { type Collective, CollectiveSchema } from "../collective/collective.entity.ts";
import { can } from "../collective/collective.policy.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import { coversUnchanged, type SignableVersion, signableFromText, signableTexts, type TextDigest, versionDigests } from "./call-digest.ts";
import {
  type CallInvitationRow,
  CallInvitationSchema,
  type CallSignatureRow,
  CallSignatureSchema,
  CosignStampSchema,
  type CosignStampRow,
  type ReceivedInvitationRow,
  ReceivedInvitationSchema,
  StampRevocationSchema,
} from "./cosign.entity.ts";
import type {
  CosignOutcome,
  CosignPartner,
  IncomingInvitation,
  IncomingStamp,
  InvitationView,
  PreviousSignature,
  ReceivedInvitationView,
  SignatureView,
  StampView,
} from "./cosign.types.ts";

const day = 24 * 60 * 60 * 1000;
/** An invitation without an explicit end expires after this (or at the call's deadline, if sooner). */
export const defaultInvitationDays = 14;
/** A declined invitation may be sent again only after this. */
export const declineCooldownDays = 7;

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());
const optInstant = (d: Date | null | undefined) => (d ? instant(d) : null);

const mayEdit = (actor: CallActor, collectiveId: string) => actor === "cli" || can(actor, "edit-calls", collectiveId);
const maySign = (actor: CallActor, collectiveId: string) => actor === "cli" || can(actor, "sign-calls", collectiveId);

/** Statuses of a call in which partners may be invited and may sign. */
const signableStatuses = ["consultation", "open"] as const;

/**
 * Co-signatures of calls across servers (FEDERATION.md "Co-signed calls"). The initiator's side:
 * invitations, the signatures it verified and lists. The signer's side: the invitations its collectives
 * received, their answers, and the stamps they issued. Every change and the activity it sends are
 * written in one transaction (the outbox); the federation layer checks signatures, proofs and origins
 * before it calls the `incoming*` methods.
 */
export class CosignService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #onOutbox: () => void;
  readonly #now: () => Date;

  constructor(em: EntityManager, urls: Urls, opts: { onOutbox?: () => void; now?: () => Date } = {}) {
    this.#em = em;
    this.#urls = urls;
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#now = opts.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------- initiator

  /** Invites a partner collective to sign the call's current version (a CosignRequest). */
  async invite(actor: CallActor, callId: string, partner: CosignPartner, opts: { expiresAt?: Temporal.Instant | undefined } = {}): Promise<InvitationView> {
    const { view, queued } = await this.#withCall(actor, callId, async (em, call, collective) => {
      if (!(signableStatuses as readonly string[]).includes(call.status)) {
        throw conflict(`a ${call.status} call cannot be signed: put it in consultation (or open it) before inviting partners`);
      }
      if (partner.apId.origin === this.#urls.origin.origin && partner.apId.href === this.#urls.collective(collective.slug).href) {
        throw invalid("a collective cannot invite itself to sign its own call", [{ field: "partner", message: "is the call's own collective" }]);
      }
      const now = this.#now();
      const current = await em.findOne(CallSignatureSchema, { call: call.id, signerApId: partner.apId.href, state: "current" });
      if (current && current.version === call.version) throw conflict(`${partner.apId.href} has signed version ${call.version} already`);
      const previous = await em.find(CallInvitationSchema, { call: call.id, partnerApId: partner.apId.href }, { orderBy: { createdAt: "desc" } });
      const open = previous.find((i) => i.state === "invited" && i.expiresAt > now);
      if (open && open.version === call.version) return { view: this.#invitationView(open), queued: false };
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
      const queued = await writeOutbox(em, this.#urls.callInvitation(call.id, row.id).href, { kind: "cosign-request", collectiveId: collective.id, invitationId: row.id });
      await this.#audit(em, actor, collective.id, "call.invite", call.id, partner.apId.href);
      return { view: this.#invitationView(row), queued };
    });
    if (queued) this.#onOutbox();
    return view;
  }

  /** The invitations a call's editors sent and the signatures they hold (every state): private. */
  async invitations(actor: CallActor, callId: string): Promise<{ invitations: InvitationView[]; signatures: SignatureView[] }> {
    const em = this.#em.fork();
    const call = await this.#readableCall(em, actor, callId);
    const invitations = await em.find(CallInvitationSchema, { call: call.id }, { orderBy: { createdAt: "asc" } });
    const signatures = await em.find(CallSignatureSchema, { call: call.id }, { orderBy: { createdAt: "asc" } });
    const now = this.#now();
    return {
      invitations: invitations.map((i) => this.#invitationView(i, now)),
      signatures: signatures.map((s) => this.#signatureView(s)),
    };
  }

  /** The signatures shown and counted (current ones), oldest first: public once the call is. */
  async signatories(callId: string): Promise<SignatureView[]> {
    if (!isUuid(callId)) return [];
    const rows = await this.#em.fork().find(CallSignatureSchema, { call: callId, state: "current" }, { orderBy: { createdAt: "asc" } });
    return rows.map((s) => this.#signatureView(s));
  }

  /** The signatures awaiting reconfirmation (they signed an older text): listed apart, never counted as signed. */
  async pendingSignatories(callId: string): Promise<SignatureView[]> {
    if (!isUuid(callId)) return [];
    const rows = await this.#em.fork().find(CallSignatureSchema, { call: callId, state: "pending" }, { orderBy: { createdAt: "asc" } });
    return rows.map((s) => this.#signatureView(s));
  }

  /** A signature, for the federation layer (to announce its listing). */
  async signature(signatureId: string): Promise<(SignatureView & { signerInbox: string }) | null> {
    if (!isUuid(signatureId)) return null;
    const row = await this.#em.fork().findOne(CallSignatureSchema, { id: signatureId });
    return row ? { ...this.#signatureView(row), signerInbox: row.signerInbox } : null;
  }

  /** Where the current signatories of a call receive activities (the launch reaches them too). */
  async signatoryRecipients(callId: string): Promise<{ apId: URL; inboxUrl: URL; sharedInboxUrl?: URL | undefined }[]> {
    if (!isUuid(callId)) return [];
    const rows = await this.#em.fork().find(CallSignatureSchema, { call: callId, state: "current" }, { orderBy: { createdAt: "asc" } });
    return rows.map((r) => ({ apId: new URL(r.signerApId), inboxUrl: new URL(r.signerInbox), sharedInboxUrl: r.signerSharedInbox ? new URL(r.signerSharedInbox) : undefined }));
  }

  /** Whether `actorApId` was ever invited to sign the call (the embargo lets it read the call). */
  async isInvited(callId: string, actorApId: string): Promise<boolean> {
    if (!isUuid(callId)) return false;
    const found = await this.#em.fork().count(CallInvitationSchema, { call: callId, partnerApId: actorApId, state: { $nin: ["withdrawn"] } });
    return found > 0;
  }

  /** An invitation, for the federation layer (to send it, or to match an answer to it). */
  async invitation(invitationId: string): Promise<(InvitationView & { partnerInbox: string; partnerSharedInbox: string | null; collectiveSlug: string }) | null> {
    if (!isUuid(invitationId)) return null;
    const row = await this.#em.fork().findOne(CallInvitationSchema, { id: invitationId }, { populate: ["call", "call.collective"] });
    if (!row) return null;
    return { ...this.#invitationView(row), partnerInbox: row.partnerInbox, partnerSharedInbox: row.partnerSharedInbox ?? null, collectiveSlug: row.call.collective.slug };
  }

  /** The signable form of one version of a local call (to serve its CallVersion document and to check stamps). */
  async signableVersion(callId: string, version: number): Promise<SignableVersion | null> {
    if (!isUuid(callId) || !Number.isSafeInteger(version)) return null;
    const em = this.#em.fork();
    const call = await em.findOne(CallSchema, { id: callId }, { populate: ["collective"] });
    if (!call) return null;
    return this.#signable(em, call, version);
  }

  /**
   * A signer's Accept of an invitation, its stamp fetched from the signer's origin and its proof
   * checked by the federation layer. Listed when it answers an open invitation of this very signer and
   * its digests are the version's; a stamp id seen before changes nothing (a revoked one is refused).
   */
  async incomingSignature(invitationId: string, stamp: IncomingStamp): Promise<CosignOutcome<{ signatureId: string; state: "current" | "pending" }>> {
    if (!isUuid(invitationId)) return { ok: false, reason: "it answers no invitation of ours" };
    const result = await this.#em.fork().transactional(async (em): Promise<CosignOutcome<{ signatureId: string; state: "current" | "pending" }> & { queued?: boolean }> => {
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
      if (invitation.expiresAt <= this.#now()) return { ok: false, reason: "the invitation has expired" };
      if (stamp.version !== invitation.version) return { ok: false, reason: `the stamp pins version ${stamp.version}, the invitation was for version ${invitation.version}` };
      const signed = await this.#signable(em, call, invitation.version);
      if (!signed) return { ok: false, reason: "the invited version is unknown" };
      const expected = new Map(versionDigests(signed).map((d) => [d.language, d.digest]));
      if (stamp.digests.length === 0) return { ok: false, reason: "the stamp covers no language" };
      for (const d of stamp.digests) {
        if (expected.get(d.language) !== d.digest) return { ok: false, reason: `the stamp's digest for ${d.language} is not the version's` };
      }
      if (!stamp.digests.some((d) => d.language === call.collective.primaryLanguage)) {
        return { ok: false, reason: `the stamp does not cover the call's authoritative language (${call.collective.primaryLanguage})` };
      }
      // Signed an older version while the call moved on: listed only if what it covers is unchanged.
      let state: "current" | "pending" = "current";
      if (invitation.version !== call.version) {
        const now = await this.#signable(em, call, call.version);
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
        createdAt: this.#now(),
        verifiedAt: this.#now(),
      });
      invitation.state = "signed";
      invitation.answeredAt = this.#now();
      await em.flush();
      let queued = false;
      if (state === "current") {
        queued = await writeOutbox(em, `${this.#urls.callSignatories(call.id).href}#add-${row.id}`, { kind: "cosign-listed", collectiveId: call.collective.id, signatureId: row.id });
      } else {
        queued = await this.#reinvite(em, call, row);
      }
      return { ok: true, value: { signatureId: row.id, state }, queued };
    });
    if ("queued" in result && result.queued) this.#onOutbox();
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
    const now = await this.#signable(em, call, call.version);
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
    const pending = await em.find(CallInvitationSchema, { call: call.id, state: "invited", version: { $lt: call.version }, expiresAt: { $gt: this.#now() } });
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
        createdAt: this.#now(),
      });
      await em.flush();
      queued = (await writeOutbox(em, this.#urls.callInvitation(call.id, row.id).href, { kind: "cosign-request", collectiveId: call.collective.id, invitationId: row.id })) || queued;
    }
    await em.flush();
    return queued;
  }

  /** A signer declined (Reject of the invitation): private, nothing is sent. */
  async incomingDecline(invitationId: string, signerApId: string): Promise<CosignOutcome> {
    if (!isUuid(invitationId)) return { ok: false, reason: "it answers no invitation of ours" };
    return this.#em.fork().transactional(async (em) => {
      const invitation = await em.findOne(CallInvitationSchema, { id: invitationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!invitation || invitation.partnerApId !== signerApId) return { ok: false, reason: "it answers no invitation of ours to that collective" };
      if (invitation.state !== "invited") return { ok: true, value: undefined };
      invitation.state = "declined";
      invitation.answeredAt = this.#now();
      await em.flush();
      return { ok: true, value: undefined };
    });
  }

  // ---------------------------------------------------------------- signer

  /** A CosignRequest for a local collective, checked by the federation layer: stored once per request id. */
  async incomingInvitation(input: IncomingInvitation): Promise<CosignOutcome<{ id: string; created: boolean }>> {
    const digests = versionDigests(input.signable);
    if (digests.length === 0) return { ok: false, reason: "the version has no language with a title, a text and every demand" };
    if (!input.authoritativeLanguages.some((l) => digests.some((d) => d.language === l))) {
      return { ok: false, reason: "no authoritative language of the version can be signed" };
    }
    return this.#em.fork().transactional(async (em) => {
      const collective = await em.findOne(CollectiveSchema, { slug: input.collectiveSlug });
      if (!collective) return { ok: false, reason: "no such collective here" };
      const existing = await em.findOne(ReceivedInvitationSchema, { collective: collective.id, requestId: input.requestId });
      if (existing) return { ok: true, value: { id: existing.id, created: false } };
      const now = this.#now();
      const expiresAt = input.expiresAt && input.expiresAt.epochMilliseconds > now.getTime() ? new Date(Math.min(input.expiresAt.epochMilliseconds, now.getTime() + 90 * day)) : new Date(now.getTime() + defaultInvitationDays * day);
      for (const older of await em.find(ReceivedInvitationSchema, { collective: collective.id, callApId: input.signable.call, state: "pending" })) older.state = "superseded";
      const row = em.create(ReceivedInvitationSchema, {
        collective: collective.id,
        requestId: input.requestId,
        callApId: input.signable.call,
        initiatorApId: input.initiator.apId.href,
        initiatorInbox: input.initiator.inboxUrl.href,
        initiatorSharedInbox: input.initiator.sharedInboxUrl?.href ?? null,
        initiatorName: input.initiator.name ?? null,
        signatoriesUrl: input.signatoriesUrl,
        version: input.signable.version,
        versionDocument: input.versionDocument,
        signable: input.signable as unknown as Record<string, unknown>,
        digests,
        authoritativeLanguages: [...input.authoritativeLanguages],
        state: "pending",
        expiresAt,
        createdAt: now,
      });
      await em.flush();
      return { ok: true, value: { id: row.id, created: true } };
    });
  }

  /** The invitations a collective received, newest first, for its editors. */
  async received(actor: CallActor, slug: string): Promise<ReceivedInvitationView[]> {
    const em = this.#em.fork();
    const collective = await this.#signingCollective(em, actor, slug);
    const rows = await em.find(ReceivedInvitationSchema, { collective: collective.id }, { orderBy: { createdAt: "desc" }, limit: 500 });
    const stamps = await this.#stampsOf(em, rows);
    const signedBefore = (r: ReceivedInvitationRow) => rows.some((o) => o.callApId === r.callApId && o.version < r.version && o.state === "signed");
    return rows.map((r) => ({ ...this.#receivedView(r, collective.slug, stamps.get(r.id) ?? null), reconfirmation: r.state === "pending" && signedBefore(r) }));
  }

  async receivedOne(actor: CallActor, slug: string, id: string): Promise<ReceivedInvitationView> {
    const em = this.#em.fork();
    const collective = await this.#signingCollective(em, actor, slug);
    const row = isUuid(id) ? await em.findOne(ReceivedInvitationSchema, { id, collective: collective.id }) : null;
    if (!row) throw notFound(`the invitation ${id}`);
    const stamps = await this.#stampsOf(em, [row]);
    return { ...this.#receivedView(row, collective.slug, stamps.get(row.id) ?? null), previous: await this.#previousSignature(em, row) };
  }

  /** The last older version of the same call this collective signed (by invitation), and what changed since in the languages it covered. */
  async #previousSignature(em: EntityManager, row: ReceivedInvitationRow): Promise<PreviousSignature | null> {
    const stamp = await em.findOne(
      CosignStampSchema,
      { collective: row.collective, callApId: row.callApId, version: { $lt: row.version }, invitation: { $ne: null } },
      { orderBy: { version: "desc", signedAt: "desc" }, populate: ["invitation"] },
    );
    const signedRow = stamp?.invitation;
    if (!stamp || !signedRow) return null;
    const languages = stamp.digests.map((d) => d.language);
    const now = new Map(row.digests.map((d) => [d.language, d.digest]));
    return {
      version: stamp.version,
      languages,
      changed: stamp.digests.filter((d) => now.get(d.language) !== d.digest).map((d) => d.language),
      texts: signableTexts(signedRow.signable as unknown as SignableVersion, languages),
    };
  }

  /**
   * Signs: a stamp over the digests of `languages` (default: every signable language), served by this
   * server with the collective's proof, and an Accept to the initiator.
   */
  async sign(actor: CallActor, slug: string, id: string, opts: { languages?: readonly string[] | undefined } = {}): Promise<ReceivedInvitationView> {
    const { view, queued } = await this.#withReceived(actor, slug, id, async (em, row, collective) => {
      this.#assertAnswerable(row);
      const chosen = opts.languages && opts.languages.length > 0 ? [...new Set(opts.languages)] : row.digests.map((d) => d.language);
      const unknown = chosen.filter((l) => !row.digests.some((d) => d.language === l));
      if (unknown.length > 0) {
        throw invalid(`the version cannot be signed in ${unknown.join(", ")}: choose among ${row.digests.map((d) => d.language).join(", ")}`, [
          { field: "languages", message: `${unknown.join(", ")} cannot be signed` },
        ]);
      }
      if (!chosen.some((l) => row.authoritativeLanguages.includes(l))) {
        throw invalid(`a signature must cover an authoritative language of the call (${row.authoritativeLanguages.join(", ")})`, [
          { field: "languages", message: `include ${row.authoritativeLanguages.join(" or ")}` },
        ]);
      }
      const now = this.#now();
      const stamp = em.create(CosignStampSchema, {
        collective: collective.id,
        invitation: row.id,
        callApId: row.callApId,
        initiatorApId: row.initiatorApId,
        initiatorInbox: row.initiatorInbox,
        initiatorSharedInbox: row.initiatorSharedInbox,
        signatoriesUrl: row.signatoriesUrl,
        version: row.version,
        digests: row.digests.filter((d) => chosen.includes(d.language)),
        versionDocument: row.versionDocument,
        signedAt: now,
      });
      row.state = "signed";
      row.answeredAt = now;
      await em.flush();
      const queued = await writeOutbox(em, `${this.#urls.stamp(stamp.id).href}#accept`, { kind: "cosign-accept", collectiveId: collective.id, stampId: stamp.id });
      await this.#audit(em, actor, collective.id, "call.sign", stamp.id, row.callApId);
      return { view: this.#receivedView(row, collective.slug, stamp.id), queued };
    });
    if (queued) this.#onOutbox();
    return view;
  }

  /** Declines: a Reject to the initiator only (declines are never public). */
  async decline(actor: CallActor, slug: string, id: string): Promise<ReceivedInvitationView> {
    const { view, queued } = await this.#withReceived(actor, slug, id, async (em, row, collective) => {
      this.#assertAnswerable(row);
      row.state = "declined";
      row.answeredAt = this.#now();
      await em.flush();
      const queued = await writeOutbox(em, this.#urls.invitationAnswer(collective.slug, row.id).href, { kind: "cosign-decline", collectiveId: collective.id, receivedId: row.id });
      await this.#audit(em, actor, collective.id, "call.decline", row.id, row.callApId);
      return { view: this.#receivedView(row, collective.slug, null), queued };
    });
    if (queued) this.#onOutbox();
    return view;
  }

  /** The stamps a collective issued, newest first (its signatures of other collectives' calls). */
  async stamps(actor: CallActor, slug: string): Promise<StampView[]> {
    const em = this.#em.fork();
    const collective = await this.#signingCollective(em, actor, slug);
    const rows = await em.find(CosignStampSchema, { collective: collective.id }, { populate: ["collective", "invitation"], orderBy: { signedAt: "desc" }, limit: 500 });
    return rows.map((r) => this.#stampView(r));
  }

  /**
   * Revokes a signature: the stamp's URL answers 410 from now on and its id is never used again; a
   * Delete goes to the initiator, the co-signatories and the collective's followers, and the boost of
   * the call is undone.
   */
  async revoke(actor: CallActor, slug: string, stampId: string): Promise<StampView> {
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const collective = await this.#signingCollective(em, actor, slug);
      const row = isUuid(stampId)
        ? await em.findOne(CosignStampSchema, { id: stampId, collective: collective.id }, { populate: ["collective", "invitation"], lockMode: LockMode.PESSIMISTIC_WRITE })
        : null;
      if (!row) throw notFound(`the signature ${stampId}`);
      if (row.revokedAt) return { view: this.#stampView(row), queued: false };
      row.revokedAt = this.#now();
      await em.flush();
      let queued = await writeOutbox(em, this.#urls.stampDelete(row.id).href, { kind: "cosign-revoke", collectiveId: collective.id, stampId: row.id });
      if (row.announcedAt) {
        queued = (await writeOutbox(em, `${this.#urls.stampAnnounce(row.id).href}-undo`, { kind: "cosign-undo-announce", collectiveId: collective.id, stampId: row.id })) || queued;
      }
      await this.#audit(em, actor, collective.id, "call.revoke", row.id, row.callApId);
      return { view: this.#stampView(row), queued };
    });
    if (queued) this.#onOutbox();
    return view;
  }

  /** A collective's public stamps (its `endorsements`), revoked ones included (they answer 410), newest first. */
  async publicStamps(slug: string): Promise<StampView[] | null> {
    const em = this.#em.fork();
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) return null;
    const rows = await em.find(CosignStampSchema, { collective: collective.id, publicAt: { $ne: null } }, { populate: ["collective", "invitation"], orderBy: { signedAt: "desc" }, limit: 500 });
    return rows.map((r) => this.#stampView(r));
  }

  /** Whether a stamp id is one the initiator lists or listed (a Delete of it is then worth checking). */
  async isKnownStamp(stampId: string): Promise<boolean> {
    return (await this.#em.fork().count(CallSignatureSchema, { stampId })) > 0;
  }

  /**
   * A revocation confirmed by the stamp's origin (the federation layer fetched it: 410 or 404): kept,
   * and a signature listed here with that stamp is no longer shown or counted. Idempotent.
   */
  async incomingRevocation(stampId: string, signerApId: string, callApId: string | undefined): Promise<{ unlisted: number }> {
    return this.#em.fork().transactional(async (em) => {
      await em
        .createQueryBuilder(StampRevocationSchema)
        .insert({ stampId, signerApId, callApId: callApId ?? null, createdAt: this.#now() })
        .onConflict("stampId")
        .ignore()
        .execute();
      const rows = await em.find(CallSignatureSchema, { stampId, signerApId, state: { $in: ["current", "pending"] } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      for (const r of rows) {
        r.state = "revoked";
        r.revokedAt = this.#now();
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
    return this.#em.fork().transactional(async (em) => {
      const rows = await em.find(CallSignatureSchema, { signerApId, state: { $in: ["current", "pending"] } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      for (const r of rows) {
        await em
          .createQueryBuilder(StampRevocationSchema)
          .insert({ stampId: r.stampId, signerApId, callApId: this.#urls.call(r.call.id).href, createdAt: this.#now() })
          .onConflict("stampId")
          .ignore()
          .execute();
        r.state = "revoked";
        r.revokedAt = this.#now();
      }
      await em.flush();
      return { unlisted: rows.length };
    });
  }

  /** Whether this server heard of (and confirmed) the revocation of a stamp. */
  async isRevoked(stampId: string): Promise<boolean> {
    return (await this.#em.fork().count(StampRevocationSchema, { stampId })) > 0;
  }

  /** A stamp of this server, for its URL and for the activities that carry it; null when unknown. */
  async stamp(id: string): Promise<StampView | null> {
    if (!isUuid(id)) return null;
    const row = await this.#em.fork().findOne(CosignStampSchema, { id }, { populate: ["collective", "invitation"] });
    return row ? this.#stampView(row) : null;
  }

  /** A received invitation, for the federation layer (to send its Reject). */
  async receivedForDelivery(id: string): Promise<{ requestId: string; initiatorApId: string; initiatorInbox: string; initiatorSharedInbox: string | null; slug: string } | null> {
    if (!isUuid(id)) return null;
    const row = await this.#em.fork().findOne(ReceivedInvitationSchema, { id }, { populate: ["collective"] });
    return row
      ? { requestId: row.requestId, initiatorApId: row.initiatorApId, initiatorInbox: row.initiatorInbox, initiatorSharedInbox: row.initiatorSharedInbox ?? null, slug: row.collective.slug }
      : null;
  }

  /**
   * The call a stamp of ours covers is public (its initiator launched it): the stamp becomes public and
   * each signer boosts the call to its followers, once. Only the initiator of that call can say so.
   * Only stamps the initiator listed (its Add) are concerned: one it never listed (an invitation that
   * expired before the signature reached it, a join request not approved yet) stays private and is
   * not boosted; a later Add makes it public then. Returns how many boosts were queued.
   */
  async incomingLaunch(callApId: string, initiatorApId: string): Promise<number> {
    const { count, queued } = await this.#em.fork().transactional(async (em) => {
      const stamps = await em.find(CosignStampSchema, { callApId, initiatorApId, revokedAt: null, listedAt: { $ne: null } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const now = this.#now();
      let count = 0;
      let queued = false;
      // One boost per collective, from its newest stamp for the call.
      const byCollective = new Map<string, CosignStampRow>();
      for (const s of stamps) {
        s.publicAt ??= now;
        const key = typeof s.collective === "string" ? s.collective : s.collective.id;
        const known = byCollective.get(key);
        if (!known || known.signedAt < s.signedAt) byCollective.set(key, s);
      }
      for (const [collectiveId, stamp] of byCollective) {
        if (stamps.some((s) => (typeof s.collective === "string" ? s.collective : s.collective.id) === collectiveId && s.announcedAt)) continue;
        stamp.announcedAt = now;
        queued = (await writeOutbox(em, this.#urls.stampAnnounce(stamp.id).href, { kind: "cosign-announce", collectiveId, stampId: stamp.id })) || queued;
        count++;
      }
      await em.flush();
      return { count, queued };
    });
    if (queued) this.#onOutbox();
    return count;
  }

  /** The stamps of ours the initiator listed but whose call we have not seen launched (to ask the call). */
  async awaitingLaunch(stampId: string): Promise<{ callApId: string; initiatorApId: string; slug: string } | null> {
    if (!isUuid(stampId)) return null;
    const row = await this.#em.fork().findOne(CosignStampSchema, { id: stampId, revokedAt: null, publicAt: null }, { populate: ["collective"] });
    return row ? { callApId: row.callApId, initiatorApId: row.initiatorApId, slug: row.collective.slug } : null;
  }

  /** The initiator listed one of our stamps (its Add): noted; only the initiator of that call may. */
  async incomingListed(stampId: string, initiatorApId: string): Promise<CosignOutcome> {
    if (!isUuid(stampId)) return { ok: false, reason: "no such stamp here" };
    const em = this.#em.fork();
    const row = await em.findOne(CosignStampSchema, { id: stampId });
    if (!row || row.initiatorApId !== initiatorApId) return { ok: false, reason: "no stamp of ours for a call of that collective" };
    if (!row.listedAt && !row.revokedAt) {
      row.listedAt = this.#now();
      await em.flush();
    }
    return { ok: true, value: undefined };
  }

  // ---------------------------------------------------------------- internals

  #expiry(call: CallRow, asked: Temporal.Instant | undefined, now: Date): Date {
    let end = asked ? new Date(asked.epochMilliseconds) : new Date(now.getTime() + defaultInvitationDays * day);
    if (end.getTime() <= now.getTime()) throw invalid("the invitation's end is in the past", [{ field: "expiresAt", message: "must be in the future" }]);
    if (call.deadline && call.deadline < end) end = call.deadline;
    return end;
  }

  /** Asks a signer again for the call's current version (its signature pins an older text). */
  async #reinvite(em: EntityManager, call: CallRow, signature: CallSignatureRow): Promise<boolean> {
    const now = this.#now();
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
    return writeOutbox(em, this.#urls.callInvitation(call.id, row.id).href, { kind: "cosign-request", collectiveId: call.collective.id, invitationId: row.id });
  }

  async #signable(em: EntityManager, call: CallRow, version: number): Promise<SignableVersion | null> {
    const row = await em.findOne(CallVersionSchema, { call: call.id, version });
    if (!row) return null;
    return signableFromText(rowToText(row, call.collective.primaryLanguage), {
      call: this.#urls.call(call.id).href,
      initiator: this.#urls.collective(call.collective.slug).href,
      version,
      eventUrl: (id) => this.#urls.event(id).href,
    });
  }

  async #withCall<T>(actor: CallActor, callId: string, apply: (em: EntityManager, call: CallRow, collective: Collective) => Promise<T>): Promise<T> {
    if (!isUuid(callId)) throw notFound(`the call ${callId}`);
    return this.#em.fork().transactional(async (em) => {
      const call = await em.findOne(CallSchema, { id: callId, deletedAt: null }, { populate: ["collective"], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!call) throw notFound(`the call ${callId}`);
      if (!mayEdit(actor, call.collective.id)) {
        if (!call.launchedAt) throw notFound(`the call ${callId}`);
        throw forbidden(`you are not an editor of "${call.collective.slug}"`);
      }
      return apply(em, call, call.collective);
    });
  }

  async #readableCall(em: EntityManager, actor: CallActor, callId: string): Promise<CallRow> {
    const call = isUuid(callId) ? await em.findOne(CallSchema, { id: callId, deletedAt: null }, { populate: ["collective"] }) : null;
    if (!call) throw notFound(`the call ${callId}`);
    if (!mayEdit(actor, call.collective.id)) {
      if (!call.launchedAt) throw notFound(`the call ${callId}`);
      throw forbidden(`you are not an editor of "${call.collective.slug}"`);
    }
    return call;
  }

  async #signingCollective(em: EntityManager, actor: CallActor, slug: string): Promise<Collective> {
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    if (!maySign(actor, collective.id)) throw forbidden(`you are not an editor of "${slug}"`);
    return collective;
  }

  async #withReceived<T>(
    actor: CallActor,
    slug: string,
    id: string,
    apply: (em: EntityManager, row: ReceivedInvitationRow, collective: Collective) => Promise<T>,
  ): Promise<T> {
    return this.#em.fork().transactional(async (em) => {
      const collective = await this.#signingCollective(em, actor, slug);
      const row = isUuid(id) ? await em.findOne(ReceivedInvitationSchema, { id, collective: collective.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
      if (!row) throw notFound(`the invitation ${id}`);
      return apply(em, row, collective);
    });
  }

  #assertAnswerable(row: ReceivedInvitationRow): void {
    if (row.state === "pending" && row.expiresAt <= this.#now()) {
      throw new AppError("conflict", 409, `the invitation expired on ${row.expiresAt.toISOString()}: ask the initiator to invite you again`);
    }
    if (row.state !== "pending") throw conflict(`the invitation is ${row.state} already`);
  }

  async #stampsOf(em: EntityManager, rows: readonly ReceivedInvitationRow[]): Promise<Map<string, string>> {
    if (rows.length === 0) return new Map();
    const stamps = await em.find(CosignStampSchema, { invitation: { $in: rows.map((r) => r.id) } }, { fields: ["id", "invitation"] });
    return new Map(stamps.flatMap((s) => (s.invitation ? [[typeof s.invitation === "string" ? s.invitation : s.invitation.id, s.id] as [string, string]] : [])));
  }

  async #audit(em: EntityManager, actor: CallActor, collectiveId: string, action: AuditAction, subject: string, detail: string): Promise<void> {
    await writeAudit(em, { collectiveId, actor: actor === "cli" ? "cli" : actor, action, subject, detail });
  }

  #invitationView(row: CallInvitationRow, now: Date = this.#now()): InvitationView {
    const expired = row.state === "invited" && row.expiresAt <= now;
    return {
      id: row.id,
      callId: typeof row.call === "string" ? row.call : row.call.id,
      partner: { apId: row.partnerApId, name: row.partnerName ?? null },
      version: row.version,
      purpose: row.purpose,
      state: expired ? "expired" : row.state,
      expiresAt: instant(row.expiresAt),
      createdAt: instant(row.createdAt),
      answeredAt: optInstant(row.answeredAt),
    };
  }

  #signatureView(row: CallSignatureRow): SignatureView {
    return {
      id: row.id,
      callId: typeof row.call === "string" ? row.call : row.call.id,
      signer: { apId: row.signerApId, name: row.signerName ?? null },
      stampId: row.stampId,
      version: row.version,
      languages: row.digests.map((d) => d.language),
      state: row.state,
      stamp: row.stamp,
      verifiedAt: instant(row.verifiedAt),
      unreachableSince: optInstant(row.unreachableSince),
      revokedAt: optInstant(row.revokedAt),
    };
  }

  #receivedView(row: ReceivedInvitationRow, slug: string, stampId: string | null): ReceivedInvitationView {
    const s = row.signable as unknown as SignableVersion;
    const expired = row.state === "pending" && row.expiresAt <= this.#now();
    const texts = signableTexts(s, row.digests.map((d: TextDigest) => d.language));
    return {
      id: row.id,
      collective: slug,
      call: { apId: row.callApId, initiator: row.initiatorApId, initiatorName: row.initiatorName ?? null },
      version: row.version,
      state: expired ? "expired" : row.state,
      expiresAt: instant(row.expiresAt),
      createdAt: instant(row.createdAt),
      answeredAt: optInstant(row.answeredAt),
      digests: row.digests,
      authoritativeLanguages: row.authoritativeLanguages,
      texts,
      deadline: s.deadline,
      relatedEvents: s.relatedEvents,
      stamp: stampId ? { id: stampId, url: this.#urls.stamp(stampId).href } : null,
    };
  }

  #stampView(row: CosignStampRow): StampView {
    return {
      id: row.id,
      collective: { id: row.collective.id, slug: row.collective.slug },
      callApId: row.callApId,
      initiatorApId: row.initiatorApId,
      initiatorInbox: row.initiatorInbox,
      requestId: row.invitation ? row.invitation.requestId : null,
      signatoriesUrl: row.signatoriesUrl,
      version: row.version,
      digests: row.digests,
      versionDocument: row.versionDocument,
      signedAt: instant(row.signedAt),
      publicAt: optInstant(row.publicAt),
      listedAt: optInstant(row.listedAt),
      announcedAt: optInstant(row.announcedAt),
      revokedAt: optInstant(row.revokedAt),
    };
  }
}
