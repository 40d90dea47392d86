import express, { type ErrorRequestHandler, type Express } from "express";
import { getLogger } from "@logtape/logtape";
import { federationMiddleware } from "../federation/express-bridge.ts";
import { withSignedAt } from "../federation/inbox/replay-window.ts";
import { activityReader } from "../federation/inbox/activity-document.ts";
import type { RelaisFederation } from "../federation/federation.ts";
import { type As2ObjectKind, as2ObjectRoutes } from "../federation/objects.ts";
import { signedRequestOwner } from "../federation/object-proofs.ts";
import type { BlockRules } from "../modules/moderation/block-rules.ts";
import { AppError } from "../shared/errors.ts";
import { paths, route } from "../shared/paths.ts";
import type { Urls } from "../shared/urls.ts";
import { assetRoutes } from "./assets.ts";
import { blockedReaders } from "./blocked-readers.ts";
import { type HttpMetrics, httpMetrics, metricsEndpoint } from "./http-metrics.ts";
import { inboxAdmission } from "./inbox-admission.ts";
import { inboxPrecheck } from "./inbox-precheck.ts";
import { refuseNulInUrl } from "./url-limits.ts";
import { visitorLanguages } from "./language.ts";
import { errorPage } from "./pages/layout.ts";
import { inboxRateLimit, type RateLimit } from "./rate-limits.ts";
import { securityHeaders } from "./security-headers.ts";

const logger = getLogger(["relais", "web"]);

export interface AppDeps {
  readonly urls: Urls;
  readonly federation: RelaisFederation;
  /** The AS2 objects that are not actors (src/federation/objects.ts), served beside Fedify's. */
  readonly as2Objects: readonly As2ObjectKind[];
  readonly maxInboxBodyBytes: number;
  /** Blocks of actors and servers, as they stand (cached a few seconds): the inbox refuses what they block before Fedify reads it. */
  readonly blocks: { rules(): Promise<BlockRules> };
  /** Readiness checks: each resolves when its dependency answers. */
  readonly readiness: Readonly<Record<string, () => Promise<void>>>;
  /** Which proxies' X-Forwarded-For gives the client's address (Express's `trust proxy`). */
  readonly trustProxy?: string | false;
  /** Inbox POSTs per remote origin and client address; none: unlimited. */
  readonly inboxRateLimit?: RateLimit;
  /** Inbox POSTs handled at once (see inbox-admission.ts); default 16. */
  readonly inboxConcurrency?: number;
  /**
   * Federated reads answered from rendered bytes (src/federation/cached-reads.ts, ADR 0022), before the
   * federation bridge; none: every read goes to Fedify and the object table.
   */
  readonly cachedReads?: express.RequestHandler;
  /** Pages kept for anonymous visitors, answered before the federation bridge (collective.routes.ts). */
  readonly cachedPages?: express.RequestHandler;
  /** Public API lists kept, for tokens looked up lately, answered before the bridge (api/event-list-cache.ts). */
  readonly cachedLists?: express.RequestHandler;
  /** Request durations by route, and what `/metrics` shows (src/ops/metrics.ts); none: neither. */
  readonly metrics?: HttpMetrics;
  /** The bearer token `/metrics` asks for; none: no `/metrics` on this app (404). */
  readonly metricsToken?: string | undefined;
  /** The pages, feeds and JSON API, mounted after the federation bridge, in this order. */
  readonly routers?: readonly express.Router[];
}

/**
 * The HTTP application, without listening: tests, `relais serve` and `relais start` reuse it.
 * Order: security headers → inbox rate limit → inbox admission (a bounded number at once) → refuse what is blocked
 * (inbox POSTs, signed GETs) → cached federated reads → Fedify and the AS2 objects (AS2 for servers) → HTML pages and
 * API → errors.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", deps.trustProxy ?? false);
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  app.use(securityHeaders(deps.urls.origin));
  if (deps.metrics) app.use(metricsEndpoint(deps.metrics, deps.metricsToken));
  app.use(refuseNulInUrl());
  const inboxes = [route(paths.sharedInbox), route(paths.actorInbox)];
  if (deps.inboxRateLimit) app.post(inboxes, inboxRateLimit(deps.inboxRateLimit));
  const concurrent = deps.inboxConcurrency ?? 16;
  app.post(inboxes, inboxAdmission({ concurrent, waiting: 8 * concurrent, maxWaitMs: 10_000 }));

  // Blocked actors and servers, oversized bodies and activities not on their actor's origin are refused
  // before Fedify sees (and queues) anything.
  app.post(
    inboxes,
    inboxPrecheck({
      maxBodyBytes: deps.maxInboxBodyBytes,
      blocks: () => deps.blocks.rules(),
      read: activityReader(deps.federation.createContext(deps.urls.origin, undefined).contextLoader),
    }),
  );

  // Signed fetches by what is blocked instance-wide are refused before any answer, cached or not.
  app.use(blockedReaders(() => deps.blocks.rules()));
  if (deps.cachedReads) app.use(deps.cachedReads);
  if (deps.cachedPages) app.use(deps.cachedPages);
  if (deps.cachedLists) app.use(deps.cachedLists);

  const federationBridge = federationMiddleware(deps.federation, {
    origin: deps.urls.origin,
    contextData: () => undefined,
    maxBodyBytes: deps.maxInboxBodyBytes,
  });
  // The request's signing time goes with it to the inbox queue (co-signing's 15-minute replay window).
  app.use((req, res, next) => withSignedAt(req.headers, () => federationBridge(req, res, next)));
  app.use(as2ObjectRoutes(deps.as2Objects, { signedBy: signedRequestOwner(deps.federation, deps.urls.origin) }));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const results: Record<string, string> = {};
    let ok = true;
    await Promise.all(
      Object.entries(deps.readiness).map(async ([name, check]) => {
        try {
          await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000))]);
          results[name] = "ok";
        } catch (e) {
          ok = false;
          results[name] = `unreachable: ${(e as Error).message}`;
        }
      }),
    );
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "not ready", checks: results });
  });

  app.use(assetRoutes());
  for (const router of deps.routers ?? []) app.use(router);

  app.use((req, res) => {
    if (req.path.startsWith("/api/")) {
      res.status(404).json({ error: "not_found", message: `no route for ${req.method} ${req.path}` });
      return;
    }
    const { lang } = visitorLanguages(req);
    res.status(404).type("html").send(errorPage(lang, 404));
  });

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const status = err instanceof AppError ? err.status : typeof err?.status === "number" && err.status < 500 ? err.status : 500;
    if (status >= 500) logger.error("{method} {path} failed: {error}", { method: req.method, path: req.path, error: err });
    if (res.headersSent) {
      res.end();
      return;
    }
    const code = err instanceof AppError ? err.code : status === 413 ? "payload_too_large" : status >= 500 ? "internal" : "bad_request";
    const message =
      err instanceof AppError
        ? err.message
        : status === 413
          ? "the request body is too large"
          : status >= 500
            ? "internal error"
            : String(err?.message ?? "bad request");
    if (req.path.startsWith("/api/") || !req.accepts("html")) {
      res.status(status).json({ error: code, message, ...(err instanceof AppError && err.details ? { details: err.details } : {}) });
      return;
    }
    const { lang } = visitorLanguages(req);
    res.status(status).type("html").send(errorPage(lang, status === 404 || status === 410 ? status : 500));
  };
  app.use(onError);
  return app;
}
