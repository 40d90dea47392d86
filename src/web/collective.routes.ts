import { type RequestHandler, Router } from "express";
import { sendCachedRead } from "../federation/cached-reads.ts";
import { fedifyServesJsonLd } from "../federation/fedify-workarounds.ts";
import type { FederatedReadCache, RenderedRead } from "../federation/read-cache.ts";
import type { CallService } from "../modules/call/call.service.ts";
import type { CollectiveService } from "../modules/collective/collective.service.ts";
import type { EventService } from "../modules/event/event.service.ts";
import type { PublishedEvent } from "../modules/event/event.types.ts";
import type { FollowerService } from "../modules/follower/follower.service.ts";
import { matcher, paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { CookieJar } from "./auth/cookies.ts";
import { editorPaths } from "./editor/paths.ts";
import { visitorLanguages } from "./language.ts";
import { upcomingSection } from "./pages/calendar.page.ts";
import { atNextOccurrence } from "./pages/series.page.ts";
import type { EventSeriesService } from "../modules/event/event-series.service.ts";
import { callsSection } from "./pages/call.page.ts";
import { slogansSection } from "./pages/slogan.page.ts";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import { collectivePage } from "./pages/collective.page.ts";
import type { PressKitService } from "../modules/presskit/presskit.service.ts";
import { pressKitsSection } from "./pages/presskit.page.ts";

/**
 * How long an anonymous page may be served at most, whatever the writes: it lists events "from now",
 * which the clock changes without any write (an event that has just ended shows for up to this long).
 */
const pageMaxAgeMs = 30_000;

const pageKey = (slug: string, wanted: readonly string[]) => `page collective ${slug} ${wanted.join(",")}`;

/**
 * The anonymous collective pages already kept, answered before the federation bridge (Fedify's router
 * and content negotiation cost a cached page more than the page itself): a browser's GET of `/@slug`
 * (what Fedify would not answer with JSON-LD), without a session cookie, whose page is kept. Anything
 * else, a miss included, goes on: the bridge, then `collectiveRoutes`, which renders and keeps it.
 */
export function cachedCollectivePages(deps: { cache: FederatedReadCache; urls: Urls }): RequestHandler {
  const cookies = new CookieJar(deps.urls.origin);
  const actor = matcher(paths.actor);
  return (req, res, next) => {
    if (req.method !== "GET" || !req.path.startsWith("/@") || fedifyServesJsonLd(req.headers.accept)) return next();
    const values = actor(req.path);
    if (!values || cookies.read(req, "session") !== undefined) return next();
    const key = pageKey(values.identifier, visitorLanguages(req).wanted);
    const inMemory = deps.cache.peek(key);
    if (inMemory) return sendCachedRead(req, res, inMemory);
    deps.cache.kept(key).then(
      (read) => (read ? sendCachedRead(req, res, read) : next()),
      () => next(),
    );
  };
}

/**
 * A collective's page for browsers (servers get its Group from Fedify on the same URL, mounted before).
 * Visitors without a session cookie get it from the read cache (ADR 0022): rendered once per generation
 * (every committed write to what it shows starts a new one), per collective and per wanted languages,
 * with ETag, Last-Modified and 304s. A visitor with a session cookie (an editor) gets it rendered for
 * them, never from the cache and never into it: their page has the link to the editor.
 */
export function collectiveRoutes(deps: {
  collectives: CollectiveService;
  followers: FollowerService;
  events: EventService;
  calls?: CallService;
  slogans?: SloganService;
  presskits?: PressKitService;
  urls: Urls;
  /** The cache of anonymous pages; none: every page is rendered. */
  cache?: FederatedReadCache;
  /** Events of other servers the collective co-organises, upcoming first: listed with its own. */
  coorganised?: (slug: string, from: Temporal.Instant, limit: number) => Promise<PublishedEvent[]>;
  /** Recurring events: listed once, at their next occurrence. */
  series?: EventSeriesService;
}): Router {
  const router = Router();
  const cookies = new CookieJar(deps.urls.origin);

  const render = async (slug: string, wanted: string[], lang: string, signedIn: boolean): Promise<RenderedRead | undefined> => {
    const collective = await deps.collectives.findBySlug(slug);
    if (!collective) return undefined;
    const now = Temporal.Now.instant();
    const [followerCount, upcoming, calls, slogans, kits, coorganised] = await Promise.all([
      deps.followers.countAccepted(collective.id),
      deps.events.list(collective.slug, { from: now, limit: 50 }),
      deps.calls ? deps.calls.list(collective.slug, null, { limit: 10 }) : [],
      deps.slogans ? deps.slogans.list(collective.slug, null, { limit: 20 }) : [],
      deps.presskits ? deps.presskits.list(collective.slug, null, { limit: 10 }) : [],
      deps.coorganised ? deps.coorganised(collective.slug, now, 50) : [],
    ]);
    // A series once, at its next occurrence (series.page.ts), as the feeds give it as one VEVENT.
    const own = upcoming.map((v) => v.event);
    const series = atNextOccurrence(own, deps.series ? await deps.series.nextOccurrences(own, now) : new Map(), lang);
    const events = [...series.events, ...coorganised].sort((x, y) => Temporal.Instant.compare(x.startsAt, y.startsAt)).slice(0, 50);
    const sections = [
      upcomingSection({ events, lang, wanted, urls: deps.urls, slug: collective.slug, rules: series.rules }),
      ...(calls.length > 0 ? [callsSection({ calls, lang, wanted, urls: deps.urls })] : []),
      ...(slogans.length > 0 ? [slogansSection({ slogans, lang, wanted, urls: deps.urls })] : []),
      ...(kits.length > 0 ? [pressKitsSection({ kits, lang, wanted, urls: deps.urls })] : []),
    ];
    const page = collectivePage({ collective, followerCount, lang, wanted, urls: deps.urls, sections, ...(signedIn ? { manageUrl: editorPaths.collective(collective.slug) } : {}) });
    return {
      status: 200,
      // Cookie: a shared cache must not give an editor's page to anyone else, nor an anonymous one to an editor.
      headers: { "content-type": "text/html; charset=utf-8", "content-language": lang, vary: "Accept, Accept-Language, Cookie" },
      body: Buffer.from(page),
      maxAgeMs: pageMaxAgeMs,
    };
  };

  router.get(route(paths.actor), async (req, res, next) => {
    const slug = String(req.params.identifier);
    const { wanted, lang } = visitorLanguages(req);
    const signedIn = cookies.read(req, "session") !== undefined;
    const key = pageKey(slug, wanted);
    if (deps.cache && !signedIn && key.length <= 512) {
      const read = deps.cache.peek(key) ?? (await deps.cache.read(key, () => render(slug, wanted, lang, false)));
      return read ? sendCachedRead(req, res, read) : next();
    }
    const page = await render(slug, wanted, lang, signedIn);
    if (!page) return next();
    res.status(200).set(page.headers).send(page.body);
  });
  return router;
}
