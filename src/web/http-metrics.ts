import { createHash, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { RequestHandler } from "express";
import { matcher, type PathPattern, paths } from "../shared/paths.ts";

export interface HttpMetrics {
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  render(): Promise<{ contentType: string; body: string }>;
}

/** Paths outside the path table that are worth their own series; anything else unmatched is "other". */
const fixedRoutes = new Set(["/healthz", "/readyz", "/metrics", "/.well-known/webfinger", "/.well-known/nodeinfo", "/.well-known/host-meta", "/nodeinfo/2.1"]);

/** Patterns with the most literal characters first, so `/events/{id}.ics` wins over `/events/{id}`. */
const patterns = (Object.values(paths) as PathPattern[])
  .toSorted((a, b) => b.replace(/\{\w+\}/g, "").length - a.replace(/\{\w+\}/g, "").length)
  .map((pattern) => ({ pattern, matches: matcher(pattern) }));

/**
 * The route a request is counted under: the Express route that answered it, or the path table's
 * pattern (what Fedify answers), never the raw URL (ids and names would make a series each).
 */
export function routeLabel(req: { path: string; baseUrl: string; route?: { path?: unknown } }): string {
  if (typeof req.route?.path === "string") return `${req.baseUrl}${req.route.path}`;
  if (fixedRoutes.has(req.path)) return req.path;
  for (const { pattern, matches } of patterns) if (matches(req.path)) return pattern;
  if (req.path.startsWith("/assets/")) return "/assets/*";
  return "other";
}

/** Times every request from its arrival to the end of its answer. */
export function httpMetrics(metrics: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observeHttp(req.method, routeLabel(req), res.statusCode, seconds);
    });
    next();
  };
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * `GET /metrics` for a scraper that presents the token (`Authorization: Bearer <token>`): 401
 * otherwise. Without a token configured the route does not exist here (404): metrics are then only on
 * their own port, if one is configured.
 */
export function metricsEndpoint(metrics: HttpMetrics, token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return async (req, res, next) => {
    if (req.path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD") || expected === undefined) {
      next();
      return;
    }
    const given = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      res.status(401).set("www-authenticate", 'Bearer realm="metrics"').type("text/plain").send("a valid metrics token is required (Authorization: Bearer <RELAIS_METRICS_TOKEN>)\n");
      return;
    }
    await sendMetrics(metrics, res);
  };
}

export async function sendMetrics(metrics: HttpMetrics, res: { setHeader(name: string, value: string): unknown; statusCode: number; end(body: string): unknown }): Promise<void> {
  const { contentType, body } = await metrics.render();
  res.statusCode = 200;
  res.setHeader("content-type", contentType);
  res.setHeader("cache-control", "no-store");
  res.end(body);
}

/**
 * `/metrics` on its own port (RELAIS_METRICS_PORT), without a token: for a scraper on a private
 * network; bind it (RELAIS_METRICS_HOST) to an address the public cannot reach. Anything else is 404.
 */
export async function listenMetrics(metrics: HttpMetrics, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: only GET /metrics here\n");
      return;
    }
    sendMetrics(metrics, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.listen(port, host);
  await once(server, "listening");
  return server;
}
