import type { EntityManager } from "@mikro-orm/postgresql";
import { AppError, invalid } from "../../shared/errors.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { can } from "../collective/collective.policy.ts";
import type { Principal } from "../user/user.service.ts";
import type { CallRow } from "./call.entity.ts";
import { unknownEvents } from "./call.repository.ts";
import type { FieldError } from "./call.schema.ts";
import type { CallStatus } from "./call.types.ts";

/** Who acts on a call: an editor (a web session or an API token), or the operator at the CLI. */
export type CallActor = Principal | "cli";

export const mayEdit = (actor: CallActor, collectiveId: string) => actor === "cli" || can(actor, "edit-calls", collectiveId);
export const mayReadPrivate = (actor: CallActor | null, collectiveId: string) => actor === "cli" || (actor !== null && can(actor, "read-private", collectiveId));

export const invalidCall = (errors: readonly FieldError[]) =>
  invalid(`the call is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);

/** A status change is allowed only from the statuses named; otherwise a 409 that says which ones. */
export function assertCallStatus(row: CallRow, from: readonly CallStatus[], to: CallStatus): void {
  if (from.includes(row.status)) return;
  throw new AppError("conflict", 409, `a ${row.status} call cannot become ${to} (only a call that is ${from.join(" or ")} can)`);
}

/** The related events a call names must be published events of this instance. */
export async function checkRelatedEvents(em: EntityManager, ids: readonly string[]): Promise<void> {
  const unknown = await unknownEvents(em, ids);
  if (unknown.length === 0) return;
  throw invalidCall(
    unknown.map((id) => ({ field: `relatedEvents.${ids.indexOf(id)}`, message: `${id} is no published event of this instance; publish it first, or remove it` })),
  );
}

/** The audit entry of a change to a call, titled in the collective's primary language. */
export async function auditCall(em: EntityManager, actor: CallActor, collective: Collective, action: AuditAction, row: CallRow): Promise<void> {
  const title = row.title[collective.primaryLanguage] ?? Object.values(row.title)[0];
  await writeAudit(em, { collectiveId: collective.id, actor: actor === "cli" ? "cli" : actor, action, subject: row.id, detail: title });
}
