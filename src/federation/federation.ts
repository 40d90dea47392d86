import {
  createFederation,
  exportJwk,
  type Federation,
  type FederationOptions,
  type KvStore,
  type MessageQueue,
} from "@fedify/fedify";
import { Accept, Add, Announce, Create, Delete, Follow, Offer, Reject, Undo, Update } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { CosignService } from "../modules/cosign/cosign.service.ts";
import type { JoinRequestService } from "../modules/cosign/join-requests.service.ts";
import type { PartnerCallService } from "../modules/call/partner-calls.service.ts";
import type { CoorganiseHostService } from "../modules/coorganise/coorganise-host.service.ts";
import type { CoorganisePartnerService } from "../modules/coorganise/coorganise-partner.service.ts";
import type { CollectiveService } from "../modules/collective/collective.service.ts";
import type { EventWording } from "../modules/event/event-summary.ts";
import type { EventService } from "../modules/event/event.service.ts";
import type { FollowerService } from "../modules/follower/follower.service.ts";
import { paths } from "../shared/paths.ts";
import type { BlockRules } from "../modules/moderation/block-rules.ts";
import type { PartnerService } from "../modules/partner/partner.service.ts";
import { instanceIdentifier, type Urls } from "../shared/urls.ts";
import { registerActors } from "./actors.ts";
import { registerNodeInfo } from "./nodeinfo.ts";
import {
  refuseBlockedFetches,
  rescueRefusedInboxPosts,
  withoutActivityIdempotence,
  withoutDeliveriesToBlocked,
  withTrustedSignatureSpecs,
} from "./fedify-workarounds.ts";
import { refusedOnceWhenPermanent } from "./inbox/listener-errors.ts";
import { acceptDeleteOfGoneActor, onDelete, onFollow, onUndo } from "./inbox/inbox-handlers.ts";
import { onAnnounce, onCreateOrUpdate, onFollowAnswer } from "./inbox/partner-handlers.ts";
import { onPartnerKit, onPartnerKitDelete } from "./inbox/kit-handlers.ts";
import { onPartnerCall, onPartnerCallDelete } from "./inbox/partner-call-handlers.ts";
import { onAdd, onCallPublished, onCosignAnswer, onOffer, onStampDelete } from "./inbox/cosign-handlers.ts";
import { onJoinRefusal, onJoinRequest } from "./inbox/join-handlers.ts";
import { withCosignReplayWindow } from "./inbox/replay-window.ts";
import { onCoorganisedEventUpdate, onCoorganizeAdd, onCoorganizeAnswer, onCoorganizeDelete, onCoorganizeOffer } from "./inbox/coorganise-handlers.ts";
import { outboxRetryPolicy, permanentFailureStatusCodes } from "./retry-policy.ts";
import { withCurrentSigningKeys } from "./queue/signing-keys.ts";

const logger = getLogger(["relais", "federation"]);

import type { ActionKitService } from "../modules/actionkit/actionkit.service.ts";
import type { PressKitService } from "../modules/presskit/presskit.service.ts";
import type { SloganWording } from "../modules/slogan/slogan-wording.ts";
import type { SloganService } from "../modules/slogan/slogan.service.ts";

export interface FederationDeps {
  readonly origin: URL;
  readonly kv: KvStore;
  /** Undefined: Fedify delivers and handles inbox activities immediately (only for tests). */
  readonly queue: MessageQueue | undefined;
  readonly allowPrivateAddresses: boolean;
  readonly urls: Urls;
  readonly collectives: CollectiveService;
  readonly followers: FollowerService;
  readonly events: EventService;
  /** Blocks of actors and servers (the moderation module), cached a few seconds. */
  readonly blocks: { rules(): Promise<BlockRules> };
  /** Partners our collectives follow, and the events they bring. */
  readonly partners: PartnerService;
  /** Co-signed calls: invitations received, answers to ours, listings of our stamps. */
  readonly cosign: CosignService;
  /** Slogans (Notes) and press kits (Articles) in the collectives' outboxes, beside their events. */
  readonly slogans?: SloganService;
  readonly sloganWording?: SloganWording;
  readonly presskits?: PressKitService;
  /** Action kits: partners' published kits are kept to be listed on our public pages. */
  readonly actionkits?: Pick<ActionKitService, "receivePartnerKit" | "deletePartnerKit">;
  /** Requests to sign our open calls, and the answers to ours. */
  readonly joins?: JoinRequestService | undefined;
  /** Followed partners' calls to action, listed on the "request to sign" screens. */
  readonly partnerCalls?: Pick<PartnerCallService, "receive" | "delete"> | undefined;
  /** The instance's clock (tests move it): co-signing activities signed more than 15 minutes before it are refused. */
  readonly now?: (() => Date) | undefined;
  /** Co-organised events: the host's invitations and co-organisers, and the invited collectives' side. */
  readonly coorganise: { readonly host: CoorganiseHostService; readonly partner: CoorganisePartnerService };
  readonly softwareVersion: string;
  /** Words the events' summary lines and statuses in the AS2 documents. */
  readonly wording: EventWording;
  /**
   * Where Fedify records its OpenTelemetry metrics (deliveries, retries, signature failures): an object
   * of the API's MeterProvider shape (src/ops/metrics.ts bridges it to Prometheus); none: Fedify's default.
   */
  readonly meterProvider?: unknown;
  /** Where Fedify records its OpenTelemetry traces (src/ops/tracing.ts); none: no traces. */
  readonly tracerProvider?: unknown;
}

export type RelaisFederation = Federation<void>;

/**
 * Builds the Fedify federation: actors and collections (actors.ts), inbox listeners in one table
 * (below), outbound delivery policy. The only place besides src/federation/* that sees Fedify is the
 * composition root.
 */
export function buildFederation(deps: FederationDeps): RelaisFederation {
  // Nothing is fetched from, nor delivered to, a server or an actor blocked instance-wide; our own
  // origin never is (it cannot be blocked, but RELAIS_BLOCKED_DOMAINS is not checked against it).
  const allows = async (url: URL) => url.origin === deps.origin.origin || (await deps.blocks.rules()).allowsFetch(url);
  const federation = createFederation<void>({
    kv: withTrustedSignatureSpecs(withoutActivityIdempotence(deps.kv)),
    queue:
      deps.queue &&
      withCosignReplayWindow(withoutDeliveriesToBlocked(withCurrentSigningKeys(deps.queue, (actor) => currentPrivateKeys(actor)), allows), {
        origin: deps.origin,
        now: deps.now ?? (() => new Date()),
      }),
    manuallyStartQueue: true,
    origin: deps.origin.href,
    allowPrivateAddress: deps.allowPrivateAddresses,
    userAgent: { software: `Relais/${deps.softwareVersion}`, url: deps.origin },
    outboxRetryPolicy: outboxRetryPolicy(),
    permanentFailureStatusCodes: [...permanentFailureStatusCodes],
    circuitBreaker: {},
    // Most of the fediverse (Mastodon before 4.5 included) verifies only draft-cavage signatures: knock
    // with it first instead of spending a refused RFC 9421 request on every new server. Fedify retries
    // with RFC 9421 when draft-cavage may have been refused (400, 401), and remembers per origin what a
    // server accepted (fedify-workarounds.ts keeps both honest).
    firstKnock: "draft-cavage-http-signatures-12",
    ...(deps.meterProvider ? { meterProvider: deps.meterProvider as NonNullable<FederationOptions<void>["meterProvider"]> } : {}),
    ...(deps.tracerProvider ? { tracerProvider: deps.tracerProvider as NonNullable<FederationOptions<void>["tracerProvider"]> } : {}),
  });

  // A local actor's private keys as they are now (retries are signed with them: queue/signing-keys.ts).
  const currentPrivateKeys = async (actor: URL): Promise<JsonWebKey[] | undefined> => {
    if (actor.origin !== deps.origin.origin) return undefined;
    const ctx = federation.createContext(deps.origin, undefined);
    const parsed = ctx.parseUri(actor);
    if (parsed?.type !== "actor") return undefined;
    const pairs = await ctx.getActorKeyPairs(parsed.identifier);
    return Promise.all(pairs.map((p) => exportJwk(p.privateKey)));
  };

  refuseBlockedFetches(federation, allows);
  registerActors(federation, deps);
  registerNodeInfo(federation, deps);

  federation
    .setInboxListeners(paths.actorInbox, paths.sharedInbox)
    .setSharedKeyDispatcher(() => ({ identifier: instanceIdentifier }))
    // No "already processed" records: the handlers are idempotent on the data, and a record written
    // for a refused activity would drop the genuine one with the same id (see fedify-workarounds.ts).
    .withIdempotency(() => null)
    .on(Follow, refusedOnceWhenPermanent("Follow", (ctx, activity: Follow) => onFollow(ctx, activity, deps)))
    .on(Undo, refusedOnceWhenPermanent("Undo", (ctx, activity: Undo) => onUndo(ctx, activity, deps)))
    // A Delete may revoke a co-signature (a stamp); otherwise it is an actor's or a partner event's.
    .on(Delete, refusedOnceWhenPermanent("Delete", async (ctx, activity: Delete) => {
      if (await onCoorganizeDelete(ctx, activity, deps)) return;
      if (await onPartnerKitDelete(activity, deps)) return;
      if (await onPartnerCallDelete(activity, deps)) return;
      if (!(await onStampDelete(ctx, activity, deps))) await onDelete(ctx, activity, deps);
    }))
    // An Accept or a Reject answers one of our invitations to co-sign, or one of our Follows.
    .on(Accept, refusedOnceWhenPermanent("Accept", async (ctx, activity: Accept) => {
      if (await onCoorganizeAnswer(ctx, activity, true, deps)) return;
      if (!(await onCosignAnswer(ctx, activity, true, deps))) await onFollowAnswer(ctx, activity, true, deps);
    }))
    .on(Reject, refusedOnceWhenPermanent("Reject", async (ctx, activity: Reject) => {
      if (await onCoorganizeAnswer(ctx, activity, false, deps)) return;
      if (await onCosignAnswer(ctx, activity, false, deps)) return;
      if (!(await onJoinRefusal(ctx, activity, deps))) await onFollowAnswer(ctx, activity, false, deps);
    }))
    // An Offer invites one of our collectives to co-organise an event, or to co-sign a call.
    .on(Offer, refusedOnceWhenPermanent("Offer", async (ctx, activity: Offer) => {
      if (!(await onCoorganizeOffer(ctx, activity, deps))) await onOffer(ctx, activity, deps);
    }))
    .on(Add, refusedOnceWhenPermanent("Add", async (ctx, activity: Add) => {
      if (!(await onCoorganizeAdd(ctx, activity, deps))) await onAdd(ctx, activity, deps);
    }))
    // A Create may be a request to sign one of our calls, or the launch of a call one of our collectives signed.
    .on(Create, refusedOnceWhenPermanent("Create", async (ctx, activity: Create) => {
      if (await onJoinRequest(ctx, activity, deps)) return;
      await onCallPublished(ctx, activity, deps);
      await onPartnerCall(ctx, activity, "Create", deps);
      if (await onPartnerKit(ctx, activity, "Create", deps)) return;
      await onCreateOrUpdate(ctx, activity, "Create", deps);
    }))
    .on(Update, refusedOnceWhenPermanent("Update", async (ctx, activity: Update) => {
      await onCallPublished(ctx, activity, deps);
      await onCoorganisedEventUpdate(ctx, activity, deps);
      await onPartnerCall(ctx, activity, "Update", deps);
      if (await onPartnerKit(ctx, activity, "Update", deps)) return;
      await onCreateOrUpdate(ctx, activity, "Update", deps);
    }))
    .on(Announce, refusedOnceWhenPermanent("Announce", (ctx, activity: Announce) => onAnnounce(ctx, activity, deps)))
    .onError((_ctx, error) => {
      logger.error("inbox listener failed: {error}", { error });
    });

  // Some servers answer 404 to activity types they do not handle (Gancio does for Create(Article) and
  // boosts): that must not cost us the follower. Only 410 Gone removes it.
  federation.setOutboxPermanentFailureHandler(async (_ctx, failure) => {
    if (failure.statusCode !== 410) {
      // A personal inbox names its follower: the URL only at debug level.
      logger.info("a delivery was given up after {status}", { status: failure.statusCode });
      logger.debug("delivery to {inbox} given up after {status}", { inbox: failure.inbox.href, status: failure.statusCode });
      return;
    }
    const removed = await deps.followers.removeByGoneInbox(
      failure.inbox.href,
      failure.actorIds.map((u) => u.href),
    );
    // A partner whose inbox is gone goes with what it brought.
    const partners = await deps.partners.purgeByGoneInbox(
      failure.inbox.href,
      failure.actorIds.map((u) => u.href),
    );
    logger.info("an inbox is gone (410): removed {removed} follow(s), {partners} partner follow(s), {events} partner event(s)", {
      removed,
      partners: partners.partners,
      events: partners.events,
    });
    logger.debug("{inbox} is gone (410)", { inbox: failure.inbox.href });
  });

  // The Delete of an actor that is gone: see rescueRefusedInboxPosts.
  rescueRefusedInboxPosts(federation, undefined, (ctx, refused) => acceptDeleteOfGoneActor(ctx, refused, deps));

  return federation;
}
