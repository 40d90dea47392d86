import { timingSafeEqual, randomBytes } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { SessionService } from "../../modules/account/session.service.ts";
import type { WebSession } from "../../modules/account/session.types.ts";
import type { Principal, UserService } from "../../modules/user/user.service.ts";
import { AppError } from "../../shared/errors.ts";
import type { CookieJar } from "./cookies.ts";

/** What the editor's pages know about the request: its session and, once fully logged in, its principal. */
export interface WebAuth {
  readonly session: WebSession | null;
  /** The raw session id from the cookie (to end or rotate the session). */
  readonly sessionId: string | undefined;
  /** Set only for a session past every factor. */
  readonly principal: Principal | null;
}

export const webAuthOf = (res: Response): WebAuth => res.locals.webAuth as WebAuth;

/** Reads the session cookie into `res.locals.webAuth`; a stale cookie is cleared. */
export function loadWebSession(deps: { sessions: SessionService; users: UserService; cookies: CookieJar }): RequestHandler {
  return async (req, res, next) => {
    const sessionId = deps.cookies.read(req, "session");
    const session = sessionId ? await deps.sessions.resolve(sessionId) : null;
    if (sessionId && !session) deps.cookies.clear(res, "session");
    const principal = session?.stage === "full" ? await deps.users.principalOf(session.userId) : null;
    const auth: WebAuth = { session, sessionId: session ? sessionId : undefined, principal };
    res.locals.webAuth = auth;
    next();
  };
}

/** A local path to come back to after logging in; anything else is dropped. */
export function safeNext(value: unknown, prefix: string): string | undefined {
  if (typeof value !== "string" || value.length > 500) return undefined;
  const local = value === prefix || value.startsWith(`${prefix}/`) || value.startsWith(`${prefix}?`);
  // No "//" or "\\" (another host to a browser) and no control characters (header splitting).
  return local && !value.includes("//") && !value.includes("\\") && /^[\x21-\x7e]+$/.test(value) ? value : undefined;
}

/** Pages behind the login: without a full session, to the login page (and back afterwards). */
export function requireLogin(loginPath: string, prefix: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (webAuthOf(res).principal) return next();
    if (req.method !== "GET") throw new AppError("unauthorized", 401, "your session has ended: log in again");
    const back = safeNext(req.originalUrl, prefix);
    res.redirect(303, back ? `${loginPath}?next=${encodeURIComponent(back)}` : loginPath);
  };
}

/** Constant-time comparison of two form tokens; a missing one never matches. */
export const sameToken = (a: string | undefined, b: string | undefined): boolean => {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const csrfRefused = (why: string) => new AppError("csrf", 403, `this form was refused (${why}); reload the page and send it again`);

/**
 * The token a form of this request must carry: the session's, or, before login, a random one kept in
 * a cookie of its own (double submit), created here when missing.
 */
export function csrfTokenFor(req: Request, res: Response, cookies: CookieJar): string {
  const session = webAuthOf(res).session;
  if (session) return session.csrfToken;
  const existing = cookies.read(req, "csrf");
  if (existing && /^[A-Za-z0-9_-]{32,64}$/.test(existing)) return existing;
  const fresh = (res.locals.freshCsrf as string | undefined) ?? randomBytes(32).toString("base64url");
  if (!res.locals.freshCsrf) {
    res.locals.freshCsrf = fresh;
    cookies.set(res, "csrf", fresh, { sameSite: "Strict" });
  }
  return fresh;
}

/**
 * CSRF protection of every state-changing request: the browser's own word on where the request comes
 * from (`Sec-Fetch-Site`, `Origin`) must say this origin when it is given, and the form must carry the
 * token of the session (or of the pre-login cookie). `tokenOf` reads the token from the request.
 */
export function csrfGuard(deps: { origin: URL; cookies: CookieJar; tokenOf?: (req: Request) => string | undefined }): RequestHandler {
  const tokenOf = deps.tokenOf ?? ((req: Request) => (typeof req.body?._csrf === "string" ? req.body._csrf : undefined));
  return (req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    const site = req.get("sec-fetch-site");
    if (site !== undefined && site !== "same-origin") throw csrfRefused(`sent from ${site === "none" ? "outside a page" : "another site"}`);
    // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` with their own forms, so "null"
    // says nothing either way: Sec-Fetch-Site and the token decide then.
    const origin = req.get("origin");
    if (origin !== undefined && origin !== "null" && origin !== deps.origin.origin) throw csrfRefused("sent from another site");
    const session = webAuthOf(res).session;
    const expected = session ? session.csrfToken : deps.cookies.read(req, "csrf");
    if (!sameToken(tokenOf(req), expected)) throw csrfRefused("its security token is missing or out of date");
    next();
  };
}
