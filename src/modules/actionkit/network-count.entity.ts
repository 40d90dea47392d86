import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { timestamptz } from "../../shared/entity-properties.ts";
import { ActionKitSchema } from "./actionkit.entity.ts";

/** Letters counted per language: `{fr: 12, de: 3}`. */
export type CountsByLanguage = Record<string, number>;

/**
 * The counts another server reported for its copy of one of our kits (ADR 0032): the copy's id and
 * its counts per language, as last pushed, and the collective the copy is attributed to (read from its
 * `text.json`). Added to the kit's own count on its page while that collective follows the kit's
 * (ADR 0035); removed when the copy's server says the copy was deleted.
 */
export const ActionKitRemoteCountSchema = defineEntity({
  name: "ActionKitRemoteCount",
  tableName: "action_kit_remote_count",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    kit: () => p.manyToOne(ActionKitSchema).deleteRule("cascade"),
    copyApId: p.text(),
    /** The copy's `attributedTo`; null for a copy that last reported before it was kept (it counts until its next report). */
    copyActorApId: p.text().nullable(),
    counts: p.json<CountsByLanguage>(),
    receivedAt: timestamptz(),
  },
  uniques: [{ properties: ["kit", "copyApId"] }],
});
export type ActionKitRemoteCountRow = InferEntity<typeof ActionKitRemoteCountSchema>;

/**
 * What we last told the origin of one of our adopted kits (on another server) about its count: pushed
 * again only when it changed (ADR 0032). Outlives the copy's row (the link is set to null, the copy's
 * id and origin kept) so that a copy removed with its collective is still told to its origin (ADR 0035);
 * removed once the origin heard the copy is gone.
 */
export const ActionKitCountSentSchema = defineEntity({
  name: "ActionKitCountSent",
  tableName: "action_kit_count_sent",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    /** The copy while its row exists; null once it was removed (its collective deleted here). */
    kit: () => p.manyToOne(ActionKitSchema).deleteRule("set null").nullable().unique(),
    /** The copy's id (its URL is derived from it), kept when its row goes. */
    copyKitId: p.uuid(),
    /** The kit the copy was adopted from, on another server: where to tell that the copy is gone. */
    originApId: p.text(),
    counts: p.json<CountsByLanguage>(),
    sentAt: timestamptz(),
  },
});
export type ActionKitCountSentRow = InferEntity<typeof ActionKitCountSentSchema>;
