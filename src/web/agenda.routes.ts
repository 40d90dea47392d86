import { type Request, type Response, Router } from "express";
import type { CollectiveService } from "../modules/collective/collective.service.ts";
import { parseFeedFilters } from "../modules/feed/feed-filters.ts";
import type { FeedService } from "../modules/feed/feed.service.ts";
import { type FeedScope, isMissing } from "../modules/feed/feed.types.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { visitorLanguages } from "./language.ts";
import { agendaPage } from "./pages/agenda.page.ts";

/** At most this many upcoming events on an agenda page (the feed has them all). */
const pageLimit = 300;

/**
 * The network agendas (paths.instanceAgenda: every collective's events and their partners';
 * paths.collectiveAgenda: a collective's and its partners'). The query string takes the network feed's filters (`origin=`,
 * `partner=`, `country=`…; 400 naming a bad one) besides `lang`.
 */
export function agendaRoutes(deps: { feeds: FeedService; collectives: CollectiveService; urls: Urls }): Router {
  const router = Router();
  const show = async (req: Request, res: Response, scope: FeedScope & { kind: "instance" | "collective" }) => {
    const { wanted, lang } = visitorLanguages(req);
    const { lang: _lang, ...query } = req.query as Record<string, unknown>;
    const filters = parseFeedFilters(query, { network: true });
    const listed = await deps.feeds.list(scope, filters, { from: Temporal.Now.instant(), limit: pageLimit });
    if (isMissing(listed)) return false;
    const collective = scope.kind === "collective" ? await deps.collectives.findBySlug(scope.slug) : undefined;
    const page = agendaPage({
      events: listed.events,
      lang,
      wanted,
      urls: deps.urls,
      collective: collective ?? undefined,
      path: scope.kind === "collective" ? deps.urls.collectiveAgenda(scope.slug).pathname : deps.urls.instanceAgenda().pathname,
      origin: filters.origin,
      feed: scope.kind === "collective" ? deps.urls.collectiveNetworkIcs(scope.slug) : deps.urls.instanceNetworkIcs(),
    });
    res.type("html").set("Content-Language", lang).set("Vary", "Accept-Language").send(page);
    return true;
  };
  router.get(route(paths.instanceAgenda), async (req, res) => {
    await show(req, res, { kind: "instance", network: true });
  });
  router.get(route(paths.collectiveAgenda), async (req, res, next) => {
    if (!(await show(req, res, { kind: "collective", slug: String(req.params.identifier), network: true }))) next();
  });
  return router;
}
