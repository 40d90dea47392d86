import type { EntityManager } from "@mikro-orm/postgresql";
import { OutboxSchema } from "./outbox.entity.ts";

/** What services ask to be sent. The relay in src/federation maps each kind to an activity. */
export type OutboxMessage =
  /** `collectiveId` null: the follow is of the instance actor. */
  | { kind: "accept-follow"; collectiveId: string | null; followerApId: string; followActivityId: string }
  | { kind: "reject-follow"; collectiveId: string | null; followerApId: string; followActivityId: string }
  | { kind: "create-event"; collectiveId: string; eventId: string }
  | { kind: "update-event"; collectiveId: string; eventId: string; version: number }
  /** Written only before change notes had their own table (they now go out with their Update's row). */
  | { kind: "event-change-note"; collectiveId: string; eventId: string; version: number; language: string; text: string }
  /** A single event deleted, or made recurring (the Event it went out as is deleted; the event lives on). */
  | { kind: "delete-event"; collectiveId: string; eventId: string }
  /**
   * An occurrence of a recurring event published ahead (Create of its Event), or changed once published (Update + change note of
   * the event's `version`). In the occurrence kinds, `date` is its key: the date, or `<date>.<issue>` once it went out again after a Delete.
   */
  | { kind: "create-occurrence"; collectiveId: string; eventId: string; date: string }
  | { kind: "update-occurrence"; collectiveId: string; eventId: string; date: string; version: number }
  /** An occurrence that went out is no longer given by its series' changed rule: its Delete (and its change notes'). */
  | { kind: "delete-occurrence"; collectiveId: string; eventId: string; date: string }
  /** A recurring event was deleted: a Delete for each of its occurrences that went out. */
  | { kind: "delete-occurrences"; collectiveId: string; eventId: string }
  /** A call to action was launched (Create of its Article), changed or closed or withdrawn (Update + change note), or deleted. */
  | { kind: "create-call"; collectiveId: string; callId: string }
  | { kind: "update-call"; collectiveId: string; callId: string; revision: number }
  | { kind: "delete-call"; collectiveId: string; callId: string }
  /** A slogan was published (Create of its Note), changed (Update, `version` the new one) or deleted. */
  | { kind: "create-slogan"; collectiveId: string; sloganId: string }
  | { kind: "update-slogan"; collectiveId: string; sloganId: string; version: number }
  | { kind: "delete-slogan"; collectiveId: string; sloganId: string }
  /** A press kit was published (its embargo lifted: Create of its Article), changed after (Update), or deleted. */
  | { kind: "create-presskit"; collectiveId: string; kitId: string }
  | { kind: "update-presskit"; collectiveId: string; kitId: string; revision: number }
  | { kind: "delete-presskit"; collectiveId: string; kitId: string }
  /** An action kit was published (Create of its Article), changed (Update, `version` the new one) or deleted. */
  | { kind: "create-actionkit"; collectiveId: string; kitId: string }
  | { kind: "update-actionkit"; collectiveId: string; kitId: string; version: number }
  | { kind: "delete-actionkit"; collectiveId: string; kitId: string }
  /** The collective's profile changed (names, summary, avatar, approval): an Update of its Group. */
  | { kind: "update-collective"; collectiveId: string }
  /** An actor's keys were rotated (`relais keys rotate`): an Update of it to all who cached them; null: the instance actor. */
  | { kind: "update-actor-keys"; collectiveId: string | null }
  /** A collective follows a partner (or stops): the partner's inboxes travel with the row (its row may be gone). */
  | { kind: "follow-partner"; collectiveId: string; partner: OutboxRecipient; followActivityId: string }
  | { kind: "undo-follow-partner"; collectiveId: string; partner: OutboxRecipient; followActivityId: string }
  /** A collective relays a partner's event to its followers (Announce), or takes the relay back (Undo). */
  | { kind: "announce-partner-event"; collectiveId: string; eventApId: string }
  | { kind: "undo-announce-partner-event"; collectiveId: string; eventApId: string }
  /**
   * The origin's own Update of a partner event that collectives here relayed (`via`, the first is
   * `collectiveId`), forwarded as it arrived (`activity`, JSON text) to their followers.
   */
  | { kind: "forward-partner-update"; collectiveId: string; via: string[]; eventApId: string; activity: string; activityId: string | null; activityType: string }
  /** Co-signed calls (initiator): an invitation to sign a version (CosignRequest), a verified signature listed (Add). */
  | { kind: "cosign-request"; collectiveId: string; invitationId: string }
  | { kind: "cosign-withdraw"; collectiveId: string; invitationId: string }
  | { kind: "cosign-listed"; collectiveId: string; signatureId: string }
  /** Co-signed calls (signer): a signature (Accept with the stamp), a decline (Reject), a revocation (Delete of the stamp). */
  | { kind: "cosign-accept"; collectiveId: string; stampId: string }
  | { kind: "cosign-decline"; collectiveId: string; receivedId: string }
  | { kind: "cosign-revoke"; collectiveId: string; stampId: string }
  /** Join requests: a collective asks to sign an open call (Create of its stamp); the initiator refuses one (Reject). */
  | { kind: "cosign-join"; collectiveId: string; stampId: string }
  | { kind: "cosign-join-refuse"; collectiveId: string; requestId: string }
  /** A signer boosts the call it signed once it is public, or takes the boost back. */
  | { kind: "cosign-announce"; collectiveId: string; stampId: string }
  | { kind: "cosign-undo-announce"; collectiveId: string; stampId: string }
  /** Co-organised events (host): an invitation (CoorganizeRequest), a verified co-organiser listed (Add), the event changed or deleted (to the co-organisers). */
  | { kind: "coorganize-request"; collectiveId: string; invitationId: string }
  | { kind: "coorganize-listed"; collectiveId: string; coorganizerId: string }
  | { kind: "coorganize-event-changed"; collectiveId: string; eventId: string }
  /** Co-organised events (invited collective): an acceptance (Accept with the stamp), a decline (Reject), a withdrawal (Delete of the stamp). */
  | { kind: "coorganize-accept"; collectiveId: string; stampId: string }
  | { kind: "coorganize-decline"; collectiveId: string; stampId: string }
  | { kind: "coorganize-revoke"; collectiveId: string; stampId: string };

/** A remote actor to deliver to, as stored in an outbox row. */
export interface OutboxRecipient {
  readonly apId: string;
  readonly inboxUrl: string;
  readonly sharedInboxUrl: string | null;
}

/**
 * Writes a message to the outbox inside the caller's transaction. Returns false when a row with this
 * activity id exists already (a replay): nothing is written twice.
 */
export async function writeOutbox(em: EntityManager, activityId: string, message: OutboxMessage): Promise<boolean> {
  const res = await em
    .createQueryBuilder(OutboxSchema)
    .insert({
      activityId,
      collective: message.collectiveId,
      kind: message.kind,
      payload: message as unknown as Record<string, unknown>,
      createdAt: new Date(),
      attempts: 0,
    })
    .onConflict("activityId")
    .ignore()
    .execute();
  return (res.affectedRows ?? 0) > 0;
}
