import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { forbidden, notFound } from "../../shared/errors.ts";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import { type CallRow, CallSchema, CallVersionSchema } from "../call/call.entity.ts";
import { rowToText } from "../call/call.record.ts";
import type { CallActor } from "../call/call.service.ts";
import { type Collective, CollectiveSchema } from "../collective/collective.entity.ts";
import { can } from "../collective/collective.policy.ts";
import { type SignableVersion, signableFromText } from "./call-digest.ts";

/** What every co-signing service is built with (one of each per runtime, shared by the initiator's, the signer's and the join-request sides). */
export interface CosignContext {
  readonly em: EntityManager;
  readonly urls: Urls;
  /** Called after a transaction that wrote outbox rows committed (wakes the relay). */
  readonly onOutbox: () => void;
  readonly now: () => Date;
}

/** A context from the runtime's dependencies: without `onOutbox` nothing is woken, without `now` the system clock. */
export function cosignContext(em: EntityManager, urls: Urls, opts: { onOutbox?: () => void; now?: () => Date } = {}): CosignContext {
  return { em, urls, onOutbox: opts.onOutbox ?? (() => {}), now: opts.now ?? (() => new Date()) };
}

export const day = 24 * 60 * 60 * 1000;
/** An invitation without an explicit end expires after this (or at the call's deadline, if sooner). */
export const defaultInvitationDays = 14;
/** A declined invitation may be sent again only after this. */
export const declineCooldownDays = 7;

/** Statuses of a call in which partners may be invited and may sign. */
export const signableStatuses: readonly string[] = ["consultation", "open"];

export const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());
export const optInstant = (d: Date | null | undefined) => (d ? instant(d) : null);

export const mayEdit = (actor: CallActor, collectiveId: string) => actor === "cli" || can(actor, "edit-calls", collectiveId);
export const maySign = (actor: CallActor, collectiveId: string) => actor === "cli" || can(actor, "sign-calls", collectiveId);

/** One audit line for an editor's (or the CLI's) co-signing action, in the caller's transaction. */
export async function auditCosign(em: EntityManager, actor: CallActor, collectiveId: string, action: AuditAction, subject: string, detail: string): Promise<void> {
  await writeAudit(em, { collectiveId, actor: actor === "cli" ? "cli" : actor, action, subject, detail });
}

/** The signable form of one stored version of a local call (its `collective` populated), or null when it has no such version. */
export async function storedSignable(em: EntityManager, urls: Urls, call: CallRow, version: number): Promise<SignableVersion | null> {
  const row = await em.findOne(CallVersionSchema, { call: call.id, version });
  if (!row) return null;
  return signableFromText(rowToText(row, call.collective.primaryLanguage), {
    call: urls.call(call.id).href,
    initiator: urls.collective(call.collective.slug).href,
    version,
    eventUrl: (id) => urls.event(id).href,
  });
}

/** A local collective the actor signs for: 404 when there is none, 403 when the actor is not its editor. */
export async function signingCollective(em: EntityManager, actor: CallActor, slug: string): Promise<Collective> {
  const collective = await em.findOne(CollectiveSchema, { slug });
  if (!collective) throw notFound(`the collective "${slug}"`);
  if (!maySign(actor, collective.id)) throw forbidden(`you are not an editor of "${slug}"`);
  return collective;
}

/**
 * A call (not deleted, its collective populated) the actor edits, locked for the transaction if asked:
 * 404 when there is none, and to anyone else while it is not launched; 403 to anyone else once launched.
 */
export async function editableCall(em: EntityManager, actor: CallActor, callId: string, lock = false): Promise<CallRow> {
  const call = isUuid(callId)
    ? await em.findOne(CallSchema, { id: callId, deletedAt: null }, { populate: ["collective"], ...(lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) })
    : null;
  if (!call) throw notFound(`the call ${callId}`);
  if (!mayEdit(actor, call.collective.id)) {
    if (!call.launchedAt) throw notFound(`the call ${callId}`);
    throw forbidden(`you are not an editor of "${call.collective.slug}"`);
  }
  return call;
}
