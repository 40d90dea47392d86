import { forbidden, invalid, notFound } from "../../shared/errors.ts";
import type { LanguageMap } from "../../shared/language.ts";
import { isUuid } from "../../shared/uuid.ts";
import { can } from "../collective/collective.policy.ts";
import type { Principal } from "../user/user.service.ts";
import { type FieldError, parseEventInput } from "./event.schema.ts";

// What every service of events checks before it reads or changes one: the id's shape, the editor's
// right, and the 4xx that says what to fix in the input.

export function checkId(id: string): void {
  if (!isUuid(id)) throw notFound(`the event ${id}`);
}

/**
 * Stops a principal who may not edit the event. Another collective's draft answers exactly like an
 * unknown id (its existence is that collective's business); a published event is public, so 403 says
 * what is wrong.
 */
export function assertCanEdit(principal: Principal, row: { published: boolean; collective: { id: string; slug: string } }, id: string): void {
  if (can(principal, "edit-events", row.collective.id)) return;
  if (!row.published) throw notFound(`the event ${id}`);
  throw forbidden(`you are not an editor of "${row.collective.slug}"`);
}

export const invalidEvent = (errors: readonly FieldError[]) =>
  invalid(`the event is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);

/** The body of a cancellation: nothing, `{}` or `{"reason": {"fr": "…"}}`. */
export function parseReason(body: unknown): LanguageMap | undefined {
  if (body === undefined || body === null || (typeof body === "object" && Object.keys(body).length === 0)) return undefined;
  if (typeof body !== "object" || Array.isArray(body)) throw invalid('send {"reason": {"fr": "…"}} or an empty body');
  const keys = Object.keys(body);
  const unknown = keys.filter((k) => k !== "reason");
  if (unknown.length > 0) throw invalid(`unknown field(s): ${unknown.join(", ")}`, unknown.map((f) => ({ field: f, message: "unknown field" })));
  const reason = (body as { reason?: unknown }).reason;
  if (reason === undefined) return undefined;
  const parsed = parseEventInput({ statusReason: reason, status: "cancelled" }, { defaultTimezone: "UTC", primaryLanguage: "und", partial: true });
  if (!parsed.ok) throw invalidEvent(parsed.errors.map((e) => ({ ...e, field: e.field.replace(/^statusReason/, "reason") })));
  return parsed.value.statusReason ?? undefined;
}
