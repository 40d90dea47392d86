import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt } from "../../shared/entity-properties.ts";
import { UserSchema } from "../user/user.entity.ts";

/** Recovery codes of the second factor: only their SHA-256 is kept; a used one is deleted. */
export const RecoveryCodeSchema = defineEntity({
  name: "RecoveryCode",
  tableName: "recovery_code",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(UserSchema).deleteRule("cascade").index(),
    codeHash: p.string().unique(),
    createdAt: createdAt(),
  },
});
export type RecoveryCode = InferEntity<typeof RecoveryCodeSchema>;
