import type { EntityManager } from "@mikro-orm/postgresql";
import { type AuditAction, AuditEntrySchema } from "./audit.entity.ts";

/** Who acts: an account (by id and email), the operator at the CLI, or the worker (an embargo lifted). */
export type AuditActor = { readonly userId: string; readonly email: string } | "cli" | "worker";

/**
 * Writes an audit entry inside the caller's transaction: the entry exists exactly when the change does.
 * `collectiveId` null: an entry of the instance (the operator's instance-wide decisions).
 */
export async function writeAudit(
  em: EntityManager,
  entry: { collectiveId: string | null; actor: AuditActor; action: AuditAction; subject: string; detail?: string | undefined },
): Promise<void> {
  await em.insert(AuditEntrySchema, {
    collective: entry.collectiveId,
    user: typeof entry.actor === "string" ? null : entry.actor.userId,
    actor: typeof entry.actor === "string" ? entry.actor : entry.actor.email,
    action: entry.action,
    subject: entry.subject,
    detail: entry.detail ?? null,
    createdAt: new Date(),
  });
}
