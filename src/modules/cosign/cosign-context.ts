import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import { type CallRow, CallVersionSchema } from "../call/call.entity.ts";
import { rowToText } from "../call/call.record.ts";
import type { CallActor } from "../call/call.service.ts";
import { can } from "../collective/collective.policy.ts";
import { type SignableVersion, signableFromText } from "./call-digest.ts";

/** What every co-signing service is built with (one of each per runtime, shared by the three sides). */
export interface CosignContext {
  readonly em: EntityManager;
  readonly urls: Urls;
  /** Called after a transaction that wrote outbox rows committed (wakes the relay). */
  readonly onOutbox: () => void;
  readonly now: () => Date;
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
