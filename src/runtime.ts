import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KvStore } from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import { Redis } from "ioredis";
import pg from "pg";
import type { Config } from "./config/config.ts";
import { type EmbeddedHandle, openEmbeddedPostgres } from "./db/embedded-postgres.ts";
import { type DatabaseTarget, type EntityManager, type MikroORM, migrate, openOrm } from "./db/orm.ts";
import { buildFederation, type RelaisFederation } from "./federation/federation.ts";
import { installOutboundFetch } from "./federation/fedify-workarounds.ts";
import { PostgresKvStore, sqlExecutorFromPg } from "./federation/kv/postgres-kv-store.ts";
import { RedisKvStore } from "./federation/kv/redis-kv-store.ts";
import { ActorRefresher } from "./federation/actor-refresher.ts";
import { OutboxRelay } from "./federation/outbox-relay.ts";
import { PrincipalCache } from "./modules/user/principal-cache.ts";
import { FederatedReadCache, MemoryReadStore, RedisReadStore, tablesNoCachedAnswerShows } from "./federation/read-cache.ts";
import { watchCommittedWrites } from "./db/committed-writes.ts";
import { KeyRotationService } from "./modules/collective/key-rotation.service.ts";
import { rekeyQueuedDeliveries } from "./federation/queue/signing-keys.ts";
import { PartnerImageFetcher } from "./federation/partner-image-fetcher.ts";
import { PartnerResolver, type ResolveActorResult } from "./federation/partner-resolver.ts";
import { SloganReader } from "./federation/slogan-reader.ts";
import { ActionKitReader, PartnerKitLister } from "./federation/actionkit-reader.ts";
import { PartnerSloganLister } from "./federation/partner-slogans.ts";
import { type CosignPartnerLookup, cosignPartnerLookup } from "./federation/cosign-partners.ts";
import { PartnerService } from "./modules/partner/partner.service.ts";
import { PartnerEventSource } from "./modules/partner/partner-events.source.ts";
import { ServerSoftwareResolver } from "./federation/server-software.ts";
import { RemoteServerService } from "./modules/remote-server/remote-server.service.ts";
import { BullMqAnnouncer } from "./federation/queue/bullmq-announcer.ts";
import { PostgresMessageQueue } from "./federation/queue/postgres-message-queue.ts";
import { CallService } from "./modules/call/call.service.ts";
import { callWording, type CallWording } from "./modules/call/call-wording.ts";
import { closeCallsAtDeadline, noteNewSignatoriesPeriodically } from "./modules/call/call-deadlines.ts";
import { CollectiveService } from "./modules/collective/collective.service.ts";
import { CosignService } from "./modules/cosign/cosign.service.ts";
import { JoinRequestService } from "./modules/cosign/join-requests.service.ts";
import { PartnerCallService } from "./modules/call/partner-calls.service.ts";
import { type CallToJoinReader, callToJoinReader } from "./federation/cosign-call-reader.ts";
import { StampCheckService } from "./modules/cosign/stamp-checks.service.ts";
import { recheckStamps, recheckStampsPeriodically } from "./federation/stamp-rechecks.ts";
import { CoorganiseHostService } from "./modules/coorganise/coorganise-host.service.ts";
import { CoorganisePartnerService } from "./modules/coorganise/coorganise-partner.service.ts";
import { CoorganisedEventSource } from "./modules/coorganise/coorganised-events.source.ts";
import { eventDigester } from "./federation/coorganise-digest.ts";
import { SloganService } from "./modules/slogan/slogan.service.ts";
import { ActionKitService } from "./modules/actionkit/actionkit.service.ts";
import { actionKitWording } from "./modules/actionkit/actionkit-wording.ts";
import { PlacardService } from "./modules/slogan/placard.service.ts";
import { sloganWording, type SloganWording } from "./modules/slogan/slogan-wording.ts";
import { EventService } from "./modules/event/event.service.ts";
import { EventSeriesService } from "./modules/event/event-series.service.ts";
import { publishOccurrencesAhead } from "./modules/event/occurrence-publishing.ts";
import { eventWording, type EventWording } from "./modules/event/event-summary.ts";
import { CachedFeedSubjects } from "./modules/feed/cached-feed-subjects.ts";
import { DatabaseFeedSubjects } from "./modules/feed/feed-subjects.repository.ts";
import { FeedService } from "./modules/feed/feed.service.ts";
import { LocalEventSource } from "./modules/feed/local-events.source.ts";
import { FollowerService } from "./modules/follower/follower.service.ts";
import { BlockService } from "./modules/moderation/block.service.ts";
import { OutboxRepository } from "./modules/outbox/outbox.repository.ts";
import { UserService } from "./modules/user/user.service.ts";
import { AccountService } from "./modules/account/account.service.ts";
import { PostgresSessionStore } from "./modules/account/postgres-session.store.ts";
import { SessionService } from "./modules/account/session.service.ts";
import { AccountLinkService } from "./modules/account/account-link.service.ts";
import { MembershipService } from "./modules/account/membership.service.ts";
import { SecondFactorService } from "./modules/account/second-factor.service.ts";
import { AuditService } from "./modules/audit/audit.service.ts";
import { MediaService } from "./modules/media/media.service.ts";
import { PressFileStore } from "./modules/presskit/presskit-files.ts";
import { publishAtEmbargo } from "./modules/presskit/presskit-embargo.ts";
import { PressKitService } from "./modules/presskit/presskit.service.ts";
import { createMailer, type Mailer } from "./mail/mailer.ts";
import type { SessionStore } from "./modules/account/session.types.ts";
import { RedisSessionStore } from "./web/auth/redis-session.store.ts";
import { OperatorError } from "./shared/errors.ts";
import { Notifier } from "./shared/notifier.ts";
import { createTranslator, type Translate } from "./shared/i18n.ts";
import { Urls } from "./shared/urls.ts";
import { Metrics } from "./ops/metrics.ts";
import { createRateLimit, type RateLimit, type RateLimitOptions } from "./web/rate-limits.ts";

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

const logger = getLogger(["relais", "runtime"]);

export const softwareVersion: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

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
  readonly kv: KvStore;
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

/**
 * A process that works through the running server's embedded database (the CLI while `relais start`
 * runs) publishes as that server does: the identities it prints and the activity ids it writes to the
 * outbox must be the server's, whatever RELAIS_ORIGIN this process was given.
 */
function withServerOrigin(config: Config, embedded: EmbeddedHandle): Config {
  if (embedded.role !== "client") return config;
  const served = embedded.holder.origin;
  if (served === undefined || served === config.origin.href) return config;
  logger.warn(
    "The running server (process {pid}) publishes as {serverOrigin}, not as {configuredOrigin} (RELAIS_ORIGIN here): using the server's origin",
    { pid: embedded.holder.pid, serverOrigin: served, configuredOrigin: config.origin.href },
  );
  return { ...config, origin: new URL(served) };
}

/** The composition root: builds every component with plain constructors, in one place. */
export async function createRuntime(
  config: Config,
  role: Role,
  opts: { migrations?: "apply" | "require" | "skip"; queueName?: string | undefined; clock?: () => Date } = {},
): Promise<Runtime> {
  const closers: (() => Promise<unknown> | unknown)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (error) {
        logger.warn("error while closing: {error}", { error });
      }
    }
  };
  try {
    installOutboundFetch(config.outbound);
    // The queue lives in the database (Redis only announces), so the halves apart need one PostgreSQL
    // they share; Redis is optional (without it, workers poll the table and rate limits are per process).
    if (!config.databaseUrl && (role === "web" || role === "worker")) {
      throw new OperatorError(
        `relais ${role === "web" ? "serve" : "worker"} runs the web and worker halves apart, which share their queue through PostgreSQL: set DATABASE_URL, or run both in one process with "relais start"`,
      );
    }
    // Database: real PostgreSQL when DATABASE_URL is set, else the embedded one under the data folder.
    let target: DatabaseTarget;
    let embedded: EmbeddedHandle | undefined;
    let poolSize = role === "cli" ? 2 : 10;
    // Fedify's queue (and its key–value store without Redis) use their own small pool: single statements.
    let federationPoolSize = 4;
    if (config.databaseUrl) {
      target = { url: config.databaseUrl };
    } else {
      embedded = await openEmbeddedPostgres(config.dataDir, {
        origin: config.origin.href,
        thread: config.embeddedThread,
        sharedBuffersMb: config.embeddedSharedBuffersMb,
      });
      closers.push(() => embedded?.close());
      config = withServerOrigin(config, embedded);
      target = embedded.target;
      // Stay below the embedded server's connection limit (PGlite serves one session to all sockets).
      const budget = embedded.role === "owner" ? embedded.maxClientConnections : 2;
      federationPoolSize = budget > 4 ? 2 : 1;
      poolSize = Math.max(1, budget - federationPoolSize);
    }
    const orm = await openOrm(target, { poolSize });
    closers.push(() => orm.close());
    // `start` and the embedded default migrate by themselves; with a separate PostgreSQL the operator
    // runs `relais migrate` once per release, before web and worker processes start.
    const migrations = opts.migrations ?? (role === "all" || embedded !== undefined ? "apply" : "require");
    if (migrations === "apply") await migrate(orm);
    else if (migrations === "require") await assertMigrated(orm);
    const em = orm.em.fork() as EntityManager;

    const urls = new Urls(config.origin);
    const translate = createTranslator();
    const wording = eventWording(translate);
    const callsWording = callWording(translate);
    const slogansWording = sloganWording(translate);

    let sessionStore: SessionStore = new PostgresSessionStore(em);
    const readiness: Record<string, () => Promise<void>> = {
      database: async () => {
        await orm.em.getConnection().execute("select 1");
      },
      // A release whose migrations were not applied yet is not ready (the rollout waits for `relais migrate`).
      migrations: () => assertMigrated(orm),
    };
    let rateStore: RateLimitOptions["redis"];
    const federationPool = new pg.Pool(
      "url" in target ? { connectionString: target.url, max: federationPoolSize } : { ...target, max: federationPoolSize },
    );
    // A connection PostgreSQL ends (a restart, a terminated backend) is dropped and replaced; without
    // these listeners pg would throw the error out of the process.
    federationPool.on("error", (error) => logger.warn("PostgreSQL connection of the federation pool lost: {message}", { message: error.message }));
    federationPool.on("connect", (client) =>
      client.on("error", (error) => logger.warn("PostgreSQL connection of the federation pool lost: {message}", { message: error.message })),
    );
    closers.push(() => federationPool.end());
    const federationDb = sqlExecutorFromPg(federationPool);
    // Accepted work lives in the database on every setup; Redis only spreads message ids (ADR 0008).
    let kv: KvStore;
    let announcer: BullMqAnnouncer | undefined;
    const metrics = new Metrics();
    let readCache = new FederatedReadCache(new MemoryReadStore(), { onLookup: metrics.readCacheLookup });
    if (config.redisUrl) {
      const redis = new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
      closers.push(() => redis.quit());
      rateStore = { client: redis, keyPrefix: `relais:rl:${opts.queueName ?? ""}:` };
      kv = new RedisKvStore(redis, { keyPrefix: `relais:kv:${opts.queueName ?? ""}:` });
      sessionStore = new RedisSessionStore(redis, { keyPrefix: `relais:session:${opts.queueName ?? ""}:` });
      // Several web processes share one cache, and every process that writes (web, worker, CLI) invalidates it.
      readCache = new FederatedReadCache(new RedisReadStore(redis, { prefix: `relais:reads:${opts.queueName ?? ""}:`, release: softwareVersion }), { onLookup: metrics.readCacheLookup });
      const theAnnouncer = new BullMqAnnouncer({ connection: config.redisUrl, queueName: opts.queueName ?? "relais-federation" });
      closers.push(() => theAnnouncer.close());
      announcer = theAnnouncer;
      readiness.redis = async () => {
        await redis.ping();
      };
    } else {
      kv = new PostgresKvStore(federationDb);
    }
    const queue = new PostgresMessageQueue(federationDb, { announcer, concurrency: config.deliveryConcurrency });
    closers.push(() => queue.close());
    metrics.watchQueue(queue);
    readiness.queue = async () => {
      await queue.getDepth();
    };
    if (embedded?.role === "owner" && role === "all") {
      // The only process using this database: what is leased was taken by a process that died.
      const freed = await queue.releaseAllLeases();
      if (freed > 0) logger.info("{freed} queued message(s) left by a stopped process will be handled again", { freed });
    }

    // Shared by every web process through Redis when there is one; in memory otherwise (one process).
    const rateLimits: RateLimits = {
      apiAuthFailures: createRateLimit({ name: "api-auth-failures", points: config.apiAuthFailureLimit, durationSeconds: 900, redis: rateStore }),
      inbox: createRateLimit({ name: "inbox", points: config.inboxRateLimit, durationSeconds: 60, redis: rateStore }),
      loginAddress: createRateLimit({ name: "login-address", points: 30, durationSeconds: 900, redis: rateStore }),
      loginAccount: createRateLimit({ name: "login-account", points: 5, durationSeconds: 900, redis: rateStore }),
      secondFactor: createRateLimit({ name: "second-factor", points: 5, durationSeconds: 900, redis: rateStore }),
      kitCounts: createRateLimit({ name: "kit-counts", points: 20, durationSeconds: 3600 }),
    };

    // Services tell that they committed outbox rows; the relay, built after the federation, listens.
    const outboxWritten = new Notifier();
    // Cached documents and pages are forgotten after every commit that wrote what they show, whichever
    // service, job or command wrote it (ADR 0022): no writer has to remember.
    const documentTables = new Set([...orm.getMetadata().getAll().values()].map((meta) => meta.tableName).filter((t) => !tablesNoCachedAnswerShows.has(t)));
    watchCommittedWrites(orm, { tables: documentTables, onCommitted: () => readCache.invalidate() });
    const collectives = new CollectiveService(em, urls, { onOutbox: outboxWritten.notify });
    const keyRotation = new KeyRotationService(em, urls, { onOutbox: outboxWritten.notify, rekeyQueued: rekeyQueuedDeliveries() });
    const blocks: BlockService = new BlockService(em, urls, {
      configuredDomains: config.blockedDomains,
      // `@user@host` is looked up the way partners are (WebFinger); the resolver is built with the federation, below.
      resolveHandle: async ({ user, host, port }): Promise<{ ok: true; actor: URL } | { ok: false; reason: string }> => {
        const found: ResolveActorResult = await partnerActors.resolve(`@${user}@${host}${port === undefined ? "" : `:${port}`}`);
        return found.ok ? { ok: true, actor: found.actor.apId } : found;
      },
      onOutbox: outboxWritten.notify,
    });
    const followers = new FollowerService(em, urls, {
      isBlocked: (tx, actor, collectiveId) => blocks.isBlockedNow(tx, actor, collectiveId),
      instanceManuallyApprovesFollowers: config.instanceManuallyApprovesFollowers,
      onOutbox: outboxWritten.notify,
    });
    // Tokens looked up are kept a second (PrincipalCache) and forgotten at once after every commit that
    // wrote a token, a user or a membership in this process (a revocation, a role changed).
    const users = new UserService(em, { principals: new PrincipalCache() });
    watchCommittedWrites(orm, { tables: new Set(["api_token", "app_user", "membership"]), onCommitted: () => users.forgetPrincipals() });
    const sessions = new SessionService(sessionStore);
    const accounts = new AccountService(em, sessions);
    const secondFactor = new SecondFactorService(em, { issuer: `Relais ${urls.handleHost}` });
    const links = new AccountLinkService(em, accounts, users);
    const memberships = new MembershipService(em);
    const audit = new AuditService(em);
    const mailer = createMailer(config.smtpUrl, config.smtpFrom ?? `Relais <relais@${config.origin.hostname}>`);
    const media = new MediaService(config.mediaDir);
    const feedSubjects = new CachedFeedSubjects(new DatabaseFeedSubjects(em, urls), { ttlMs: 1000, onLookup: metrics.feedCacheLookup });
    const localEvents = new LocalEventSource(em, urls);
    // Cached documents and pages are forgotten on commit (above); feed versions are told here.
    const forgetFeedsAndDocuments = () => feedSubjects.invalidate();
    const coorganise = {
      host: new CoorganiseHostService(em, urls, { digest: eventDigester(urls, wording), onOutbox: outboxWritten.notify, onChange: forgetFeedsAndDocuments, ...(opts.clock ? { now: opts.clock } : {}) }),
      partner: new CoorganisePartnerService(em, urls, { onOutbox: outboxWritten.notify, onChange: forgetFeedsAndDocuments, ...(opts.clock ? { now: opts.clock } : {}) }),
    };
    const events = new EventService(em, urls, {
      translate,
      onOutbox: outboxWritten.notify,
      onChange: () => feedSubjects.invalidate(),
      onEventChanged: (tx, id) => coorganise.host.reviewEvent(tx, id),
    });
    const series = new EventSeriesService(em, urls, { translate, onOutbox: outboxWritten.notify, onChange: () => feedSubjects.invalidate() });
    const placards = new PlacardService(join(config.mediaDir, "placards"));
    const slogans = new SloganService(em, urls, { onOutbox: outboxWritten.notify });
    // Kits' files have their own folder: nothing of a kit under embargo is reachable under /media.
    const presskits = new PressKitService(em, urls, new PressFileStore(new MediaService(join(config.mediaDir, "presskits"))), {
      onOutbox: outboxWritten.notify,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    // Its committed changes forget the cached documents by themselves (watchCommittedWrites, above).
    const actionkits = new ActionKitService(em, urls, { onOutbox: outboxWritten.notify });
    const cosign = new CosignService(em, urls, { onOutbox: outboxWritten.notify, ...(opts.clock ? { now: opts.clock } : {}) });
    const joins = new JoinRequestService(em, urls, { onOutbox: outboxWritten.notify, ...(opts.clock ? { now: opts.clock } : {}) });
    const partnerCalls = new PartnerCallService(em, { now: opts.clock });
    const calls = new CallService(em, urls, {
      translate,
      onOutbox: outboxWritten.notify,
      onNewVersion: (tx, id) => cosign.reviewSignatures(tx, id),
    });
    const partners = new PartnerService(em, urls, {
      media,
      images: new PartnerImageFetcher({ allowPrivateAddresses: config.allowPrivateAddresses }),
      isBlocked: async (url, collectiveId) => (await blocks.rules()).blocksActor(url, collectiveId),
      onOutbox: outboxWritten.notify,
      onChange: () => feedSubjects.invalidate(),
    });
    // A new block takes the blocked's partner follows (undone) and events with it, in its transaction.
    blocks.registerPurger(async (tx, target, collectiveId) => {
      const outcome = await partners.purgeWithin(tx, target.kind === "domain" ? { domain: target.domain } : { actorApId: target.actor.href }, collectiveId);
      return { counts: { partners: outcome.partners, partnerEvents: outcome.events }, afterCommit: () => partners.afterPurge(outcome) };
    });
    const federation = buildFederation({
      origin: config.origin,
      kv,
      queue,
      allowPrivateAddresses: config.allowPrivateAddresses,
      urls,
      collectives,
      followers,
      events,
      blocks,
      partners,
      cosign,
      slogans,
      sloganWording: slogansWording,
      presskits,
      actionkits,
      joins,
      partnerCalls,
      ...(opts.clock ? { now: opts.clock } : {}),
      coorganise,
      softwareVersion,
      wording,
      meterProvider: metrics.meterProvider,
    });
    const partnerActors: PartnerResolver = new PartnerResolver({
      federation,
      urls,
      allowPrivateAddresses: config.allowPrivateAddresses,
      refuses: async (url) => !(await blocks.rules()).allowsFetch(url),
    });
    const sloganReader = new SloganReader({ federation, urls, slogans, refuses: async (url) => !(await blocks.rules()).allowsFetch(url) });
    const actionKitReader = new ActionKitReader({ federation, urls, actionkits, refuses: async (url) => !(await blocks.rules()).allowsFetch(url) });
    const partnerKits = new PartnerKitLister({ federation, urls, actionkits, refuses: async (url) => !(await blocks.rules()).allowsFetch(url) });
    const partnerSlogans = new PartnerSloganLister({ federation, urls, slogans, refuses: async (url) => !(await blocks.rules()).allowsFetch(url) });
    const outbox = new OutboxRepository(em);
    const serverSoftware = new ServerSoftwareResolver({
      servers: new RemoteServerService(em),
      allowPrivateAddresses: config.allowPrivateAddresses,
      // What a server blocked instance-wide runs is not asked: what is known of it is all there is.
      refuses: async (origin) => !(await blocks.rules()).allowsFetch(origin),
    });
    const cosignPartners = cosignPartnerLookup({ partners: partnerActors, software: serverSoftware });
    const callToJoin = callToJoinReader({ federation, urls, allowPrivateAddresses: config.allowPrivateAddresses });
    const rechecks = { federation, urls, checks: new StampCheckService(em, urls, opts.clock ? { now: opts.clock } : {}), cosign, allowPrivateAddresses: config.allowPrivateAddresses };
    // Network feeds (a collective's or the instance's events and their partners') have a second source.
    const partnerEvents = new PartnerEventSource(em, urls);
    const coorganisedEvents = new CoorganisedEventSource(em);
    const feeds = new FeedService({
      subjects: feedSubjects,
      // Events our collectives co-organise (hosted elsewhere) are part of their own feeds and the instance's.
      sources: (scope) => (scope.kind === "event" ? [localEvents] : scope.network ? [localEvents, coorganisedEvents, partnerEvents] : [localEvents, coorganisedEvents]),
      release: softwareVersion,
    });
    const relay = new OutboxRelay({ collectives, federation, queue, outbox, urls, followers, events, series, serverSoftware, wording, calls, callWording: callsWording, cosign, joins, allowPrivateAddresses: config.allowPrivateAddresses, slogans, sloganWording: slogansWording, presskits, actionkits: { service: actionkits, wording: actionKitWording(translate) }, coorganise, keyRotation, isBlocked: async (actor, collectiveId) => (await blocks.rules()).blocksActor(actor, collectiveId) });
    outboxWritten.subscribe(() => void relay.nudge());
    const refresher = new ActorRefresher({ federation, urls, followers, partners, cosign });

    return {
      config,
      role,
      urls,
      translate,
      wording,
      callWording: callsWording,
      sloganWording: slogansWording,
      orm,
      em,
      federation,
      kv,
      relay,
      queue,
      outbox,
      refresher,
      collectives,
      keyRotation,
      followers,
      blocks,
      users,
      sessions,
      accounts,
      secondFactor,
      links,
      memberships,
      audit,
      mailer,
      events,
      series,
      calls,
      slogans,
      placards,
      sloganReader,
      partnerSlogans,
      cosign,
      cosignPartners,
      joins,
      partnerCalls,
      callToJoin,
      recheckStamps: (o) => recheckStamps(rechecks, o),
      coorganise,
      partners,
      partnerActors,
      media,
      presskits,
      actionkits,
      actionKitReader,
      partnerKits,
      readCache,
      feedSubjects,
      feeds,
      embedded,
      readiness,
      rateLimits,
      metrics,
      async runWorker(signal: AbortSignal) {
        await Promise.all([
          federation.startQueue(undefined, { signal }),
          relay.run(signal),
          refresher.run(signal),
          closeCallsAtDeadline(calls, signal),
          noteNewSignatoriesPeriodically(calls, signal, opts.clock ?? (() => new Date())),
          recheckStampsPeriodically(rechecks, signal),
          publishAtEmbargo(presskits, signal),
          publishOccurrencesAhead(series, signal, opts.clock ?? (() => new Date())),
        ]);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function assertMigrated(orm: MikroORM): Promise<void> {
  const pending = await orm.migrator.getPending();
  if (pending.length > 0) {
    throw new OperatorError(`the database needs ${pending.length} migration(s): run "relais migrate" first`);
  }
}
