import { type Request, Router } from "express";
import type { EventService } from "../modules/event/event.service.ts";
import { eventStatuses, type EventStatus } from "../modules/event/event.types.ts";
import type { UserService } from "../modules/user/user.service.ts";
import { AppError, type FieldProblem } from "../shared/errors.ts";
import type { RateLimit } from "../web/rate-limits.ts";
import { principalOf, requireToken } from "./auth.ts";
import { presentEvent } from "./event.presenter.ts";
import { eventListKey, renderEventList } from "./event-list-cache.ts";
import { sendCachedRead } from "../federation/cached-reads.ts";
import type { FederatedReadCache } from "../federation/read-cache.ts";
import { jsonBody } from "./json-body.ts";
import { openApiDocument } from "./openapi.ts";
import { parsePageQuery, presentPage } from "./pagination.ts";
import type { PageRequest } from "../shared/list-page.ts";

/** `?from=&to=&status=&drafts=&limit=&cursor=` of the event list, or a 400 naming every bad parameter. */
export function parseListQuery(query: Request["query"]): {
  from?: Temporal.Instant;
  to?: Temporal.Instant;
  status?: EventStatus[];
  includePrivate: boolean;
  page: PageRequest;
} {
  const problems: FieldProblem[] = [];
  const page = parsePageQuery(query, problems);
  const instant = (name: string): Temporal.Instant | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") {
      problems.push({ field: name, message: "give it once" });
      return undefined;
    }
    try {
      return /^\d{4}-\d{2}-\d{2}$/.test(v) ? Temporal.Instant.from(`${v}T00:00:00Z`) : Temporal.Instant.from(v);
    } catch {
      problems.push({ field: name, message: `"${v}" is not a date; write 2026-03-08 or 2026-03-08T14:00:00+01:00` });
      return undefined;
    }
  };
  const from = instant("from");
  const to = instant("to");
  let status: EventStatus[] | undefined;
  if (query.status !== undefined) {
    const values = String(query.status).split(",").filter(Boolean);
    const bad = values.filter((s) => !(eventStatuses as readonly string[]).includes(s));
    if (bad.length > 0) problems.push({ field: "status", message: `unknown status ${bad.join(", ")}; use ${eventStatuses.join(", ")}` });
    else status = values as EventStatus[];
  }
  if (from && to && Temporal.Instant.compare(from, to) >= 0) problems.push({ field: "to", message: "must be after from" });
  if (problems.length > 0) {
    throw new AppError("bad_query", 400, problems.map((p) => `${p.field}: ${p.message}`).join("; "), problems);
  }
  return { from, to, status, includePrivate: query.drafts === "true", page };
}

/** The JSON API: every route is token → validation (in the service) → handler → presenter. */
export function eventsApiRouter(deps: {
  events: EventService;
  users: UserService;
  origin: URL;
  authFailures?: RateLimit;
  /** Where public lists are kept (event-list-cache.ts); none: every list is rendered. */
  cache?: FederatedReadCache;
}): Router {
  const router = Router();
  const auth = requireToken(deps.users, deps.authFailures);
  const json = jsonBody();

  router.get("/api/v1/openapi.json", (_req, res) => {
    res.json(openApiDocument(deps.origin));
  });

  router.get("/api/v1/collectives/:slug/events", auth, async (req, res) => {
    const q = parseListQuery(req.query);
    const slug = String(req.params.slug);
    const key = deps.cache ? eventListKey(slug, q) : undefined;
    if (deps.cache && key !== undefined) {
      const cache = deps.cache;
      const read = cache.peek(key) ?? (await cache.read(key, () => renderEventList(deps.events, slug, q)));
      if (read) return sendCachedRead(req, res, read);
    }
    const from = q.from ?? (q.to ? undefined : Temporal.Now.instant());
    const page = await deps.events.page(String(req.params.slug), { ...q, from }, q.page, principalOf(res));
    res.json(presentPage(page, presentEvent));
  });
  router.post("/api/v1/collectives/:slug/events", auth, json, async (req, res) => {
    const view = await deps.events.create(principalOf(res), String(req.params.slug), req.body);
    res.status(201).location(view.event.apId.href).json(presentEvent(view));
  });
  router.get("/api/v1/events/:id", auth, async (req, res) => {
    res.json(presentEvent(await deps.events.getForEditor(principalOf(res), String(req.params.id))));
  });
  router.patch("/api/v1/events/:id", auth, json, async (req, res) => {
    res.json(presentEvent(await deps.events.update(principalOf(res), String(req.params.id), req.body, { mergeLanguages: true })));
  });
  router.post("/api/v1/events/:id/cancel", auth, json, async (req, res) => {
    res.json(presentEvent(await deps.events.cancel(principalOf(res), String(req.params.id), req.body)));
  });
  router.delete("/api/v1/events/:id", auth, async (req, res) => {
    await deps.events.delete(principalOf(res), String(req.params.id));
    res.status(204).end();
  });
  return router;
}
