import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt } from "../../shared/entity-properties.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { UserSchema } from "../user/user.entity.ts";

export const auditActions = [
  "event.create",
  "event.publish",
  "event.change",
  "event.cancel",
  "event.delete",
  "event.coorganizer-invite",
  "event.coorganize-accept",
  "event.coorganize-decline",
  "event.coorganize-withdraw",
  "call.create",
  "call.change",
  "call.consult",
  "call.open",
  "call.close",
  "call.withdraw",
  "call.delete",
  "call.invite",
  "call.sign",
  "call.decline",
  "call.revoke",
  "call.invite-withdraw",
  "call.join-policy",
  "call.join-request",
  "call.join-approve",
  "call.join-refuse",
  "slogan.create",
  "slogan.adopt",
  "slogan.change",
  "slogan.delete",
  "presskit.create",
  "presskit.change",
  "presskit.publish",
  "presskit.delete",
  "presskit.link-create",
  "presskit.link-revoke",
  "actionkit.create",
  "actionkit.adopt",
  "actionkit.change",
  "actionkit.publish",
  "actionkit.delete",
  "member.invite",
  "member.join",
  "member.role",
  "member.remove",
  "member.reset-link",
  "member.second-factor-reset",
  "follower.approve",
  "follower.reject",
  "collective.settings",
  "partner.follow",
  "partner.unfollow",
  "partner.relay",
  "block.add",
  "block.remove",
] as const;
export type AuditAction = (typeof auditActions)[number];

/**
 * Who did what in a collective, for its owners; with no collective, what the operator did to the
 * whole instance (instance-wide blocks). Never federated. The account's email is copied, so the
 * entry still names who it was once the account is gone.
 */
export const AuditEntrySchema = defineEntity({
  name: "AuditEntry",
  tableName: "audit_entry",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade").nullable(),
    user: () => p.manyToOne(UserSchema).deleteRule("set null").nullable(),
    /** The account's email at the time, or "cli" for the operator. */
    actor: p.string(),
    action: p.enum(auditActions as unknown as AuditAction[]),
    /** What it was done to: an event id, an email, a follower's actor URL… */
    subject: p.text(),
    /** A short, human-readable detail (an event's name, a role). */
    detail: p.text().nullable(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ["collective", "createdAt"] }],
});
export type AuditEntry = InferEntity<typeof AuditEntrySchema>;
