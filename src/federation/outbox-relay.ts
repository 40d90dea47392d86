import { Accept, Follow, Reject } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { EntityManager } from "@mikro-orm/postgresql";
import { CollectiveSchema } from "../modules/collective/collective.entity.ts";
import type { EventService } from "../modules/event/event.service.ts";
import type { FollowerService } from "../modules/follower/follower.service.ts";
import type { OutboxMessage } from "../modules/outbox/outbox.writer.ts";
import type { Urls } from "../shared/urls.ts";
import type { RelaisFederation } from "./federation.ts";
import { sendEventMessage } from "./senders/event-sender.ts";

const logger = getLogger(["relais", "outbox"]);

interface ClaimedRow {
  id: string;
  activity_id: string;
  payload: OutboxMessage;
  attempts: number;
}

/**
 * Turns outbox rows into Fedify sends. Rows are claimed with a lease in one statement (safe with
 * several workers and on the embedded database, where a transaction must not wait on another
 * connection), handed to Fedify's queue, then marked sent. A crash between the two re-sends the row
 * later with the same activity id. Nudged after each commit that wrote rows; polls in the worker as a
 * safety net.
 */
export class OutboxRelay {
  readonly #em: EntityManager;
  readonly #federation: RelaisFederation;
  readonly #urls: Urls;
  readonly #followers: FollowerService;
  readonly #events: EventService;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(deps: {
    em: EntityManager;
    federation: RelaisFederation;
    urls: Urls;
    followers: FollowerService;
    events: EventService;
  }) {
    this.#em = deps.em;
    this.#federation = deps.federation;
    this.#urls = deps.urls;
    this.#followers = deps.followers;
    this.#events = deps.events;
  }

  /** Sends whatever is pending, soon; concurrent calls coalesce. */
  nudge(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          while ((await this.flushOnce()) > 0) {
            /* keep going while rows come */
          }
        } while (this.#again);
      } catch (error) {
        logger.error("outbox relay failed: {error}", { error });
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  /** Polls until the signal aborts (the worker's safety net for rows whose nudge was lost). */
  async run(signal: AbortSignal, intervalMs = 2000): Promise<void> {
    while (!signal.aborted) {
      await this.nudge();
      // The abort listener goes when the timer fires: one left per poll would pile up for ever.
      await new Promise<void>((resolve) => {
        const onAbort = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        }, intervalMs);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    }
    await this.#running;
  }

  /** Claims and sends one batch; returns how many rows it handled. */
  async flushOnce(batch = 20): Promise<number> {
    const conn = this.#em.getConnection();
    const rows = (await conn.execute(
      `update outbox set lease_until = now() + interval '2 minutes', attempts = attempts + 1
       where id in (select id from outbox where sent_at is null and (lease_until is null or lease_until < now())
                    order by id limit ? for update skip locked)
       returning id, activity_id, payload, attempts`,
      [batch],
    )) as ClaimedRow[];
    for (const row of rows) {
      try {
        await this.#send(row.activity_id, row.payload);
        await conn.execute("update outbox set sent_at = now(), last_error = null where id = ?", [row.id]);
      } catch (error) {
        logger.warn("outbox row {id} not sent (attempt {attempts}): {error}", { id: row.id, attempts: row.attempts, error });
        await conn.execute("update outbox set last_error = ? where id = ?", [String(error).slice(0, 500), row.id]);
      }
    }
    return rows.length;
  }

  async #send(activityId: string, message: OutboxMessage): Promise<void> {
    const collective = await this.#em.fork().findOne(CollectiveSchema, { id: message.collectiveId });
    if (!collective) return; // deleted since: nothing to say any more
    const ctx = this.#federation.createContext(this.#urls.origin, undefined);
    const collectiveUri = this.#urls.collective(collective.slug);
    switch (message.kind) {
      case "accept-follow":
      case "reject-follow": {
        const recipient = await this.#followers.recipient(message.followerApId);
        if (!recipient) return;
        const follow = new Follow({
          id: new URL(message.followActivityId),
          actor: recipient.apId,
          object: collectiveUri,
        });
        const Answer = message.kind === "accept-follow" ? Accept : Reject;
        const activity = new Answer({ id: new URL(activityId), actor: collectiveUri, object: follow, to: recipient.apId });
        await ctx.sendActivity(
          { identifier: collective.slug },
          { id: recipient.apId, inboxId: recipient.inboxUrl, endpoints: recipient.sharedInboxUrl ? { sharedInbox: recipient.sharedInboxUrl } : null },
          activity,
        );
        return;
      }
      case "create-event":
      case "update-event":
      case "event-change-note":
      case "delete-event":
        await sendEventMessage(ctx, message, { events: this.#events, followers: this.#followers, urls: this.#urls });
        return;
      default:
        // Never mark as sent what was not sent: the row stays, with this error, and is claimed again
        // when its lease runs out (a release that maps the kind sends it then).
        throw new Error(`no activity mapping for outbox messages of kind "${(message as { kind: string }).kind}"`);
    }
  }
}
