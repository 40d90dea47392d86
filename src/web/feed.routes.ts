// iCal feeds over HTTP: /events.ics (the instance), /@{slug}/events.ics (a collective), /events/{id}.ics
// (one event), /network.ics and /@{slug}/network.ics (the same with partners' events). Every request: filters parsed (400) → versions read (404/410) → 304 if the client's copy
// is current → bytes from the cache (rendered on a miss), gzipped when the client accepts it.
import { type Request, type RequestHandler, type Response, Router } from "express";
import { parseFeedFilters } from "../modules/feed/feed-filters.ts";
import type { FeedService } from "../modules/feed/feed.service.ts";
import { type FeedScope, isMissing } from "../modules/feed/feed.types.ts";
import { acceptsGzip, notModified } from "../modules/feed/feed-validators.ts";
import { AppError } from "../shared/errors.ts";
import { paths, route } from "../shared/paths.ts";

/**
 * Calendar apps poll (Apple every 5 minutes at best, Google every few hours): five minutes of
 * freshness for shared caches, then a revalidation that costs one indexed query and a 304.
 */
export const feedCacheControl = "public, max-age=300";

function sendProblem(res: Response, status: number, message: string): void {
  res.status(status).set("Cache-Control", "no-store").type("text/plain; charset=utf-8").send(`${message}\n`);
}

function contentDisposition(filename: string): string {
  return `inline; filename="${filename.replace(/[^A-Za-z0-9._-]+/g, "-")}"`;
}

/** The feed routes over a `FeedService` (the runtime's; the benchmark gives one with in-memory sources). */
export function feedRoutes(feeds: FeedService): Router {
  const router = Router();

  const serve =
    (scopeOf: (req: Request) => FeedScope): RequestHandler =>
    async (req, res, next) => {
      try {
        const scope = scopeOf(req);
        const network = scope.kind !== "event" && scope.network === true;
        const head = await feeds.head(scope, parseFeedFilters(req.query as Record<string, unknown>, { network }));
        if (isMissing(head)) {
          if (head.missing === "gone") sendProblem(res, 410, `${req.path} was deleted`);
          else sendProblem(res, 404, `${req.path} does not exist (or is not published)`);
          return;
        }
        res.set({
          ETag: head.etag,
          "Last-Modified": head.lastModified.toUTCString(),
          "Cache-Control": feedCacheControl,
          Vary: "Accept-Encoding",
        });
        const conditional = { ifNoneMatch: req.get("if-none-match"), ifModifiedSince: req.get("if-modified-since") };
        if (notModified(conditional, head.etag, head.lastModified)) {
          res.status(304).end();
          return;
        }
        const feed = await feeds.body(head);
        const gzip = acceptsGzip(req.get("accept-encoding"));
        const bytes = gzip ? await feed.gzip() : feed.bytes;
        res.set({
          "Content-Type": "text/calendar; charset=utf-8",
          "Content-Disposition": contentDisposition(head.subject.filename),
          "Content-Length": String(bytes.length),
        });
        if (gzip) res.set("Content-Encoding", "gzip");
        res.end(bytes);
      } catch (error) {
        if (error instanceof AppError && error.status < 500) sendProblem(res, error.status, error.message);
        else next(error);
      }
    };

  router.get(route(paths.instanceIcs), serve(() => ({ kind: "instance" })));
  router.get(route(paths.collectiveIcs), serve((req) => ({ kind: "collective", slug: String(req.params.identifier) })));
  router.get(route(paths.eventIcs), serve((req) => ({ kind: "event", id: String(req.params.id) })));
  // Network feeds: the same plus the events of the partners followed (and the partner= and origin= filters).
  router.get(route(paths.instanceNetworkIcs), serve(() => ({ kind: "instance", network: true })));
  router.get(route(paths.collectiveNetworkIcs), serve((req) => ({ kind: "collective", slug: String(req.params.identifier), network: true })));
  return router;
}
