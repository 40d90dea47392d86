import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { CollectiveSchema } from "../collective/collective.entity.ts";
import { RemoteActorSchema } from "../remote-actor/remote-actor.entity.ts";
import { createdAt, updatedAt } from "../../shared/entity-properties.ts";

export const followerStates = ["pending", "accepted"] as const;
export type FollowerState = (typeof followerStates)[number];

/**
 * A remote actor following a collective, or the instance actor when `collective` is null (the
 * instance-wide relay). Exactly one row per (collective, actor), and one per actor for the instance.
 */
export const FollowerSchema = defineEntity({
  name: "Follower",
  tableName: "follower",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    collective: () => p.manyToOne(CollectiveSchema).deleteRule("cascade").nullable(),
    actor: () => p.manyToOne(RemoteActorSchema).deleteRule("cascade"),
    state: p.enum(followerStates as unknown as FollowerState[]),
    /** Id of the latest Follow activity, echoed in our Accept/Reject. */
    followActivityId: p.text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [
    { properties: ["collective", "actor"] },
    { name: "follower_instance_actor_unique", properties: ["actor"], where: "collective_id is null" },
  ],
});
export type Follower = InferEntity<typeof FollowerSchema>;
