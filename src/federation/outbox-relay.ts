import { Accept, Follow, Reject } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { CallWording } from "../modules/call/call-wording.ts";
import type { CallService } from "../modules/call/call.service.ts";
import type { CosignService } from "../modules/cosign/cosign.service.ts";
import type { CollectiveService } from "../modules/collective/collective.service.ts";
import type { EventWording } from "../modules/event/event-summary.ts";
import type { EventService } from "../modules/event/event.service.ts";
import type { FollowerService } from "../modules/follower/follower.service.ts";
import type { OutboxRepository } from "../modules/outbox/outbox.repository.ts";
import type { OutboxMessage } from "../modules/outbox/outbox.writer.ts";
import { sleepUnlessAborted } from "../shared/sleep.ts";
import { instanceIdentifier, type Urls } from "../shared/urls.ts";
import type { RelaisFederation } from "./federation.ts";
import type { PostgresMessageQueue } from "./queue/postgres-message-queue.ts";
import { outboxRowRetryDelaySeconds } from "./retry-policy.ts";
import { sendCallMessage } from "./senders/call-sender.ts";
import { sendCollectiveUpdate } from "./senders/collective-sender.ts";
import { sendActorKeysUpdate } from "./senders/actor-keys-sender.ts";
import type { KeyRotationService } from "../modules/collective/key-rotation.service.ts";
import { sendCosignMessage } from "./senders/cosign-sender.ts";
import { sendJoinMessage } from "./senders/join-sender.ts";
import type { JoinRequestService } from "../modules/cosign/join-requests.service.ts";
import { type CoorganiseSenderDeps, sendCoorganiseMessage } from "./senders/coorganise-sender.ts";
import { sendEventMessage } from "./senders/event-sender.ts";
import { sendOccurrenceMessage } from "./senders/occurrence-sender.ts";
import type { EventSeriesService } from "../modules/event/event-series.service.ts";
import { sendForwardMessage } from "./senders/forward-sender.ts";
import { sendPartnerMessage } from "./senders/partner-sender.ts";
import { sendSloganMessage } from "./senders/slogan-sender.ts";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import type { SloganWording } from "../modules/slogan/slogan-wording.ts";
import { sendPressKitMessage } from "./senders/presskit-sender.ts";
import type { PressKitService } from "../modules/presskit/presskit.service.ts";
import { sendActionKitMessage } from "./senders/actionkit-sender.ts";
import type { ActionKitService } from "../modules/actionkit/actionkit.service.ts";
import type { ActionKitWording } from "../modules/actionkit/actionkit-wording.ts";
import { toFedifyRecipient } from "./senders/recipient.ts";
import { profileFor } from "./server-profiles.ts";
import type { ServerSoftwareResolver } from "./server-software.ts";

const logger = getLogger(["relais", "outbox"]);

/** How long a row is reserved while the relay turns it into deliveries (another worker may take it after). */
const leaseSeconds = 30;
/** Sent rows are kept this long (to look into), then deleted. */
export const sentRowRetentionDays = 7;

/**
 * Turns outbox rows into deliveries on Fedify's queue. A row is claimed with a lease in one statement
 * (safe with several workers, and on the embedded database, where a transaction must not wait on
 * another connection); its deliveries are stored in the queue by the statement that marks it sent
 * (`enqueueAtomically`), so a crash leaves either the row pending or its deliveries queued, never both
 * or neither. A failed attempt is retried with a backoff, up to a cap, then the row is failed (see
 * `relais outbox failed`). Nudged after each commit that wrote rows; polls in the worker as a safety
 * net, and prunes old sent rows there.
 */
export class OutboxRelay {
  readonly #collectives: CollectiveService;
  readonly #federation: RelaisFederation;
  readonly #queue: PostgresMessageQueue;
  readonly #outbox: OutboxRepository;
  readonly #urls: Urls;
  readonly #followers: FollowerService;
  readonly #events: EventService;
  readonly #series: EventSeriesService | undefined;
  readonly #serverSoftware: ServerSoftwareResolver;
  readonly #wording: EventWording;
  readonly #calls: CallService;
  readonly #callWording: CallWording;
  readonly #cosign: CosignService;
  readonly #joins: JoinRequestService | undefined;
  readonly #allowPrivateAddresses: boolean;
  readonly #slogans: SloganService;
  readonly #sloganWording: SloganWording;
  readonly #presskits: PressKitService | undefined;
  readonly #actionkits: { service: ActionKitService; wording: ActionKitWording } | undefined;
  readonly #coorganise: Pick<CoorganiseSenderDeps, "host" | "partner"> | undefined;
  readonly #isBlocked: ((actor: URL, collectiveId: string) => Promise<boolean>) | undefined;
  readonly #keyRotation: KeyRotationService | undefined;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(deps: {
    collectives: CollectiveService;
    federation: RelaisFederation;
    queue: PostgresMessageQueue;
    outbox: OutboxRepository;
    urls: Urls;
    followers: FollowerService;
    events: EventService;
    /** Recurring events: their occurrences federate one by one. */
    series?: EventSeriesService;
    serverSoftware: ServerSoftwareResolver;
    wording: EventWording;
    calls: CallService;
    callWording: CallWording;
    cosign: CosignService;
    /** Join requests to sign open calls (both sides). */
    joins?: JoinRequestService;
    /** Development and tests: other servers on private addresses may be fetched. */
    allowPrivateAddresses?: boolean;
    slogans: SloganService;
    sloganWording: SloganWording;
    presskits?: PressKitService;
    /** Action kits and how their Articles are worded. */
    actionkits?: { service: ActionKitService; wording: ActionKitWording };
    coorganise?: Pick<CoorganiseSenderDeps, "host" | "partner">;
    /** Blocks: what a collective (or the instance) blocks gets none of its events, from the instance actor either. */
    isBlocked?: (actor: URL, collectiveId: string) => Promise<boolean>;
    /** Key rotations: who gets the Update of an actor whose keys changed. */
    keyRotation?: KeyRotationService;
  }) {
    this.#isBlocked = deps.isBlocked;
    this.#keyRotation = deps.keyRotation;
    this.#collectives = deps.collectives;
    this.#federation = deps.federation;
    this.#queue = deps.queue;
    this.#outbox = deps.outbox;
    this.#urls = deps.urls;
    this.#followers = deps.followers;
    this.#events = deps.events;
    this.#series = deps.series;
    this.#serverSoftware = deps.serverSoftware;
    this.#wording = deps.wording;
    this.#calls = deps.calls;
    this.#callWording = deps.callWording;
    this.#cosign = deps.cosign;
    this.#joins = deps.joins;
    this.#allowPrivateAddresses = deps.allowPrivateAddresses ?? false;
    this.#slogans = deps.slogans;
    this.#sloganWording = deps.sloganWording;
    this.#presskits = deps.presskits;
    this.#actionkits = deps.actionkits;
    this.#coorganise = deps.coorganise;
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

  /** Polls until the signal aborts (the worker's safety net for rows whose nudge was lost); prunes hourly. */
  async run(signal: AbortSignal, intervalMs = 2000): Promise<void> {
    let prunedAt = 0;
    while (!signal.aborted) {
      await this.nudge();
      if (Date.now() - prunedAt > 3_600_000) {
        prunedAt = Date.now();
        await this.#prune();
      }
      await sleepUnlessAborted(intervalMs, signal);
    }
    await this.#running;
  }

  /** Claims and sends one batch; returns how many rows it handled. */
  async flushOnce(batch = 20): Promise<number> {
    const rows = await this.#outbox.claim(batch, leaseSeconds);
    for (const row of rows) {
      try {
        await this.#queue.enqueueAtomically(this.#outbox.markSentStatement(row.id), () => this.#send(row.activityId, row.payload));
      } catch (error) {
        const retryIn = outboxRowRetryDelaySeconds(row.attempts);
        const fields = { id: row.id, attempts: row.attempts, retryIn, error: String(error) };
        if (retryIn === null) logger.error("outbox row {id} failed for good after {attempts} attempts: {error}", fields);
        else logger.warn("outbox row {id} not sent (attempt {attempts}), retried in {retryIn} s: {error}", fields);
        await this.#outbox.recordFailure(row.id, String(error).slice(0, 500), retryIn);
      }
    }
    return rows.length;
  }

  async #prune(): Promise<void> {
    try {
      const pruned = await this.#outbox.pruneSent(sentRowRetentionDays);
      if (pruned > 0) logger.info("pruned {pruned} outbox row(s) sent more than {days} days ago", { pruned, days: sentRowRetentionDays });
    } catch (error) {
      logger.warn("could not prune sent outbox rows: {error}", { error: String(error) });
    }
  }

  async #send(activityId: string, message: OutboxMessage): Promise<void> {
    // A null collective is the instance actor (follows of the instance-wide relay).
    const identifier =
      message.collectiveId === null
        ? instanceIdentifier
        : (await this.#collectives.findById(message.collectiveId))?.slug;
    if (identifier === undefined) return; // deleted since: nothing to say any more
    const ctx = this.#federation.createContext(this.#urls.origin, undefined);
    const collectiveUri = this.#urls.collective(identifier);
    switch (message.kind) {
      case "accept-follow":
      case "reject-follow": {
        const recipient = await this.#followers.recipient(message.followerApId);
        if (!recipient) return;
        if (message.kind === "reject-follow" && !(await this.#understandsReject(recipient.apId))) return;
        const follow = new Follow({
          id: new URL(message.followActivityId),
          actor: recipient.apId,
          object: collectiveUri,
        });
        const Answer = message.kind === "accept-follow" ? Accept : Reject;
        const activity = new Answer({ id: new URL(activityId), actor: collectiveUri, object: follow, to: recipient.apId });
        await ctx.sendActivity(
          { identifier },
          toFedifyRecipient(recipient),
          activity,
        );
        return;
      }
      case "update-collective": {
        const collective = await this.#collectives.findById(message.collectiveId);
        if (collective) await sendCollectiveUpdate(ctx, activityId, collective, { followers: this.#followers, urls: this.#urls });
        return;
      }
      case "update-actor-keys": {
        if (!this.#keyRotation) throw new Error("key rotations are not wired into this relay");
        const recipients = await this.#keyRotation.updateRecipients(message.collectiveId);
        await sendActorKeysUpdate(this.#federation, this.#urls.origin, activityId, identifier, recipients);
        return;
      }
      case "create-event":
      case "update-event":
      case "event-change-note":
      case "delete-event": {
        const coorganise = this.#coorganise;
        await sendEventMessage(ctx, message, {
          events: this.#events,
          followers: this.#followers,
          urls: this.#urls,
          serverSoftware: this.#serverSoftware,
          wording: this.#wording,
          ...(coorganise ? { coorganizers: (id: string) => coorganise.host.listed(id) } : {}),
          ...(this.#isBlocked ? { isBlocked: this.#isBlocked } : {}),
        });
        return;
      }
      case "create-occurrence":
      case "update-occurrence":
      case "delete-occurrence":
      case "delete-occurrences": {
        if (!this.#series) throw new Error("recurring events are not wired into this relay");
        await sendOccurrenceMessage(ctx, message, {
          events: this.#events,
          series: this.#series,
          followers: this.#followers,
          urls: this.#urls,
          serverSoftware: this.#serverSoftware,
          wording: this.#wording,
        });
        return;
      }
      case "follow-partner":
      case "undo-follow-partner":
      case "announce-partner-event":
      case "undo-announce-partner-event":
        await sendPartnerMessage(ctx, activityId, identifier, message, { followers: this.#followers, urls: this.#urls });
        return;
      case "forward-partner-update": {
        const inboxes = await sendForwardMessage(ctx, message, { collectives: this.#collectives, followers: this.#followers, queue: this.#queue });
        logger.info("an origin's Update of a relayed event forwarded to {inboxes} inbox(es)", { inboxes });
        return;
      }
      case "create-call":
      case "update-call":
      case "delete-call":
        await sendCallMessage(ctx, message, {
          calls: this.#calls,
          followers: this.#followers,
          urls: this.#urls,
          serverSoftware: this.#serverSoftware,
          callWording: this.#callWording,
          cosign: this.#cosign,
        });
        return;
      case "cosign-join":
      case "cosign-join-refuse":
        if (!this.#joins) return;
        await sendJoinMessage(ctx, activityId, identifier, message, { cosign: this.#cosign, joins: this.#joins, urls: this.#urls });
        return;
      case "cosign-request":
      case "cosign-withdraw":
      case "cosign-listed":
      case "cosign-accept":
      case "cosign-decline":
      case "cosign-announce":
      case "cosign-undo-announce":
      case "cosign-revoke":
        await sendCosignMessage(ctx, activityId, identifier, message, {
          cosign: this.#cosign,
          urls: this.#urls,
          followers: this.#followers,
          serverSoftware: this.#serverSoftware,
          allowPrivateAddresses: this.#allowPrivateAddresses,
        });
        return;
      case "coorganize-request":
      case "coorganize-listed":
      case "coorganize-event-changed":
      case "coorganize-accept":
      case "coorganize-decline":
      case "coorganize-revoke":
        if (!this.#coorganise) throw new Error("co-organised events are not wired into this relay");
        await sendCoorganiseMessage(ctx, activityId, identifier, message, { ...this.#coorganise, events: this.#events, urls: this.#urls, wording: this.#wording });
        return;
      case "create-slogan":
      case "update-slogan":
      case "delete-slogan":
        await sendSloganMessage(ctx, message, {
          slogans: this.#slogans,
          followers: this.#followers,
          urls: this.#urls,
          serverSoftware: this.#serverSoftware,
          wording: this.#sloganWording,
        });
        return;
      case "create-presskit":
      case "update-presskit":
      case "delete-presskit":
        if (!this.#presskits) throw new Error("press kits are not wired into this relay");
        await sendPressKitMessage(ctx, message, { presskits: this.#presskits, followers: this.#followers, urls: this.#urls, serverSoftware: this.#serverSoftware });
        return;
      case "create-actionkit":
      case "update-actionkit":
      case "delete-actionkit":
        if (!this.#actionkits) throw new Error("action kits are not wired into this relay");
        await sendActionKitMessage(ctx, message, {
          actionkits: this.#actionkits.service,
          wording: this.#actionkits.wording,
          followers: this.#followers,
          urls: this.#urls,
          serverSoftware: this.#serverSoftware,
        });
        return;
      default:
        // Never mark as sent what was not sent: the row is retried, then failed with this error
        // (`relais outbox retry` sends it once a release maps the kind).
        throw new Error(`no activity mapping for outbox messages of kind "${(message as { kind: string }).kind}"`);
    }
  }

  /** Gancio answers a Reject with an error and changes nothing: it is not sent one (server-profiles.ts). */
  async #understandsReject(actor: URL): Promise<boolean> {
    const software = (await this.#serverSoftware.softwareOf([actor.origin])).get(actor.origin);
    if (profileFor(software).understandsReject) return true;
    logger.debug("no Reject sent to {actor}: {software} does not handle it", { actor: actor.href, software });
    return false;
  }
}
