import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, timestamptz } from "../../shared/entity-properties.ts";

/**
 * Transactional outbox: a service writes the domain change and one row here in the same transaction;
 * the relay turns the row into a Fedify send later. `activityId` is derived from the object, so a
 * retried send reuses it, and the unique constraint makes a replayed write a no-op.
 */
export const OutboxSchema = defineEntity({
  name: "OutboxEntry",
  tableName: "outbox",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    activityId: p.text().unique(),
    collective: p.uuid().nullable().index(),
    /** What to send, in domain words; the federation layer maps it to AS2. */
    kind: p.string(),
    payload: p.json<Record<string, unknown>>(),
    createdAt: createdAt(),
    leaseUntil: timestamptz().nullable(),
    attempts: p.integer().default(0),
    sentAt: timestamptz().nullable(),
    /** Set when the relay gave up (too many failed attempts); `relais outbox retry` clears it. */
    failedAt: timestamptz().nullable(),
    lastError: p.text().nullable(),
  },
  indexes: [{ properties: ["sentAt", "id"] }],
});
export type OutboxEntry = InferEntity<typeof OutboxSchema>;
