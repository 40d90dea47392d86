import { Router } from "express";
import type { CollectiveService } from "../modules/collective/collective.service.ts";
import type { EventService } from "../modules/event/event.service.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { calendarPage } from "./pages/calendar.page.ts";
import { atNextOccurrence } from "./pages/series.page.ts";
import type { EventSeriesService } from "../modules/event/event-series.service.ts";
import type { PublishedEvent } from "../modules/event/event.types.ts";
import { homePage } from "./pages/collective.page.ts";

/** The home page (upcoming events of every collective, the collectives) and the instance's calendar page. */
export function homeRoutes(deps: { collectives: CollectiveService; events: EventService; urls: Urls; series?: EventSeriesService }): Router {
  /** A series once, at its next occurrence, with its rule in words (series.page.ts), as on a collective's page. */
  const seriesOnce = async (events: readonly PublishedEvent[], now: Temporal.Instant, lang: string) =>
    atNextOccurrence(events, deps.series ? await deps.series.nextOccurrences(events, now) : new Map(), lang);
  const router = Router();
  router.get(route(paths.home), async (req, res) => {
    const { wanted, lang } = visitorLanguages(req);
    const now = Temporal.Now.instant();
    const [collectives, listed] = await Promise.all([deps.collectives.list(), deps.events.upcoming(now, 10)]);
    const { events: upcoming, rules } = await seriesOnce(listed, now, lang);
    res.type("html").set("Content-Language", lang).set("Vary", "Accept-Language").send(homePage({ collectives, upcoming, rules, lang, wanted, urls: deps.urls }));
  });
  router.get(route(paths.calendar), async (req, res) => {
    const { wanted, lang } = visitorLanguages(req);
    const now = Temporal.Now.instant();
    const { events, rules } = await seriesOnce(await deps.events.upcoming(now, 300), now, lang);
    res.type("html").set("Content-Language", lang).set("Vary", "Accept-Language").send(calendarPage({ events, rules, lang, wanted, urls: deps.urls }));
  });
  return router;
}
