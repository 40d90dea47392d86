import { createHash } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { invalid } from "../../shared/errors.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { can } from "../collective/collective.policy.ts";
import type { Principal } from "../user/user.service.ts";
import type { FileRefusal } from "./presskit-files.ts";
import type { PressKitRow } from "./presskit.entity.ts";
import { belongsTo } from "./presskit.repository.ts";
import { type FieldError, pressKitLimits } from "./presskit.schema.ts";
import type { PressKitText } from "./presskit.types.ts";

/** Who acts on a kit: an editor (a web session or an API token), or the operator at the CLI. */
export type PressKitActor = Principal | "cli";

export const mayEdit = (actor: PressKitActor, collectiveId: string) => actor === "cli" || can(actor, "edit-presskits", collectiveId);
export const mayReadPrivate = (actor: PressKitActor | null, collectiveId: string) => actor !== null && (actor === "cli" || can(actor, "read-private", collectiveId));
export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export const invalidKit = (errors: readonly FieldError[]) =>
  invalid(`the press kit is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);

export const invalidFileMeta = (errors: readonly FieldError[]) =>
  invalid(`the file's description is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);

/** Why an upload was refused, in words an API client can act on (pages word them in four languages). */
export const fileRefusalMessages: Record<FileRefusal, string> = {
  "not-allowed": "only JPEG, PNG and WebP images and PDF documents are accepted (checked by their content; SVG is not accepted)",
  polyglot: "the file also contains something else (HTML or SVG markup, an archive); export it again as a plain JPEG, PNG, WebP or PDF",
  unreadable: "the file could not be read; export it again and send that",
  encrypted: "the PDF is encrypted; send it without a password",
  "too-many-pixels": "the image has too many pixels; scale it down (50 megapixels at most)",
  "wrong-kind": "photos and logos must be images (JPEG, PNG, WebP) and documents PDFs; choose the matching kind",
};

/** A secret link's request: `label` and `expiresInDays` (7 by default, `pressKitLimits.linkDays` at most), or a 422. */
export function parseLinkInput(body: unknown): { days: number; label: string | undefined } {
  const b = (body ?? {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const unknownKeys = Object.keys(b).filter((k) => k !== "label" && k !== "expiresInDays");
  for (const k of unknownKeys) errors.push({ field: k, message: "is not a field we accept; remove it (accepted: label, expiresInDays)" });
  const days = b.expiresInDays === undefined ? 7 : Number(b.expiresInDays);
  if (!Number.isFinite(days) || days <= 0 || days > pressKitLimits.linkDays) {
    errors.push({ field: "expiresInDays", message: `must be a number of days from 1 hour (0.05) to ${pressKitLimits.linkDays}` });
  }
  const label = typeof b.label === "string" ? b.label.trim().slice(0, pressKitLimits.linkLabel) : undefined;
  if (b.label !== undefined && typeof b.label !== "string") errors.push({ field: "label", message: "must be text (who the link is for, e.g. a newsroom)" });
  if (errors.length > 0) throw invalid(`the link is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);
  return { days, label };
}

/** The call and the event a kit is about must be the collective's own. */
export async function checkKitLinks(em: EntityManager, text: PressKitText, collectiveId: string): Promise<void> {
  const errors: FieldError[] = [];
  if (text.callId && !(await belongsTo(em, "call", text.callId, collectiveId))) errors.push({ field: "call", message: "is no call to action of this collective" });
  if (text.eventId && !(await belongsTo(em, "event", text.eventId, collectiveId))) errors.push({ field: "event", message: "is no event of this collective" });
  if (errors.length > 0) throw invalidKit(errors);
}

/** The audit entry of a change to a kit, titled in the collective's primary language. */
export async function auditKit(em: EntityManager, actor: PressKitActor | "worker", collective: Collective, action: AuditAction, row: PressKitRow, detail?: string): Promise<void> {
  const title = row.title[collective.primaryLanguage] ?? Object.values(row.title)[0];
  await writeAudit(em, { collectiveId: collective.id, actor, action, subject: row.id, detail: detail ? `${title} (${detail})` : title });
}
