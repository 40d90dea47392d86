import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { conflict, invalid, notFound } from "../../shared/errors.ts";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { type CallRow, CallSchema } from "../call/call.entity.ts";
import type { CallActor } from "../call/call.service.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import { coversUnchanged, type SignableVersion, stampDigestMismatch, versionDigests } from "./call-digest.ts";
import { auditCosign, type CosignContext, cosignContext, day, editableCall, instant, signingCollective, storedSignable } from "./cosign-context.ts";
import { CallSignatureSchema, CosignStampSchema, type CosignStampRow, StampRevocationSchema } from "./cosign.entity.ts";
import type { CosignOutcome, CosignPartner, IncomingStamp } from "./cosign.types.ts";
import { CallJoinRequestSchema, type CallJoinRequestRow, type JoinPolicy, type JoinRequestState } from "./join-request.entity.ts";

/** Join requests kept pending from one server in a day, beyond which its further requests are not stored (spam). */
export const pendingJoinsPerOriginPerDay = 20;

/** A request to sign one of our calls, for its editors (never public). */
export interface JoinRequestView {
  readonly id: string;
  readonly callId: string;
  readonly requester: { readonly apId: string; readonly name: string | null };
  readonly stampId: string;
  readonly version: number;
  readonly languages: readonly string[];
  readonly state: JoinRequestState;
  readonly createdAt: Temporal.Instant;
  readonly decidedAt: Temporal.Instant | null;
}

/** An open call on another server as the federation layer read and checked it (its current version's proof). */
export interface CallToJoin {
  readonly callApId: string;
  readonly initiator: CosignPartner;
  readonly signatoriesUrl: string;
  readonly signable: SignableVersion;
  readonly authoritativeLanguages: readonly string[];
  readonly versionDocument: Record<string, unknown>;
}

/** A request one of our collectives sent (its stamp), and where it stands. */
export interface SentJoinView {
  readonly stampId: string;
  readonly url: string;
  readonly collective: string;
  readonly callApId: string;
  readonly initiatorApId: string;
  readonly version: number;
  readonly languages: readonly string[];
  readonly state: "pending" | "listed" | "refused" | "revoked";
  readonly signedAt: Temporal.Instant;
}

/** A received `Create` of a stamp, checked by the federation layer (stamp fetched from its origin, proof verified). */
export interface IncomingJoin {
  readonly callId: string;
  readonly activityId: string;
  readonly requester: CosignPartner;
  readonly stamp: IncomingStamp;
}

/**
 * Join requests (FEDERATION.md "Join requests", design §5 #6–#7): a collective on another server asks
 * to sign an open call by sending its stamp. Per call the initiator's editors choose automatic approval
 * (listed at once) or approval by hand; approved, it is listed as an invited signature is (Add);
 * refused, it answers Reject and nothing is public. The signer's side: asking (a stamp without an
 * invitation), and learning of a refusal (the stamp then answers 410).
 */
export class JoinRequestService {
  readonly #ctx: CosignContext;

  constructor(em: EntityManager, urls: Urls, opts: { onOutbox?: () => void; now?: () => Date } = {}) {
    this.#ctx = cosignContext(em, urls, opts);
  }

  // ---------------------------------------------------------------- initiator

  async policy(actor: CallActor, callId: string): Promise<JoinPolicy> {
    const call = await editableCall(this.#ctx.em.fork(), actor, callId);
    return call.joinPolicy;
  }

  async setPolicy(actor: CallActor, callId: string, policy: JoinPolicy): Promise<JoinPolicy> {
    if (policy !== "manual" && policy !== "automatic") throw invalid("policy: manual or automatic", [{ field: "policy", message: "must be manual or automatic" }]);
    return this.#ctx.em.fork().transactional(async (em) => {
      const call = await editableCall(em, actor, callId, true);
      if (call.joinPolicy !== policy) {
        call.joinPolicy = policy;
        await em.flush();
        await auditCosign(em, actor, call.collective.id, "call.join-policy", call.id, policy);
      }
      return call.joinPolicy;
    });
  }

  /** The requests to sign a call, every state, oldest first: for its editors only. */
  async requests(actor: CallActor, callId: string): Promise<JoinRequestView[]> {
    const em = this.#ctx.em.fork();
    const call = await editableCall(em, actor, callId);
    const rows = await em.find(CallJoinRequestSchema, { call: call.id }, { orderBy: { createdAt: "asc" }, limit: 500 });
    return rows.map((r) => this.#view(r));
  }

  /**
   * A collective asked to sign an open call (its stamp checked by the federation layer). Stored once
   * per activity and stamp; listed at once when the call's policy is automatic, kept pending otherwise.
   */
  async incomingJoin(input: IncomingJoin): Promise<CosignOutcome<{ requestId: string; state: JoinRequestState }>> {
    if (!isUuid(input.callId)) return { ok: false, reason: "no such call" };
    const result = await this.#ctx.em.fork().transactional(async (em): Promise<CosignOutcome<{ requestId: string; state: JoinRequestState }> & { queued?: boolean }> => {
      const call = await em.findOne(CallSchema, { id: input.callId, deletedAt: null }, { populate: ["collective"], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!call) return { ok: false, reason: "no such call" };
      const seen = await em.findOne(CallJoinRequestSchema, { $or: [{ activityId: input.activityId }, { stampId: input.stamp.stampId }] });
      if (seen) return { ok: true, value: { requestId: seen.id, state: seen.state } };
      if (call.status !== "open") return { ok: false, reason: `the call is ${call.status}: only an open call can be joined` };
      if (input.stamp.signerApId !== input.requester.apId.href) return { ok: false, reason: "the stamp is another collective's" };
      if (input.requester.apId.href === this.#ctx.urls.collective(call.collective.slug).href) return { ok: false, reason: "the call's own collective" };
      if ((await em.count(CallSignatureSchema, { stampId: input.stamp.stampId })) > 0) return { ok: false, reason: "that stamp is known already" };
      if ((await em.count(StampRevocationSchema, { stampId: input.stamp.stampId })) > 0) return { ok: false, reason: "that stamp was revoked" };
      if ((await em.count(CallSignatureSchema, { call: call.id, signerApId: input.requester.apId.href, state: "current" })) > 0) {
        return { ok: false, reason: "that collective is listed already" };
      }
      const checked = await this.#checkDigests(em, call, input.stamp);
      if (!checked.ok) return checked;
      const origin = `${input.requester.apId.origin}/`;
      const recent = await em.count(CallJoinRequestSchema, { requesterApId: { $like: `${origin}%` }, state: "pending", createdAt: { $gt: new Date(this.#ctx.now().getTime() - day) } });
      if (recent >= pendingJoinsPerOriginPerDay) return { ok: false, reason: `${input.requester.apId.origin} has ${recent} pending requests today already` };
      const now = this.#ctx.now();
      const row = em.create(CallJoinRequestSchema, {
        call: call.id,
        requesterApId: input.requester.apId.href,
        requesterInbox: input.requester.inboxUrl.href,
        requesterSharedInbox: input.requester.sharedInboxUrl?.href ?? null,
        requesterName: input.requester.name ?? null,
        activityId: input.activityId,
        stampId: input.stamp.stampId,
        version: input.stamp.version,
        digests: input.stamp.digests.map((d) => ({ ...d })),
        stamp: input.stamp.document,
        state: "pending",
        createdAt: now,
      });
      await em.flush();
      let queued = false;
      if (call.joinPolicy === "automatic") queued = await this.#list(em, call, row);
      return { ok: true, value: { requestId: row.id, state: row.state }, queued };
    });
    if ("queued" in result && result.queued) this.#ctx.onOutbox();
    return result.ok ? { ok: true, value: result.value } : result;
  }

  /** An editor approves a pending request: the signature is listed (Add to the signer). */
  async approve(actor: CallActor, callId: string, requestId: string): Promise<JoinRequestView> {
    return this.#decide(actor, callId, requestId, "call.join-approve", async (em, call, row) => {
      if (call.status !== "open") throw conflict(`the call is ${call.status}: only an open call can take new signatories`);
      const checked = await this.#checkDigests(em, call, { stampId: row.stampId, signerApId: row.requesterApId, version: row.version, digests: row.digests, document: row.stamp });
      if (!checked.ok) throw conflict(`the request cannot be approved: ${checked.reason}`);
      if ((await em.count(StampRevocationSchema, { stampId: row.stampId })) > 0) throw conflict("the requester revoked that signature since");
      return this.#list(em, call, row);
    });
  }

  /** An editor refuses a pending request: a Reject to the requester only; nothing public. */
  async refuse(actor: CallActor, callId: string, requestId: string): Promise<JoinRequestView> {
    return this.#decide(actor, callId, requestId, "call.join-refuse", async (em, call, row) => {
      row.state = "refused";
      row.decidedAt = this.#ctx.now();
      await em.flush();
      return writeOutbox(em, `${this.#ctx.urls.callSignatories(call.id).href}#refuse-${row.id}`, { kind: "cosign-join-refuse", collectiveId: call.collective.id, requestId: row.id });
    });
  }

  /** An open call of ours that may be asked to join, for the federation layer (its collective signs the stamp's GET). */
  async joinable(callId: string): Promise<{ slug: string } | null> {
    if (!isUuid(callId)) return null;
    const call = await this.#ctx.em.fork().findOne(CallSchema, { id: callId, deletedAt: null, status: "open" }, { populate: ["collective"] });
    return call ? { slug: call.collective.slug } : null;
  }

  /** A request, for the federation layer (to send its Reject). */
  async request(requestId: string): Promise<(JoinRequestView & { activityId: string; requesterInbox: string }) | null> {
    if (!isUuid(requestId)) return null;
    const row = await this.#ctx.em.fork().findOne(CallJoinRequestSchema, { id: requestId });
    return row ? { ...this.#view(row), activityId: row.activityId, requesterInbox: row.requesterInbox } : null;
  }

  // ---------------------------------------------------------------- signer

  /**
   * Asks to sign an open call of another server: a stamp over the digests of `languages` (default every
   * signable one), served to the initiator only until it lists it, and a Create of it sent to the initiator.
   */
  async requestToJoin(actor: CallActor, slug: string, call: CallToJoin, opts: { languages?: readonly string[] | undefined } = {}): Promise<SentJoinView> {
    const digests = versionDigests(call.signable);
    if (digests.length === 0) throw conflict("the call's current version has no language with a title, a text and every demand: it cannot be signed");
    const chosen = opts.languages && opts.languages.length > 0 ? [...new Set(opts.languages)] : digests.map((d) => d.language);
    const unknown = chosen.filter((l) => !digests.some((d) => d.language === l));
    if (unknown.length > 0) {
      throw invalid(`the call cannot be signed in ${unknown.join(", ")}: choose among ${digests.map((d) => d.language).join(", ")}`, [{ field: "languages", message: `${unknown.join(", ")} cannot be signed` }]);
    }
    if (!chosen.some((l) => call.authoritativeLanguages.includes(l))) {
      throw invalid(`a signature must cover an authoritative language of the call (${call.authoritativeLanguages.join(", ")})`, [{ field: "languages", message: `include ${call.authoritativeLanguages.join(" or ")}` }]);
    }
    const { view, queued } = await this.#ctx.em.fork().transactional(async (em) => {
      const collective = await signingCollective(em, actor, slug);
      if (call.initiator.apId.href === this.#ctx.urls.collective(collective.slug).href) throw conflict("a collective cannot ask to sign its own call");
      const live = await em.findOne(CosignStampSchema, { collective: collective.id, callApId: call.callApId, revokedAt: null, version: call.signable.version });
      if (live) throw conflict(`@${slug} signed (or asked to sign) version ${call.signable.version} of this call already: ${this.#ctx.urls.stamp(live.id).href}`);
      const stamp = em.create(CosignStampSchema, {
        collective: collective.id,
        invitation: null,
        callApId: call.callApId,
        initiatorApId: call.initiator.apId.href,
        initiatorInbox: call.initiator.inboxUrl.href,
        initiatorSharedInbox: call.initiator.sharedInboxUrl?.href ?? null,
        signatoriesUrl: call.signatoriesUrl,
        version: call.signable.version,
        digests: digests.filter((d) => chosen.includes(d.language)),
        versionDocument: call.versionDocument,
        signedAt: this.#ctx.now(),
      });
      await em.flush();
      const queued = await writeOutbox(em, this.#ctx.urls.stampJoin(stamp.id).href, { kind: "cosign-join", collectiveId: collective.id, stampId: stamp.id });
      await auditCosign(em, actor, collective.id, "call.join-request", stamp.id, call.callApId);
      return { view: this.#sentView(stamp, collective.slug), queued };
    });
    if (queued) this.#ctx.onOutbox();
    return view;
  }

  /** The requests to sign a collective sent (stamps without an invitation), newest first. */
  async sent(actor: CallActor, slug: string): Promise<SentJoinView[]> {
    const em = this.#ctx.em.fork();
    const collective = await signingCollective(em, actor, slug);
    const rows = await em.find(CosignStampSchema, { collective: collective.id, invitation: null }, { orderBy: { signedAt: "desc" }, limit: 500 });
    return rows.map((r) => this.#sentView(r, collective.slug));
  }

  /** The initiator refused our request (its Reject of our Create): the stamp is gone (410) and never listed. */
  async incomingRefusal(stampId: string, initiatorApId: string): Promise<CosignOutcome> {
    if (!isUuid(stampId)) return { ok: false, reason: "no such stamp here" };
    return this.#ctx.em.fork().transactional(async (em) => {
      const row = await em.findOne(CosignStampSchema, { id: stampId, invitation: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row || row.initiatorApId !== initiatorApId) return { ok: false, reason: "no request of ours to a call of that collective" };
      if (row.listedAt) return { ok: false, reason: "the stamp was listed already: only its signer may revoke it" };
      if (!row.refusedAt) {
        row.refusedAt = this.#ctx.now();
        row.revokedAt ??= row.refusedAt;
        await em.flush();
      }
      return { ok: true, value: undefined };
    });
  }

  // ---------------------------------------------------------------- internals

  /** Lists a request's stamp (in the caller's transaction): a current signature (or pending, if the text moved on) and its Add. */
  async #list(em: EntityManager, call: CallRow, row: CallJoinRequestRow): Promise<boolean> {
    const now = this.#ctx.now();
    let state: "current" | "pending" = "current";
    if (row.version !== call.version) {
      const current = await storedSignable(em, this.#ctx.urls, call, call.version);
      state = current && coversUnchanged(row.digests, versionDigests(current)) ? "current" : "pending";
    }
    for (const old of await em.find(CallSignatureSchema, { call: call.id, signerApId: row.requesterApId, state: { $in: ["current", "pending"] } })) old.state = "removed";
    const signature = em.create(CallSignatureSchema, {
      call: call.id,
      invitation: null,
      signerApId: row.requesterApId,
      signerInbox: row.requesterInbox,
      signerSharedInbox: row.requesterSharedInbox,
      signerName: row.requesterName,
      stampId: row.stampId,
      version: row.version,
      digests: row.digests.map((d) => ({ ...d })),
      stamp: row.stamp,
      state,
      createdAt: now,
      verifiedAt: now,
    });
    row.state = "approved";
    row.decidedAt = now;
    row.signature = signature;
    await em.flush();
    return writeOutbox(em, `${this.#ctx.urls.callSignatories(call.id).href}#add-${signature.id}`, { kind: "cosign-listed", collectiveId: call.collective.id, signatureId: signature.id });
  }

  async #checkDigests(em: EntityManager, call: CallRow, stamp: IncomingStamp): Promise<CosignOutcome> {
    if (stamp.version > call.version || stamp.version < 1) return { ok: false, reason: `the stamp pins version ${stamp.version}, which the call does not have` };
    const signed = await storedSignable(em, this.#ctx.urls, call, stamp.version);
    if (!signed) return { ok: false, reason: "the signed version is unknown" };
    const mismatch = stampDigestMismatch(stamp.digests, signed, call.collective.primaryLanguage);
    return mismatch ? { ok: false, reason: mismatch } : { ok: true, value: undefined };
  }

  async #decide(
    actor: CallActor,
    callId: string,
    requestId: string,
    action: AuditAction,
    apply: (em: EntityManager, call: CallRow, row: CallJoinRequestRow) => Promise<boolean>,
  ): Promise<JoinRequestView> {
    const { view, queued } = await this.#ctx.em.fork().transactional(async (em) => {
      const call = await editableCall(em, actor, callId, true);
      const row = isUuid(requestId) ? await em.findOne(CallJoinRequestSchema, { id: requestId, call: call.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
      if (!row) throw notFound(`the request ${requestId}`);
      if (row.state !== "pending") throw conflict(`the request was ${row.state} already`);
      const queued = await apply(em, call, row);
      await auditCosign(em, actor, call.collective.id, action, row.id, row.requesterApId);
      return { view: this.#view(row), queued };
    });
    if (queued) this.#ctx.onOutbox();
    return view;
  }

  #view(row: CallJoinRequestRow): JoinRequestView {
    return {
      id: row.id,
      callId: typeof row.call === "string" ? row.call : row.call.id,
      requester: { apId: row.requesterApId, name: row.requesterName ?? null },
      stampId: row.stampId,
      version: row.version,
      languages: row.digests.map((d) => d.language),
      state: row.state,
      createdAt: instant(row.createdAt),
      decidedAt: row.decidedAt ? instant(row.decidedAt) : null,
    };
  }

  #sentView(row: CosignStampRow, slug: string): SentJoinView {
    const state = row.refusedAt ? "refused" : row.revokedAt ? "revoked" : row.listedAt ? "listed" : "pending";
    return {
      stampId: row.id,
      url: this.#ctx.urls.stamp(row.id).href,
      collective: slug,
      callApId: row.callApId,
      initiatorApId: row.initiatorApId,
      version: row.version,
      languages: row.digests.map((d) => d.language),
      state,
      signedAt: instant(row.signedAt),
    };
  }
}
