import { Router } from "express";
import type { CallService } from "../modules/call/call.service.ts";
import type { CollectiveService } from "../modules/collective/collective.service.ts";
import type { EventService } from "../modules/event/event.service.ts";
import type { FollowerService } from "../modules/follower/follower.service.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { upcomingSection } from "./pages/calendar.page.ts";
import { callsSection } from "./pages/call.page.ts";
import { slogansSection } from "./pages/slogan.page.ts";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import { collectivePage } from "./pages/collective.page.ts";
import type { PressKitService } from "../modules/presskit/presskit.service.ts";
import { pressKitsSection } from "./pages/presskit.page.ts";

/** A collective's page for browsers (servers get its Group from Fedify on the same URL, mounted before). */
export function collectiveRoutes(deps: {
  collectives: CollectiveService;
  followers: FollowerService;
  events: EventService;
  calls?: CallService;
  slogans?: SloganService;
  presskits?: PressKitService;
  urls: Urls;
}): Router {
  const router = Router();
  router.get(route(paths.actor), async (req, res, next) => {
    const collective = await deps.collectives.findBySlug(String(req.params.identifier));
    if (!collective) return next();
    const { wanted, lang } = visitorLanguages(req);
    const [followerCount, upcoming, calls, slogans, kits] = await Promise.all([
      deps.followers.countAccepted(collective.id),
      deps.events.list(collective.slug, { from: Temporal.Now.instant(), limit: 50 }),
      deps.calls ? deps.calls.list(collective.slug, null, { limit: 10 }) : [],
      deps.slogans ? deps.slogans.list(collective.slug, null, { limit: 20 }) : [],
      deps.presskits ? deps.presskits.list(collective.slug, null, { limit: 10 }) : [],
    ]);
    const sections = [
      upcomingSection({ events: upcoming.map((v) => v.event), lang, wanted, urls: deps.urls, slug: collective.slug }),
      ...(calls.length > 0 ? [callsSection({ calls, lang, wanted, urls: deps.urls })] : []),
      ...(slogans.length > 0 ? [slogansSection({ slogans, lang, wanted, urls: deps.urls })] : []),
      ...(kits.length > 0 ? [pressKitsSection({ kits, lang, wanted, urls: deps.urls })] : []),
    ];
    res
      .type("html")
      .set("Content-Language", lang)
      .set("Vary", "Accept, Accept-Language")
      .send(collectivePage({ collective, followerCount, lang, wanted, urls: deps.urls, sections }));
  });
  return router;
}
