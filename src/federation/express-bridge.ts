/**
 * Express 5 ↔ Fedify bridge (our own: `@fedify/express` targets Express 4 and Fedify 1.x).
 *
 * Design, and why:
 * - **Mount it before any body parser.** It also works after them, because it never buffers a
 *   body itself: the `Request` handed to Fedify carries a lazy stream that reads `req` only when
 *   Fedify pulls from it, and Fedify only does so for routes it serves (inbox, outbox). A request
 *   Fedify does not serve falls through with its stream untouched, so later parsers and routes
 *   (`POST /api/...` with `express.json()`) keep working with their own limits. `maxBodyBytes`
 *   therefore caps only bodies Fedify reads.
 * - **Raw bytes, never re-serialised JSON.** If a parser mounted earlier already consumed the
 *   stream (e.g. `express.json({ type: "application/activity+json" })`; the default
 *   `express.json()` matches only `application/json`, not `application/activity+json` nor
 *   `application/ld+json`), the exact bytes are taken from `req.rawBody` (pass
 *   `verify: keepRawBody` to that parser) or from a Buffer `req.body` (`express.raw()`).
 *   Without them the request fails with `FederationBodyConsumedError` (a wiring bug).
 * - **The cap answers 413 before buffering**: Content-Length is checked before the first byte
 *   is read, and bytes are counted while streaming (chunked bodies), stopping at the cap. The
 *   error goes to `next(err)` with `status` 413 and the connection is closed afterwards, so the
 *   rest of an oversized body is never read. Fedify's inbox listeners never see such a body.
 * - **URLs come from the configured public origin** plus the request's path and query; the
 *   Host and X-Forwarded-* headers are ignored, and the Host header Fedify sees is the
 *   origin's host, so HTTP signatures are checked against our public host (a proxy that
 *   rewrites Host does not break them). The path is `req.originalUrl`: Fedify routes are
 *   absolute, so mount the bridge at the root.
 * - **Fall-through**: Fedify's `onNotFound` / `onNotAcceptable` call `next()`, so one URL serves
 *   AS2 to servers and the HTML page (a later Express route) to browsers. The callback then
 *   waits for Express to finish the response and reports its status back to Fedify, so Fedify's
 *   logs and metrics record what the client actually got.
 * - **Errors** (context data factory, dispatchers, Fedify itself) reach `next(err)`; the
 *   returned promise never rejects.
 */
import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";
import { finished } from "node:stream/promises";
import type { Federation } from "@fedify/fedify";
import { getLogger } from "@logtape/logtape";
import {
  type FederationBodyConsumedError,
  type FederationBodyTooLargeError,
  lazyRequestBody,
  sendFetchResponse,
} from "./express-bridge-io.ts";

export {
  FederationBodyConsumedError,
  FederationBodyTooLargeError,
  keepRawBody,
  sendFetchResponse,
} from "./express-bridge-io.ts";

export interface FederationMiddlewareOptions<TContextData> {
  /** The public origin (scheme, host, port) every federation URL is built on. */
  origin: URL;
  /** Builds Fedify's context data for one request. */
  contextData: (req: ExpressRequest) => TContextData | Promise<TContextData>;
  /** Largest request body Fedify may read, in bytes. */
  maxBodyBytes: number;
}

const logger = getLogger(["relais", "federation", "express-bridge"]);

/** The path and query to serve, or undefined for a request target Fedify cannot route. */
function pathAndQuery(req: ExpressRequest): string | undefined {
  const target = req.originalUrl;
  if (target.startsWith("/")) return target;
  // Absolute-form target ("http://host/path", allowed by HTTP/1.1): keep only path and query.
  if (URL.canParse(target)) {
    const url = new URL(target);
    return url.pathname + url.search;
  }
  return undefined; // "*" (OPTIONS) and the like
}

function toFetchHeaders(req: ExpressRequest, host: string): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === "host" || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  headers.set("host", host);
  return headers;
}

/**
 * Express middleware that lets `federation` answer the requests it serves and passes every
 * other request to the next handler.
 */
export function federationMiddleware<TContextData>(
  federation: Federation<TContextData>,
  options: FederationMiddlewareOptions<TContextData>,
): RequestHandler {
  if (options.origin.protocol !== "https:" && options.origin.protocol !== "http:") {
    throw new TypeError(`The federation origin must be an http(s) URL, got ${options.origin.href}.`);
  }
  if (!Number.isSafeInteger(options.maxBodyBytes) || options.maxBodyBytes <= 0) {
    throw new TypeError(`maxBodyBytes must be a positive integer, got ${options.maxBodyBytes}.`);
  }
  const origin = options.origin.origin;
  const host = options.origin.host;

  return (req, res, next) => serve(req, res, next);

  async function serve(req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> {
    const path = pathAndQuery(req);
    if (path === undefined) return next();

    let handedBack = false;
    let bodyFailure: FederationBodyTooLargeError | FederationBodyConsumedError | undefined;
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const handBack = async (): Promise<Response> => {
      handedBack = true;
      next();
      await finished(res).catch(() => {}); // a client that hangs up is not our error
      return new Response(null, { status: res.statusCode });
    };

    try {
      const request = new Request(origin + path, {
        method: req.method,
        headers: toFetchHeaders(req, host),
        body: hasBody
          ? lazyRequestBody(req, options.maxBodyBytes, (error) => {
              bodyFailure = error;
            })
          : null,
        duplex: "half",
      } as RequestInit);
      const contextData = await options.contextData(req);
      const response = await federation.fetch(request, {
        contextData,
        onNotFound: handBack,
        onNotAcceptable: handBack,
      });
      if (handedBack) return;
      if (bodyFailure !== undefined) {
        await response.body?.cancel();
        return fail(bodyFailure);
      }
      await sendFetchResponse(res, response);
    } catch (error) {
      if (handedBack) {
        logger.error("Fedify failed after handing {method} {path} back to Express: {error}", {
          method: req.method,
          path,
          error,
        });
        return;
      }
      if (res.headersSent) {
        // Mid-body: nothing can be reported to the client any more (often it hung up).
        logger.debug("Response to {method} {path} broke off: {error}", { method: req.method, path, error });
        res.destroy();
        return;
      }
      fail(bodyFailure ?? error);
    }

    function fail(error: unknown): void {
      // An unread body may still be on the wire: close the connection after the error page
      // rather than keep it alive and read the rest.
      if (bodyFailure !== undefined) res.setHeader("Connection", "close");
      next(error);
    }
  }
}
