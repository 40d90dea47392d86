import type { EntityManager } from "@mikro-orm/postgresql";
import { type AuditAction, AuditEntrySchema } from "./audit.entity.ts";

/** Who acts: an account (by id and email) or the operator at the CLI. */
export type AuditActor = { readonly userId: string; readonly email: string } | "cli";

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
    user: entry.actor === "cli" ? null : entry.actor.userId,
    actor: entry.actor === "cli" ? "cli" : entry.actor.email,
    action: entry.action,
    subject: entry.subject,
    detail: entry.detail ?? null,
    createdAt: new Date(),
  });
}
