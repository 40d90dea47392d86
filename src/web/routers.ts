import type { Express, Router } from "express";
import { accountApiRouter } from "../api/account.router.ts";
import { blocksApiRouter } from "../api/blocks.router.ts";
import { callsApiRouter } from "../api/calls.router.ts";
import { slogansApiRouter } from "../api/slogans.router.ts";
import { cosignApiRouter } from "../api/cosign.router.ts";
import { joinApiRouter } from "../api/join.router.ts";
import { coorganiseApiRouter } from "../api/coorganise.router.ts";
import { eventsApiRouter, parseListQuery } from "../api/events.router.ts";
import { cachedEventLists } from "../api/event-list-cache.ts";
import { seriesApiRouter } from "../api/series.router.ts";
import { cachedFederatedReads } from "../federation/cached-reads.ts";
import { as2ObjectKinds } from "../federation/objects.ts";
import { partnersApiRouter } from "../api/partners.router.ts";
import { pressKitsApiRouter } from "../api/presskits.router.ts";
import { actionKitsApiRouter } from "../api/actionkits.router.ts";
import { agendaRoutes } from "./agenda.routes.ts";
import type { Runtime } from "../runtime.ts";
import { createApp } from "./app.ts";
import { editorRouter } from "./editor/editor.router.ts";
import { callRoutes } from "./call.routes.ts";
import { sloganRoutes } from "./slogan.routes.ts";
import { eventRoutes } from "./event.routes.ts";
import { cachedCollectivePages, collectiveRoutes } from "./collective.routes.ts";
import { feedRoutes } from "./feed.routes.ts";
import { homeRoutes } from "./home.routes.ts";
import { mediaRoutes } from "./media.routes.ts";
import { pressKitRoutes } from "./presskit.routes.ts";
import { actionKitRoutes } from "./actionkit.routes.ts";
import { actionKitAssetRoutes } from "./actionkit-assets.ts";
import { actionKitWording } from "../modules/actionkit/actionkit-wording.ts";

/** Feature routers (JSON API, feeds, event pages…) built from the runtime's services, mounted by createApp. */
function extraRouters(runtime: Runtime): Router[] {
  return [
    accountApiRouter({ users: runtime.users, memberships: runtime.memberships, authFailures: runtime.rateLimits.apiAuthFailures }),
    callsApiRouter({ calls: runtime.calls, users: runtime.users, authFailures: runtime.rateLimits.apiAuthFailures }),
    slogansApiRouter({
      slogans: runtime.slogans,
      users: runtime.users,
      urls: runtime.urls,
      read: (url) => runtime.sloganReader.read(url),
      authFailures: runtime.rateLimits.apiAuthFailures,
    }),
    cosignApiRouter({ cosign: runtime.cosign, users: runtime.users, lookup: runtime.cosignPartners, urls: runtime.urls, authFailures: runtime.rateLimits.apiAuthFailures }),
    joinApiRouter({ joins: runtime.joins, users: runtime.users, read: runtime.callToJoin, authFailures: runtime.rateLimits.apiAuthFailures }),
    coorganiseApiRouter({ ...runtime.coorganise, users: runtime.users, lookup: runtime.cosignPartners, authFailures: runtime.rateLimits.apiAuthFailures }),
    eventsApiRouter({
      events: runtime.events,
      users: runtime.users,
      origin: runtime.urls.origin,
      authFailures: runtime.rateLimits.apiAuthFailures,
      cache: runtime.readCache,
    }),
    seriesApiRouter({ series: runtime.series, users: runtime.users, authFailures: runtime.rateLimits.apiAuthFailures }),
    partnersApiRouter({
      partners: runtime.partners,
      users: runtime.users,
      lookup: (ref) => runtime.partnerActors.resolve(ref),
      authFailures: runtime.rateLimits.apiAuthFailures,
    }),
    pressKitsApiRouter({
      presskits: runtime.presskits,
      users: runtime.users,
      urls: runtime.urls,
      maxUploadBytes: runtime.config.maxUploadBytes,
      authFailures: runtime.rateLimits.apiAuthFailures,
    }),
    actionKitsApiRouter({
      actionkits: runtime.actionkits,
      users: runtime.users,
      urls: runtime.urls,
      read: (url) => runtime.actionKitReader.read(url),
      authFailures: runtime.rateLimits.apiAuthFailures,
    }),
    blocksApiRouter({ blocks: runtime.blocks, users: runtime.users, authFailures: runtime.rateLimits.apiAuthFailures }),
    homeRoutes({ collectives: runtime.collectives, events: runtime.events, urls: runtime.urls, series: runtime.series }),
    collectiveRoutes({ collectives: runtime.collectives, followers: runtime.followers, events: runtime.events, calls: runtime.calls, slogans: runtime.slogans, presskits: runtime.presskits, urls: runtime.urls, cache: runtime.readCache, coorganised: (slug, from, limit) => runtime.coorganise.partner.upcoming(slug, from, limit), series: runtime.series }),
    eventRoutes({ events: runtime.events, series: runtime.series, slogans: runtime.slogans, presskits: runtime.presskits, urls: runtime.urls, coorganizers: (id) => runtime.coorganise.host.listed(id) }),
    callRoutes({ calls: runtime.calls, slogans: runtime.slogans, presskits: runtime.presskits, urls: runtime.urls }),
    sloganRoutes({ slogans: runtime.slogans, placards: runtime.placards, urls: runtime.urls }),
    feedRoutes(runtime.feeds),
    agendaRoutes({ feeds: runtime.feeds, collectives: runtime.collectives, urls: runtime.urls }),
    mediaRoutes(runtime.media),
    pressKitRoutes({ presskits: runtime.presskits, urls: runtime.urls }),
    actionKitAssetRoutes(),
    actionKitRoutes({
      actionkits: runtime.actionkits,
      urls: runtime.urls,
      countLimit: runtime.rateLimits.kitCounts,
      copyCounts: { receive: (id, request) => runtime.kitCountExchange.receive(id, request), limit: runtime.rateLimits.inbox },
    }),
    editorRouter({
      origin: runtime.urls.origin,
      sessions: runtime.sessions,
      accounts: runtime.accounts,
      users: runtime.users,
      collectives: runtime.collectives,
      followers: runtime.followers,
      events: runtime.events,
      series: runtime.series,
      calls: runtime.calls,
      slogans: runtime.slogans,
      presskits: runtime.presskits,
      actionkits: runtime.actionkits,
      partners: runtime.partners,
      partnerLookup: (ref) => runtime.partnerActors.resolve(ref),
      sloganLookup: (url) => runtime.sloganReader.read(url),
      actionKitLookup: (url) => runtime.actionKitReader.read(url),
      partnerKits: (partners) => runtime.partnerKits.list(partners),
      partnerSlogans: (partners) => runtime.partnerSlogans.list(partners),
      blocks: runtime.blocks,
      cosign: runtime.cosign,
      cosignLookup: runtime.cosignPartners,
      joins: runtime.joins,
      callToJoin: runtime.callToJoin,
      partnerCalls: runtime.partnerCalls,
      coorganise: runtime.coorganise,
      secondFactor: runtime.secondFactor,
      links: runtime.links,
      memberships: runtime.memberships,
      audit: runtime.audit,
      mailer: runtime.mailer,
      limits: runtime.rateLimits,
      media: runtime.media,
      urls: runtime.urls,
      translate: runtime.translate,
      wording: runtime.wording,
      maxUploadBytes: runtime.config.maxUploadBytes,
    }),
  ];
}

/** The HTTP application of a runtime: what `relais serve`/`start` and the test instances listen with. */
export function appFor(runtime: Runtime): Express {
  const as2Objects = as2ObjectKinds({
    events: runtime.events,
    urls: runtime.urls,
    wording: runtime.wording,
    calls: runtime.calls,
    callWording: runtime.callWording,
    cosign: runtime.cosign,
    federation: runtime.federation,
    slogans: runtime.slogans,
    sloganWording: runtime.sloganWording,
    presskits: runtime.presskits,
    actionkits: { service: runtime.actionkits, wording: actionKitWording(runtime.translate) },
    coorganise: runtime.coorganise,
    series: runtime.series,
  });
  return createApp({
    urls: runtime.urls,
    federation: runtime.federation,
    as2Objects,
    cachedReads: cachedFederatedReads({ cache: runtime.readCache, federation: runtime.federation, origin: runtime.urls.origin, objects: as2Objects }),
    cachedPages: cachedCollectivePages({ cache: runtime.readCache, urls: runtime.urls }),
    cachedLists: cachedEventLists({ cache: runtime.readCache, users: runtime.users, parse: parseListQuery }),
    maxInboxBodyBytes: runtime.config.maxInboxBodyBytes,
    blocks: runtime.blocks,
    readiness: runtime.readiness,
    trustProxy: runtime.config.trustProxy,
    inboxRateLimit: runtime.rateLimits.inbox,
    inboxConcurrency: runtime.config.inboxConcurrency,
    routers: extraRouters(runtime),
    metrics: runtime.metrics,
    metricsToken: runtime.config.metrics.token,
  });
}
