import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { type MemberRole, memberRoles, UserSchema } from "../user/user.entity.ts";

/**
 * Links that act once: an invitation into a collective, or a password reset. Only the token's SHA-256
 * is kept; the link is shown to whoever created it (and e-mailed when SMTP is configured).
 */
export const AccountTokenSchema = defineEntity({
  name: "AccountToken",
  tableName: "account_token",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    kind: p.enum(["invitation", "reset"] as ("invitation" | "reset")[]),
    tokenHash: p.string().unique(),
    /** Lower-cased: whom the invitation is for, or whose password is reset. */
    email: p.string(),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade").nullable(),
    role: p.enum(memberRoles as unknown as MemberRole[]).nullable(),
    createdBy: () => p.manyToOne(UserSchema).deleteRule("set null").nullable(),
    createdAt: createdAt(),
    expiresAt: timestamptz(),
    usedAt: timestamptz().nullable(),
  },
});
export type AccountToken = InferEntity<typeof AccountTokenSchema>;
