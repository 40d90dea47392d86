import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Security headers on every response (pages, AS2 documents from Fedify, feeds, the API, errors), set
 * first so that no path can skip them:
 * - a Content-Security-Policy that allows nothing inline and nothing from another origin (pages load
 *   one stylesheet from here and no script), and no framing (`frame-ancestors 'none'`);
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY` for old
 *   browsers, helmet's cross-origin isolation headers;
 * - HSTS only when the public origin is https (it would break a plain-http development origin).
 */
export function securityHeaders(origin: URL): RequestHandler {
  const https = origin.protocol === "https:";
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: https ? { maxAge: 63_072_000, includeSubDomains: false } : false,
    xFrameOptions: { action: "deny" },
  });
}
