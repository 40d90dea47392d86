import { Router } from "express";
import type { EventSeriesService } from "../modules/event/event-series.service.ts";
import type { UserService } from "../modules/user/user.service.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { presentEvent } from "./event.presenter.ts";
import { parseListQuery } from "./events.router.ts";
import { jsonBody } from "./json-body.ts";
import { presentOccurrence } from "./series.presenter.ts";

/**
 * Recurring events in the JSON API (docs/adr: recurring events): their occurrences, one occurrence
 * cancelled, moved or held elsewhere (and given back to the series), the series changed from a date on
 * or ended. Token → validation (in the service) → handler → presenter.
 */
export function seriesApiRouter(deps: { series: EventSeriesService; users: UserService; authFailures?: RateLimit }): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();
  const id = (p: unknown) => String(p);

  router.get("/api/v1/events/:id/occurrences", auth, async (req, res) => {
    const q = parseListQuery(req.query);
    const from = q.from ?? (q.to ? undefined : Temporal.Now.instant());
    const view = await deps.series.occurrences(principalOf(res), id(req.params.id), { from, to: q.to, limit: q.page.limit });
    res.json({ items: view.occurrences.map((o) => presentOccurrence(view.event, o)) });
  });
  router.patch("/api/v1/events/:id/occurrences/:date", auth, json, async (req, res) => {
    const view = await deps.series.changeOccurrence(principalOf(res), id(req.params.id), id(req.params.date), req.body);
    const series = await deps.series.occurrences(principalOf(res), id(req.params.id), { limit: 1 });
    res.json(presentOccurrence(series.event, view));
  });
  router.post("/api/v1/events/:id/occurrences/:date/cancel", auth, json, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const view = await deps.series.changeOccurrence(principalOf(res), id(req.params.id), id(req.params.date), { ...body, cancelled: true });
    const series = await deps.series.occurrences(principalOf(res), id(req.params.id), { limit: 1 });
    res.json(presentOccurrence(series.event, view));
  });
  router.delete("/api/v1/events/:id/occurrences/:date", auth, async (req, res) => {
    const view = await deps.series.restoreOccurrence(principalOf(res), id(req.params.id), id(req.params.date));
    const series = await deps.series.occurrences(principalOf(res), id(req.params.id), { limit: 1 });
    res.json(presentOccurrence(series.event, view));
  });
  router.post("/api/v1/events/:id/series/split", auth, json, async (req, res) => {
    const { event, published } = await deps.series.split(principalOf(res), id(req.params.id), req.body);
    res.status(201).location(event.apId.href).json(presentEvent({ event, published, deleted: false, staleTranslations: [] }));
  });
  router.post("/api/v1/events/:id/series/end", auth, json, async (req, res) => {
    const { event, published } = await deps.series.end(principalOf(res), id(req.params.id), req.body);
    res.json(presentEvent({ event, published, deleted: false, staleTranslations: [] }));
  });
  return router;
}
