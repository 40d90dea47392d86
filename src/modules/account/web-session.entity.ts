import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";
import { UserSchema } from "../user/user.entity.ts";
import type { SessionStage } from "./session.types.ts";

/** Browser sessions when no Redis is configured (see session.types.ts). */
export const WebSessionSchema = defineEntity({
  name: "WebSession",
  tableName: "web_session",
  properties: {
    idHash: p.string().primary(),
    user: () => p.manyToOne(UserSchema).deleteRule("cascade").index(),
    stage: p.enum(["full", "second-factor"] as SessionStage[]),
    csrfToken: p.string(),
    createdAt: createdAt(),
    lastSeenAt: timestamptz(),
    expiresAt: timestamptz().index(),
  },
});
export type WebSessionRow = InferEntity<typeof WebSessionSchema>;
