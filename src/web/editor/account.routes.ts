import { type Response, Router } from "express";
import { getLogger } from "@logtape/logtape";
import type { WebSession } from "../../modules/account/session.types.ts";
import { AppError } from "../../shared/errors.ts";
import { webAuthOf, requireLogin, safeNext } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { accountPage, loginPage, secondFactorPage } from "./pages/account.pages.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const logger = getLogger(["relais", "web", "account"]);

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/** Sets the cookie of a new session (a new id at every login and change of stage). */
export function setSessionCookie(ctx: EditorContext, res: Response, started: { id: string; session: WebSession }): void {
  ctx.cookies.set(res, "session", started.id, { maxAgeMs: started.session.expiresAt.getTime() - Date.now() });
}

/** Login, logout (here or everywhere) and the account page (password). */
export function accountRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);

  r.get("/login", (req, res) => {
    if (webAuthOf(res).principal) return res.redirect(303, editorPaths.home);
    const view = ctx.view(req, res);
    res.send(loginPage(view, { next: safeNext(req.query.next, editorPrefix), done: doneMessage(view.lang, req.query.done) }));
  });

  r.post("/login", async (req, res) => {
    const view = ctx.view(req, res);
    const email = field(req.body, "email").trim();
    const password = field(req.body, "password");
    const next = safeNext(field(req.body, "next"), editorPrefix);
    const throttled = await ctx.loginThrottle.check(email, req.ip);
    if (throttled.limited) {
      const minutes = Math.ceil(throttled.retryAfterSeconds / 60);
      res.status(429).set("Retry-After", String(throttled.retryAfterSeconds));
      res.send(loginPage(view, { email, next, message: ctx.t(view.lang, "editor:login.throttled", { count: minutes }) }));
      return;
    }
    const user = email && password ? await ctx.accounts.checkPassword(email, password) : null;
    if (!user) {
      await ctx.loginThrottle.failed(email, req.ip);
      res.status(401).send(loginPage(view, { email, next, message: ctx.t(view.lang, "editor:login.wrong") }));
      return;
    }
    await ctx.loginThrottle.succeeded(email, req.ip);
    const previous = webAuthOf(res).sessionId;
    if (previous) await ctx.sessions.end(previous);
    const secondFactor = (await ctx.secondFactor.status(user.id)).enabled;
    setSessionCookie(ctx, res, await ctx.sessions.start(user.id, secondFactor ? "second-factor" : "full"));
    logger.info("login of {email}{stage}", { email: user.email, stage: secondFactor ? " (second factor next)" : "" });
    const target = next ?? editorPaths.home;
    res.redirect(303, secondFactor ? `${editorPaths.secondFactor}?next=${encodeURIComponent(target)}` : target);
  });

  r.get("/login/code", (req, res) => {
    const { session } = webAuthOf(res);
    if (session?.stage !== "second-factor") return res.redirect(303, editorPaths.login);
    res.send(secondFactorPage(ctx.view(req, res), { next: safeNext(req.query.next, editorPrefix) }));
  });

  r.post("/login/code", async (req, res) => {
    const { session, sessionId } = webAuthOf(res);
    if (session?.stage !== "second-factor" || !sessionId) return res.redirect(303, editorPaths.login);
    const view = ctx.view(req, res);
    const next = safeNext(field(req.body, "next"), editorPrefix);
    const throttled = await ctx.limits.secondFactor.peek(session.userId);
    if (throttled.limited) {
      logger.warning("throttled second factor for account {userId}", { userId: session.userId });
      res.status(429).set("Retry-After", String(throttled.retryAfterSeconds));
      res.send(secondFactorPage(view, { next, message: ctx.t(view.lang, "editor:login.throttled", { count: Math.ceil(throttled.retryAfterSeconds / 60) }) }));
      return;
    }
    if (!(await ctx.secondFactor.verify(session.userId, field(req.body, "code")))) {
      await ctx.limits.secondFactor.hit(session.userId);
      logger.warning("wrong or replayed second-factor code for account {userId}", { userId: session.userId });
      res.status(401).send(secondFactorPage(view, { next, message: ctx.t(view.lang, "editor:totp.wrong") }));
      return;
    }
    await ctx.limits.secondFactor.reset(session.userId);
    setSessionCookie(ctx, res, await ctx.sessions.rotate(sessionId, session.userId, "full"));
    res.redirect(303, next ?? editorPaths.home);
  });

  r.post("/logout", async (_req, res) => {
    const id = webAuthOf(res).sessionId;
    if (id) await ctx.sessions.end(id);
    ctx.cookies.clear(res, "session");
    res.redirect(303, `${editorPaths.login}?done=loggedOut`);
  });

  r.post("/logout-everywhere", auth, async (_req, res) => {
    const { principal } = webAuthOf(res);
    if (principal) await ctx.sessions.endAll(principal.userId);
    ctx.cookies.clear(res, "session");
    res.redirect(303, `${editorPaths.login}?done=loggedOutEverywhere`);
  });

  r.get("/account", auth, async (req, res) => {
    const view = ctx.view(req, res);
    const totp = await ctx.secondFactor.status(webAuthOf(res).principal?.userId ?? "");
    res.send(accountPage(view, { totp: { enabled: totp.enabled, recoveryCodesLeft: totp.recoveryCodesLeft }, done: doneMessage(view.lang, req.query.done) }));
  });

  r.post("/account/password", auth, async (req, res) => {
    const { principal, sessionId } = webAuthOf(res);
    const view = ctx.view(req, res);
    try {
      await ctx.accounts.changePassword(principal?.userId ?? "", field(req.body, "current"), field(req.body, "password"), sessionId ?? "");
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      const problems = (error.details ?? []).map((p) => ({ field: p.field, message: ctx.t(view.lang, `editor:account.problem.${p.field}`) }));
      const totp = await ctx.secondFactor.status(principal?.userId ?? "");
      res.status(422).send(accountPage(view, { totp, problems }));
      return;
    }
    logger.info("password changed by {email}; other sessions ended", { email: principal?.email });
    res.redirect(303, `${editorPaths.account}?done=passwordChanged`);
  });

  return r;
}
