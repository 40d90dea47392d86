import { Router } from "express";
import type { EventService } from "../modules/event/event.service.ts";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { eventPage } from "./pages/event.page.ts";
import { errorPage } from "./pages/layout.ts";
import type { PressKitService } from "../modules/presskit/presskit.service.ts";
import { pressKitsSection } from "./pages/presskit.page.ts";
import { seriesSection } from "./pages/series.page.ts";
import type { EventSeriesService } from "../modules/event/event-series.service.ts";

/**
 * The browsers' side of an event's canonical URLs (servers get AS2 from src/federation/objects.ts,
 * mounted before): the event URL is its page, 410 once deleted; its Notes (the Note form,
 * the change notes) send browsers to the event's page, 410 once the event is deleted. Drafts and
 * unknown ids go on to 404.
 */
export function eventRoutes(deps: {
  events: EventService;
  slogans?: SloganService;
  presskits?: PressKitService;
  urls: Urls;
  /** Recurring events: their dates on the page, their occurrences' URLs. */
  series?: EventSeriesService;
  /** The collectives of other servers that co-organise an event (listed after its host on its page). */
  coorganizers?: (eventId: string) => Promise<readonly { partner: { apId: string; name: string | null } }[]>;
}): Router {
  const router = Router();
  router.get(route(paths.event), async (req, res, next) => {
    const loaded = await deps.events.loadForDelivery(String(req.params.id));
    if (!loaded?.published) return next();
    res.set("Vary", "Accept, Accept-Language");
    const { wanted, lang } = visitorLanguages(req);
    if (loaded.deletedAt) {
      res.status(410).type("html").send(errorPage(lang, 410));
      return;
    }
    const [slogans, kits, coorganizers] = await Promise.all([
      deps.slogans ? deps.slogans.ofEvent(loaded.event.id) : [],
      deps.presskits ? deps.presskits.about("event", loaded.event.id) : [],
      deps.coorganizers ? deps.coorganizers(loaded.event.id).then((l) => l.map((c) => c.partner)) : [],
    ]);
    const sections = kits.length > 0 ? [pressKitsSection({ kits, lang, wanted, urls: deps.urls })] : [];
    if (loaded.event.recurrence && deps.series) {
      const view = await deps.series.occurrences(null, loaded.event.id, { from: Temporal.Now.instant(), limit: 8 });
      sections.unshift(seriesSection({ event: view.event, occurrences: view.occurrences, lang, wanted, pageOf: (other) => deps.urls.event(other).pathname }));
    }
    res.type("html").set("Content-Language", lang).send(eventPage({ event: loaded.event, lang, wanted, urls: deps.urls, slogans, sections, coorganizers }));
  });
  /** An occurrence of a recurring event (its AS2 id): its line on the event's page for browsers. */
  router.get(route(paths.eventOccurrence), async (req, res, next) => {
    const loaded = deps.series ? await deps.series.occurrenceForDelivery(String(req.params.id), String(req.params.date)) : null;
    if (!loaded?.published) return next();
    res.set("Vary", "Accept");
    if (loaded.deletedAt) {
      res.status(410).type("html").send(errorPage(visitorLanguages(req).lang, 410));
      return;
    }
    res.redirect(303, `${deps.urls.event(String(req.params.id)).pathname}#occurrence-${loaded.date}`);
  });
  /** A Note about an event: the event's page for browsers, gone with the event. */
  const noteRoute = (path: typeof paths.eventNote | typeof paths.eventChangeNote, exists: (params: Record<string, string>) => Promise<boolean>) =>
    router.get(route(path), async (req, res, next) => {
      const params = req.params as Record<string, string>;
      const [loaded, found] = await Promise.all([deps.events.loadForDelivery(String(params.id)), exists(params)]);
      if (!loaded?.published || !found) return next();
      res.set("Vary", "Accept");
      if (loaded.deletedAt) {
        res.status(410).type("html").send(errorPage(visitorLanguages(req).lang, 410));
        return;
      }
      res.redirect(303, loaded.event.apId.pathname);
    });
  noteRoute(paths.eventNote, async () => true);
  noteRoute(paths.eventChangeNote, async (params) => (await deps.events.changeNote(String(params.id), Number(params.version))) !== null);
  return router;
}
