import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { AppError, conflict, invalid, notFound } from "../../shared/errors.ts";
import { isUuid } from "../../shared/uuid.ts";
import type { CallActor } from "../call/call.service.ts";
import { type Collective, CollectiveSchema } from "../collective/collective.entity.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import { type SignableVersion, signableTexts, versionDigests } from "./call-digest.ts";
import { auditCosign, type CosignContext, day, defaultInvitationDays, signingCollective } from "./cosign-context.ts";
import { CosignStampSchema, type CosignStampRow, type ReceivedInvitationRow, ReceivedInvitationSchema } from "./cosign.entity.ts";
import type { CosignOutcome, IncomingInvitation, PreviousSignature, ReceivedInvitationView, StampView } from "./cosign.types.ts";
import { receivedView, stampView } from "./cosign.views.ts";

/**
 * The signer's side (design §6 "Signer at B"): the invitations a local collective received (the exact
 * version it was shown), its answers, the stamps it issues and revokes, and what the initiator tells it
 * (its stamp listed, the call launched: the boost).
 */
export class CosignStampService {
  readonly #ctx: CosignContext;

  constructor(ctx: CosignContext) {
    this.#ctx = ctx;
  }

  /** A CosignRequest for a local collective, checked by the federation layer: stored once per request id. */
  async incomingInvitation(input: IncomingInvitation): Promise<CosignOutcome<{ id: string; created: boolean }>> {
    const digests = versionDigests(input.signable);
    if (digests.length === 0) return { ok: false, reason: "the version has no language with a title, a text and every demand" };
    if (!input.authoritativeLanguages.some((l) => digests.some((d) => d.language === l))) {
      return { ok: false, reason: "no authoritative language of the version can be signed" };
    }
    return this.#ctx.em.fork().transactional(async (em) => {
      const collective = await em.findOne(CollectiveSchema, { slug: input.collectiveSlug });
      if (!collective) return { ok: false, reason: "no such collective here" };
      const existing = await em.findOne(ReceivedInvitationSchema, { collective: collective.id, requestId: input.requestId });
      if (existing) return { ok: true, value: { id: existing.id, created: false } };
      const now = this.#ctx.now();
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

  /**
   * The initiator withdrew its invitation (design #4, its Undo of the request, checked by the federation
   * layer: signed by the initiator): a pending invitation it sent with that id is withdrawn. One already
   * answered stays as it is (a signature is ours to revoke). Idempotent.
   */
  async incomingWithdrawal(requestId: string, initiatorApId: string): Promise<CosignOutcome<{ withdrawn: number }>> {
    return this.#ctx.em.fork().transactional(async (em) => {
      const rows = await em.find(ReceivedInvitationSchema, { requestId, initiatorApId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (rows.length === 0) return { ok: false, reason: "no invitation of that collective has that id" };
      let withdrawn = 0;
      for (const row of rows) {
        if (row.state !== "pending" && row.state !== "superseded") continue;
        row.state = "withdrawn";
        row.answeredAt = this.#ctx.now();
        withdrawn++;
      }
      await em.flush();
      return { ok: true, value: { withdrawn } };
    });
  }

  /** The invitations a collective received, newest first, for its editors. */
  async received(actor: CallActor, slug: string): Promise<ReceivedInvitationView[]> {
    const em = this.#ctx.em.fork();
    const collective = await signingCollective(em, actor, slug);
    // A withdrawn invitation is gone from the list: its initiator took the text back.
    const rows = await em.find(ReceivedInvitationSchema, { collective: collective.id, state: { $ne: "withdrawn" } }, { orderBy: { createdAt: "desc" }, limit: 500 });
    const stamps = await this.#stampsOf(em, rows);
    const signedBefore = (r: ReceivedInvitationRow) => rows.some((o) => o.callApId === r.callApId && o.version < r.version && o.state === "signed");
    return rows.map((r) => ({ ...receivedView(this.#ctx.urls, this.#ctx.now(), r, collective.slug, stamps.get(r.id) ?? null), reconfirmation: r.state === "pending" && signedBefore(r) }));
  }

  async receivedOne(actor: CallActor, slug: string, id: string): Promise<ReceivedInvitationView> {
    const em = this.#ctx.em.fork();
    const collective = await signingCollective(em, actor, slug);
    const row = isUuid(id) ? await em.findOne(ReceivedInvitationSchema, { id, collective: collective.id }) : null;
    if (!row) throw notFound(`the invitation ${id}`);
    if (row.state === "withdrawn") throw withdrawnError(row);
    const stamps = await this.#stampsOf(em, [row]);
    return { ...receivedView(this.#ctx.urls, this.#ctx.now(), row, collective.slug, stamps.get(row.id) ?? null), previous: await this.#previousSignature(em, row) };
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
      const now = this.#ctx.now();
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
      const queued = await writeOutbox(em, `${this.#ctx.urls.stamp(stamp.id).href}#accept`, { kind: "cosign-accept", collectiveId: collective.id, stampId: stamp.id });
      await auditCosign(em, actor, collective.id, "call.sign", stamp.id, row.callApId);
      return { view: receivedView(this.#ctx.urls, this.#ctx.now(), row, collective.slug, stamp.id), queued };
    });
    if (queued) this.#ctx.onOutbox();
    return view;
  }

  /** Declines: a Reject to the initiator only (declines are never public). */
  async decline(actor: CallActor, slug: string, id: string): Promise<ReceivedInvitationView> {
    const { view, queued } = await this.#withReceived(actor, slug, id, async (em, row, collective) => {
      this.#assertAnswerable(row);
      row.state = "declined";
      row.answeredAt = this.#ctx.now();
      await em.flush();
      const queued = await writeOutbox(em, this.#ctx.urls.invitationAnswer(collective.slug, row.id).href, { kind: "cosign-decline", collectiveId: collective.id, receivedId: row.id });
      await auditCosign(em, actor, collective.id, "call.decline", row.id, row.callApId);
      return { view: receivedView(this.#ctx.urls, this.#ctx.now(), row, collective.slug, null), queued };
    });
    if (queued) this.#ctx.onOutbox();
    return view;
  }

  /** The stamps a collective issued, newest first (its signatures of other collectives' calls). */
  async stamps(actor: CallActor, slug: string): Promise<StampView[]> {
    const em = this.#ctx.em.fork();
    const collective = await signingCollective(em, actor, slug);
    const rows = await em.find(CosignStampSchema, { collective: collective.id }, { populate: ["collective", "invitation"], orderBy: { signedAt: "desc" }, limit: 500 });
    return rows.map((r) => stampView(r));
  }

  /**
   * Revokes a signature: the stamp's URL answers 410 from now on and its id is never used again; a
   * Delete goes to the initiator, the co-signatories and the collective's followers, and the boost of
   * the call is undone.
   */
  async revoke(actor: CallActor, slug: string, stampId: string): Promise<StampView> {
    const { view, queued } = await this.#ctx.em.fork().transactional(async (em) => {
      const collective = await signingCollective(em, actor, slug);
      const row = isUuid(stampId)
        ? await em.findOne(CosignStampSchema, { id: stampId, collective: collective.id }, { populate: ["collective", "invitation"], lockMode: LockMode.PESSIMISTIC_WRITE })
        : null;
      if (!row) throw notFound(`the signature ${stampId}`);
      if (row.revokedAt) return { view: stampView(row), queued: false };
      row.revokedAt = this.#ctx.now();
      await em.flush();
      let queued = await writeOutbox(em, this.#ctx.urls.stampDelete(row.id).href, { kind: "cosign-revoke", collectiveId: collective.id, stampId: row.id });
      if (row.announcedAt) {
        queued = (await writeOutbox(em, `${this.#ctx.urls.stampAnnounce(row.id).href}-undo`, { kind: "cosign-undo-announce", collectiveId: collective.id, stampId: row.id })) || queued;
      }
      await auditCosign(em, actor, collective.id, "call.revoke", row.id, row.callApId);
      return { view: stampView(row), queued };
    });
    if (queued) this.#ctx.onOutbox();
    return view;
  }

  /** A collective's public stamps (its `endorsements`), revoked ones included (they answer 410), newest first. */
  async publicStamps(slug: string): Promise<StampView[] | null> {
    const em = this.#ctx.em.fork();
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) return null;
    const rows = await em.find(CosignStampSchema, { collective: collective.id, publicAt: { $ne: null } }, { populate: ["collective", "invitation"], orderBy: { signedAt: "desc" }, limit: 500 });
    return rows.map((r) => stampView(r));
  }

  /** A stamp of this server, for its URL and for the activities that carry it; null when unknown. */
  async stamp(id: string): Promise<StampView | null> {
    if (!isUuid(id)) return null;
    const row = await this.#ctx.em.fork().findOne(CosignStampSchema, { id }, { populate: ["collective", "invitation"] });
    return row ? stampView(row) : null;
  }

  /** A received invitation, for the federation layer (to send its Reject). */
  async receivedForDelivery(id: string): Promise<{ requestId: string; initiatorApId: string; initiatorInbox: string; initiatorSharedInbox: string | null; slug: string } | null> {
    if (!isUuid(id)) return null;
    const row = await this.#ctx.em.fork().findOne(ReceivedInvitationSchema, { id }, { populate: ["collective"] });
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
    const { count, queued } = await this.#ctx.em.fork().transactional(async (em) => {
      const stamps = await em.find(CosignStampSchema, { callApId, initiatorApId, revokedAt: null, listedAt: { $ne: null } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const now = this.#ctx.now();
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
        queued = (await writeOutbox(em, this.#ctx.urls.stampAnnounce(stamp.id).href, { kind: "cosign-announce", collectiveId, stampId: stamp.id })) || queued;
        count++;
      }
      await em.flush();
      return { count, queued };
    });
    if (queued) this.#ctx.onOutbox();
    return count;
  }

  /** The stamps of ours the initiator listed but whose call we have not seen launched (to ask the call). */
  async awaitingLaunch(stampId: string): Promise<{ callApId: string; initiatorApId: string; slug: string } | null> {
    if (!isUuid(stampId)) return null;
    const row = await this.#ctx.em.fork().findOne(CosignStampSchema, { id: stampId, revokedAt: null, publicAt: null }, { populate: ["collective"] });
    return row ? { callApId: row.callApId, initiatorApId: row.initiatorApId, slug: row.collective.slug } : null;
  }

  /** The initiator listed one of our stamps (its Add): noted; only the initiator of that call may. */
  async incomingListed(stampId: string, initiatorApId: string): Promise<CosignOutcome> {
    if (!isUuid(stampId)) return { ok: false, reason: "no such stamp here" };
    const em = this.#ctx.em.fork();
    const row = await em.findOne(CosignStampSchema, { id: stampId });
    if (!row || row.initiatorApId !== initiatorApId) return { ok: false, reason: "no stamp of ours for a call of that collective" };
    if (!row.listedAt && !row.revokedAt) {
      row.listedAt = this.#ctx.now();
      await em.flush();
    }
    return { ok: true, value: undefined };
  }

  async #withReceived<T>(
    actor: CallActor,
    slug: string,
    id: string,
    apply: (em: EntityManager, row: ReceivedInvitationRow, collective: Collective) => Promise<T>,
  ): Promise<T> {
    return this.#ctx.em.fork().transactional(async (em) => {
      const collective = await signingCollective(em, actor, slug);
      const row = isUuid(id) ? await em.findOne(ReceivedInvitationSchema, { id, collective: collective.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
      if (!row) throw notFound(`the invitation ${id}`);
      return apply(em, row, collective);
    });
  }

  #assertAnswerable(row: ReceivedInvitationRow): void {
    if (row.state === "withdrawn") throw withdrawnError(row);
    if (row.state === "pending" && row.expiresAt <= this.#ctx.now()) {
      throw new AppError("conflict", 409, `the invitation expired on ${row.expiresAt.toISOString()}: ask the initiator to invite you again`);
    }
    if (row.state !== "pending") throw conflict(`the invitation is ${row.state} already`);
  }

  async #stampsOf(em: EntityManager, rows: readonly ReceivedInvitationRow[]): Promise<Map<string, string>> {
    if (rows.length === 0) return new Map();
    const stamps = await em.find(CosignStampSchema, { invitation: { $in: rows.map((r) => r.id) } }, { fields: ["id", "invitation"] });
    return new Map(stamps.flatMap((s) => (s.invitation ? [[typeof s.invitation === "string" ? s.invitation : s.invitation.id, s.id] as [string, string]] : [])));
  }
}

/** What an editor is told about an invitation its initiator withdrew (no text, no signing). */
function withdrawnError(row: ReceivedInvitationRow): AppError {
  const when = row.answeredAt ? ` on ${row.answeredAt.toISOString().slice(0, 10)}` : "";
  return new AppError("gone", 410, `the initiator withdrew this invitation${when}: it can no longer be read or signed`);
}
