import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getLogger } from "@logtape/logtape";
import type { Config } from "./config/config.ts";
import { buildFederation } from "./federation/federation.ts";
import { installOutboundFetch } from "./federation/fedify-workarounds.ts";
import { ActorRefresher } from "./federation/actor-refresher.ts";
import { KitCountExchange } from "./federation/kit-count-exchange.ts";
import { OutboxRelay } from "./federation/outbox-relay.ts";
import { PrincipalCache } from "./modules/user/principal-cache.ts";
import { tablesNoCachedAnswerShows } from "./federation/read-cache.ts";
import { watchCommittedWrites } from "./db/committed-writes.ts";
import { KeyRotationService } from "./modules/collective/key-rotation.service.ts";
import { rekeyQueuedDeliveries } from "./federation/queue/signing-keys.ts";
import { PartnerCallBackfill } from "./federation/partner-call-backfill.ts";
import { PartnerImageFetcher } from "./federation/partner-image-fetcher.ts";
import { PartnerResolver, type ResolveActorResult } from "./federation/partner-resolver.ts";
import { SloganReader } from "./federation/slogan-reader.ts";
import { ActionKitReader, PartnerKitLister } from "./federation/actionkit-reader.ts";
import { PartnerSloganLister } from "./federation/partner-slogans.ts";
import { cosignPartnerLookup } from "./federation/cosign-partners.ts";
import { PartnerService } from "./modules/partner/partner.service.ts";
import { PartnerEventSource } from "./modules/partner/partner-events.source.ts";
import { ServerSoftwareResolver } from "./federation/server-software.ts";
import { RemoteServerService } from "./modules/remote-server/remote-server.service.ts";
import { CallService } from "./modules/call/call.service.ts";
import { callWording } from "./modules/call/call-wording.ts";
import { closeCallsAtDeadline, noteNewSignatoriesPeriodically } from "./modules/call/call-deadlines.ts";
import { CollectiveService } from "./modules/collective/collective.service.ts";
import { CosignService } from "./modules/cosign/cosign.service.ts";
import { JoinRequestService } from "./modules/cosign/join-requests.service.ts";
import { PartnerCallService } from "./modules/call/partner-calls.service.ts";
import { PartnerCallBackfillService } from "./modules/call/partner-call-backfill.service.ts";
import { callToJoinReader } from "./federation/cosign-call-reader.ts";
import { StampCheckService } from "./modules/cosign/stamp-checks.service.ts";
import { recheckStamps, recheckStampsPeriodically } from "./federation/stamp-rechecks.ts";
import { CoorganiseHostService } from "./modules/coorganise/coorganise-host.service.ts";
import { CoorganisePartnerService } from "./modules/coorganise/coorganise-partner.service.ts";
import { CoorganisedEventSource } from "./modules/coorganise/coorganised-events.source.ts";
import { eventDigester } from "./federation/coorganise-digest.ts";
import { SloganService } from "./modules/slogan/slogan.service.ts";
import { ActionKitService } from "./modules/actionkit/actionkit.service.ts";
import { KitReportService } from "./modules/actionkit/kit-reports.service.ts";
import { actionKitWording } from "./modules/actionkit/actionkit-wording.ts";
import { PlacardService } from "./modules/slogan/placard.service.ts";
import { sloganWording } from "./modules/slogan/slogan-wording.ts";
import { EventService } from "./modules/event/event.service.ts";
import { EventSeriesService } from "./modules/event/event-series.service.ts";
import { publishOccurrencesAhead } from "./modules/event/occurrence-publishing.ts";
import { eventWording } from "./modules/event/event-summary.ts";
import { CachedFeedSubjects } from "./modules/feed/cached-feed-subjects.ts";
import { DatabaseFeedSubjects } from "./modules/feed/feed-subjects.repository.ts";
import { FeedService } from "./modules/feed/feed.service.ts";
import { LocalEventSource } from "./modules/feed/local-events.source.ts";
import { FollowerService } from "./modules/follower/follower.service.ts";
import { BlockService } from "./modules/moderation/block.service.ts";
import { OutboxRepository } from "./modules/outbox/outbox.repository.ts";
import { UserService } from "./modules/user/user.service.ts";
import { AccountService } from "./modules/account/account.service.ts";
import { SessionService } from "./modules/account/session.service.ts";
import { AccountLinkService } from "./modules/account/account-link.service.ts";
import { MembershipService } from "./modules/account/membership.service.ts";
import { SecondFactorService } from "./modules/account/second-factor.service.ts";
import { AuditService } from "./modules/audit/audit.service.ts";
import { MediaService } from "./modules/media/media.service.ts";
import { PressFileStore } from "./modules/presskit/presskit-files.ts";
import { publishAtEmbargo } from "./modules/presskit/presskit-embargo.ts";
import { PressKitService } from "./modules/presskit/presskit.service.ts";
import { createMailer } from "./mail/mailer.ts";
import { Notifier } from "./shared/notifier.ts";
import { createTranslator } from "./shared/i18n.ts";
import { Urls } from "./shared/urls.ts";
import { openStorage } from "./runtime-storage.ts";
import type { Role, Runtime } from "./runtime.types.ts";
import { startTracing } from "./ops/tracing.ts";

export type { RateLimits, Role, Runtime } from "./runtime.types.ts";

const logger = getLogger(["relais", "runtime"]);

export const softwareVersion: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

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
    // Fedify's traces, only when configured (the SDK is imported then); closed last, so the spans of the
    // shutdown itself are sent. Not for one-shot CLI commands.
    const tracing = config.traces && role !== "cli" ? await startTracing({ ...config.traces, role, version: softwareVersion }) : undefined;
    if (tracing) closers.push(() => tracing.shutdown());
    const storage = await openStorage(config, role, { ...opts, release: softwareVersion }, closers);
    config = storage.config;
    const { orm, em, embedded, kv, queue, readCache, metrics, rateLimits, readiness } = storage;

    const urls = new Urls(config.origin);
    const translate = createTranslator();
    const wording = eventWording(translate);
    const callsWording = callWording(translate);
    const slogansWording = sloganWording(translate);

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
    const sessions = new SessionService(storage.sessionStore);
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
      ...(opts.clock ? { now: opts.clock } : {}),
    });
    const series = new EventSeriesService(em, urls, { translate, onOutbox: outboxWritten.notify, onChange: () => feedSubjects.invalidate(), leadMs: config.occurrenceLeadHours * 3_600_000, ...(opts.clock ? { now: opts.clock } : {}) });
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
    // Set once the federation exists; a follow accepted before then is read by the worker's next round.
    let partnerCallBackfill: PartnerCallBackfill | undefined;
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
      onFollowAccepted: () => void partnerCallBackfill?.nudge(),
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
      ...(tracing ? { tracerProvider: tracing.tracerProvider } : {}),
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
    const kitCountExchange = new KitCountExchange({ federation, urls, reports: new KitReportService(em, urls, actionkits), allowPrivateAddresses: config.allowPrivateAddresses, refuses: async (url) => !(await blocks.rules()).allowsFetch(url) });
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
    partnerCallBackfill = new PartnerCallBackfill({
      federation,
      urls,
      backfills: new PartnerCallBackfillService(em, { now: opts.clock }),
      partnerCalls,
      isListeningTo: (actorApId) => partners.isListeningTo(actorApId),
      isBlocked: async (actor) => !(await blocks.rules()).allowsFetch(actor),
      allowPrivateAddresses: config.allowPrivateAddresses,
    });
    const backfill = partnerCallBackfill;
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
      kitCountExchange,
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
          kitCountExchange.run(signal),
          backfill.run(signal),
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
