import { randomUUID } from "node:crypto";
import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { timestamptz } from "../../shared/entity-properties.ts";

/** Cache of an actor on another server: what we need to deliver to it and to show it to operators. */
export const RemoteActorSchema = defineEntity({
  name: "RemoteActor",
  tableName: "remote_actor",
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    apId: p.text().unique(),
    /** Lower-case host of apId, for domain blocks. */
    domain: p.string().index(),
    type: p.string(),
    handle: p.text().nullable(),
    name: p.text().nullable(),
    inboxUrl: p.text(),
    sharedInboxUrl: p.text().nullable(),
    url: p.text().nullable(),
    fetchedAt: timestamptz(),
  },
});
export type RemoteActor = InferEntity<typeof RemoteActorSchema>;
