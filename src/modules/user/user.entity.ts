import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";

export const UserSchema = defineEntity({
  name: "User",
  tableName: "app_user",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    /** Lower-cased. */
    email: p.string().unique(),
    passwordHash: p.text().lazy(),
    /** Instance admin: creates collectives in the web interface (`relais user create --admin`). */
    isAdmin: p.boolean().default(false),
    /** Base32 TOTP secret (RFC 6238) once the second factor is on. */
    totpSecret: p.string().nullable().lazy(),
    /** The time step of the last accepted code: a code is accepted once (no replay). */
    totpLastStep: p.bigint("number").nullable(),
    createdAt: createdAt(),
  },
});
export type User = InferEntity<typeof UserSchema>;

export const memberRoles = ["owner", "editor"] as const;
export type MemberRole = (typeof memberRoles)[number];

export const MembershipSchema = defineEntity({
  name: "Membership",
  tableName: "membership",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(UserSchema).deleteRule("cascade"),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade"),
    role: p.enum(memberRoles as unknown as MemberRole[]),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ["user", "collective"] }],
  // The members list reads a collective's memberships in (createdAt, id) order from a position.
  indexes: [{ properties: ["collective", "createdAt", "id"] }],
});
export type Membership = InferEntity<typeof MembershipSchema>;

/** API tokens: only a SHA-256 of the token is kept, the token itself is shown once; revoking deletes the row. */
export const ApiTokenSchema = defineEntity({
  name: "ApiToken",
  tableName: "api_token",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(UserSchema).deleteRule("cascade"),
    tokenHash: p.string().unique(),
    /** What the token is for, as its owner named it ("laptop", "Mobilizon bridge"). */
    name: p.string().nullable(),
    createdAt: createdAt(),
    lastUsedAt: timestamptz().nullable(),
    /** Null only for tokens made before tokens expired. */
    expiresAt: timestamptz().nullable(),
  },
  // The tokens list reads a user's tokens in (createdAt, id) order from a position.
  indexes: [{ properties: ["user", "createdAt", "id"] }],
});
export type ApiToken = InferEntity<typeof ApiTokenSchema>;
