import type { KitCountExchange } from "./federation/kit-count-exchange.ts";
import type { Config } from "./config/config.ts";
import type { EmbeddedHandle } from "./db/embedded-postgres.ts";
import type { EntityManager, MikroORM } from "./db/orm.ts";
import type { ActionKitReader, PartnerKitLister } from "./federation/actionkit-reader.ts";
import type { ActorRefresher } from "./federation/actor-refresher.ts";
import type { CallToJoinReader } from "./federation/cosign-call-reader.ts";
import type { CosignPartnerLookup } from "./federation/cosign-partners.ts";
import type { RelaisFederation } from "./federation/federation.ts";
import type { OutboxRelay } from "./federation/outbox-relay.ts";
import type { PartnerResolver } from "./federation/partner-resolver.ts";
import type { PartnerSloganLister } from "./federation/partner-slogans.ts";
import type { PostgresMessageQueue } from "./federation/queue/postgres-message-queue.ts";
import type { FederatedReadCache } from "./federation/read-cache.ts";
import type { SloganReader } from "./federation/slogan-reader.ts";
import type { Mailer } from "./mail/mailer.ts";
import type { AccountService } from "./modules/account/account.service.ts";
import type { AccountLinkService } from "./modules/account/account-link.service.ts";
import type { MembershipService } from "./modules/account/membership.service.ts";
import type { SecondFactorService } from "./modules/account/second-factor.service.ts";
import type { SessionService } from "./modules/account/session.service.ts";
import type { ActionKitService } from "./modules/actionkit/actionkit.service.ts";
import type { AuditService } from "./modules/audit/audit.service.ts";
import type { CallService } from "./modules/call/call.service.ts";
import type { CallWording } from "./modules/call/call-wording.ts";
import type { PartnerCallService } from "./modules/call/partner-calls.service.ts";
import type { CollectiveService } from "./modules/collective/collective.service.ts";
import type { KeyRotationService } from "./modules/collective/key-rotation.service.ts";
import type { CoorganiseHostService } from "./modules/coorganise/coorganise-host.service.ts";
import type { CoorganisePartnerService } from "./modules/coorganise/coorganise-partner.service.ts";
import type { CosignService } from "./modules/cosign/cosign.service.ts";
import type { JoinRequestService } from "./modules/cosign/join-requests.service.ts";
import type { EventService } from "./modules/event/event.service.ts";
import type { EventSeriesService } from "./modules/event/event-series.service.ts";
import type { EventWording } from "./modules/event/event-summary.ts";
import type { CachedFeedSubjects } from "./modules/feed/cached-feed-subjects.ts";
import type { FeedService } from "./modules/feed/feed.service.ts";
import type { FollowerService } from "./modules/follower/follower.service.ts";
import type { MediaService } from "./modules/media/media.service.ts";
import type { BlockService } from "./modules/moderation/block.service.ts";
import type { OutboxRepository } from "./modules/outbox/outbox.repository.ts";
import type { PartnerService } from "./modules/partner/partner.service.ts";
import type { PressKitService } from "./modules/presskit/presskit.service.ts";
import type { PlacardService } from "./modules/slogan/placard.service.ts";
import type { SloganService } from "./modules/slogan/slogan.service.ts";
import type { SloganWording } from "./modules/slogan/slogan-wording.ts";
import type { UserService } from "./modules/user/user.service.ts";
import type { Metrics } from "./ops/metrics.ts";
import type { Translate } from "./shared/i18n.ts";
import type { Urls } from "./shared/urls.ts";
import type { FederationKv } from "./runtime-storage.ts";
import type { RateLimit } from "./web/rate-limits.ts";

// What the composition root (runtime.ts) builds: the process's components, by name.

export interface RateLimits {
  /** Failed API authentications per client address. */
  readonly apiAuthFailures: RateLimit;
  /** Inbox POSTs per remote origin and client address. */
  readonly inbox: RateLimit;
  /** Failed logins per client address, and per account and address (no lock-out from elsewhere). */
  readonly loginAddress: RateLimit;
  readonly loginAccount: RateLimit;
  /** Wrong second-factor codes per account. */
  readonly secondFactor: RateLimit;
  /**
   * Opt-in counts of action kit letters per client: in this process's memory only, keyed by a salted
   * hash of the address (docs/adr: action kits), so that no address is written anywhere.
   */
  readonly kitCounts: RateLimit;
}

/**
 * - `all`: web and worker in one process (`relais start`, the embedded default);
 * - `web` / `worker`: the two halves, separately (need Redis for the queue);
 * - `cli`: database only, no queue consumer.
 */
export type Role = "all" | "web" | "worker" | "cli";

export interface Runtime {
  readonly config: Config;
  readonly role: Role;
  readonly urls: Urls;
  /** The interface's translations (locales/), for whatever words text for people. */
  readonly translate: Translate;
  /** Events worded for people (summary line, dates, status) with `translate`. */
  readonly wording: EventWording;
  /** Calls worded for people (status, day of action, deadline, change notes) with `translate`. */
  readonly callWording: CallWording;
  /** What a slogan's post says around the slogan (its call, its origin, the share image's alt text). */
  readonly sloganWording: SloganWording;
  readonly orm: MikroORM;
  readonly em: EntityManager;
  readonly federation: RelaisFederation;
  /** Fedify's key–value store (caches, circuit breaker state, signature specs per server). */
  readonly kv: FederationKv;
  readonly relay: OutboxRelay;
  /** Fedify's queue: deliveries and accepted inbox activities, in the database. */
  readonly queue: PostgresMessageQueue;
  readonly outbox: OutboxRepository;
  readonly refresher: ActorRefresher;
  readonly collectives: CollectiveService;
  /** `relais keys rotate`: new key pairs for an actor, announced with an Update (ADR 0030). */
  readonly keyRotation: KeyRotationService;
  readonly followers: FollowerService;
  /** Blocks of actors and servers, per collective and instance-wide. */
  readonly blocks: BlockService;
  readonly users: UserService;
  /** Browser sessions of editors (PostgreSQL, or Redis when REDIS_URL is set). */
  readonly sessions: SessionService;
  readonly accounts: AccountService;
  readonly secondFactor: SecondFactorService;
  /** Invitations and password-reset links. */
  readonly links: AccountLinkService;
  readonly memberships: MembershipService;
  readonly audit: AuditService;
  /** Undefined without RELAIS_SMTP_URL: links are shown to whoever creates them, never e-mailed. */
  readonly mailer: Mailer | undefined;
  readonly events: EventService;
  /** Recurring events: occurrences, single occurrences' exceptions, a series changed from a date on or ended. */
  readonly series: EventSeriesService;
  /** Calls to action: their text, versions and life (draft → consultation → open → closed / withdrawn). */
  readonly calls: CallService;
  /** Slogans of collectives (a line per language), published as Notes, with their placards. */
  readonly slogans: SloganService;
  /** Placards (PDF) and share images (PNG) of slogans, rendered once per version under the media folder. */
  readonly placards: PlacardService;
  /** Reads a partner's slogan (this instance's, or another server's Note) to adopt it. */
  readonly sloganReader: SloganReader;
  /** Lists the published slogans of a collective's partners (here or on their servers' outboxes), to adopt one. */
  readonly partnerSlogans: PartnerSloganLister;
  /** Co-signatures of calls across servers: invitations sent and received, signatures, stamps. */
  readonly cosign: CosignService;
  /** Finds a Relais collective that can be invited to co-sign (a handle or an actor URL). */
  readonly cosignPartners: CosignPartnerLookup;
  /** Requests to sign open calls: ours to other servers' calls, and theirs to ours. */
  readonly joins: JoinRequestService;
  /** Followed partners' calls to action (kept from their federation), for the join screens. */
  readonly partnerCalls: PartnerCallService;
  /** Reads an open call of another server (its current version checked) that a collective asks to sign. */
  readonly callToJoin: CallToJoinReader;
  /** One round of re-checks of the stamps our calls list (the worker runs one an hour); `olderThanMs` 0 asks every one. */
  recheckStamps(opts?: { olderThanMs?: number }): Promise<{ confirmed: number; revoked: number; unreachable: number }>;
  /** Events organised together: the host's side and the invited collectives' side. */
  readonly coorganise: { readonly host: CoorganiseHostService; readonly partner: CoorganisePartnerService };
  /** Partners the collectives follow and the events they bring (the network agenda). */
  readonly partners: PartnerService;
  /** Finds the actor a partner's handle or URL names (WebFinger, signed fetch). */
  readonly partnerActors: PartnerResolver;
  /** Uploaded images (event images, avatars), re-encoded, under the media folder. */
  readonly media: MediaService;
  /** Press kits: release, contact, files (in `<media folder>/presskits`), embargo and secret links. */
  readonly presskits: PressKitService;
  /** Action kits: letters with blanks that people fill in their own browser (nothing typed reaches us). */
  readonly actionkits: ActionKitService;
  /** Reads a partner's action kit (this instance's, or another server's Article and its text) to adopt it. */
  readonly actionKitReader: ActionKitReader;
  /** Lists the published kits of a collective's partners (here or on their servers), to adopt one. */
  readonly partnerKits: PartnerKitLister;
  /** Counts of kits across servers: our copies' counts reported to their origins, and other servers' reports (ADR 0032). */
  readonly kitCountExchange: KitCountExchange;
  /**
   * Rendered federated reads (actors, WebFinger, NodeInfo, AS2 objects; ADR 0022): in memory, or in
   * Redis when REDIS_URL is set; every write that can change a document invalidates it after its commit.
   */
  readonly readCache: FederatedReadCache;
  /** Versions of the calendar feeds, remembered briefly so that polls cost no query. */
  readonly feedSubjects: CachedFeedSubjects;
  /** The iCal feeds (instance, collectives, events) over this instance's events. */
  readonly feeds: FeedService;
  readonly embedded: EmbeddedHandle | undefined;
  readonly readiness: Record<string, () => Promise<void>>;
  readonly rateLimits: RateLimits;
  /** What `/metrics` shows: deliveries, queue, signatures, caches, HTTP latency (src/ops/metrics.ts). */
  readonly metrics: Metrics;
  /** Consumes the federation queue and polls the outbox until the signal aborts. */
  runWorker(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
