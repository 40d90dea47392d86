import { Router } from "express";
import type { CollectiveService } from "../modules/collective/collective.service.ts";
import type { EventService } from "../modules/event/event.service.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { calendarPage } from "./pages/calendar.page.ts";
import { homePage } from "./pages/collective.page.ts";

/** The home page (upcoming events of every collective, the collectives) and the instance's calendar page. */
export function homeRoutes(deps: { collectives: CollectiveService; events: EventService; urls: Urls }): Router {
  const router = Router();
  router.get(route(paths.home), async (req, res) => {
    const { wanted, lang } = visitorLanguages(req);
    const [collectives, upcoming] = await Promise.all([deps.collectives.list(), deps.events.upcoming(Temporal.Now.instant(), 10)]);
    res.type("html").set("Content-Language", lang).set("Vary", "Accept-Language").send(homePage({ collectives, upcoming, lang, wanted, urls: deps.urls }));
  });
  router.get(route(paths.calendar), async (req, res) => {
    const { wanted, lang } = visitorLanguages(req);
    const events = await deps.events.upcoming(Temporal.Now.instant(), 300);
    res.type("html").set("Content-Language", lang).set("Vary", "Accept-Language").send(calendarPage({ events, lang, wanted, urls: deps.urls }));
  });
  return router;
}
