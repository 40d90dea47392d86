import { type Response, Router } from "express";
import { getLogger } from "@logtape/logtape";
import type { WebSession } from "../../modules/account/session.types.ts";
import { AppError } from "../../shared/errors.ts";
import { webAuthOf, requireLogin, safeNext } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { accountPage, loginPage } from "./pages/account.pages.ts";
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
    const user = email && password ? await ctx.accounts.checkPassword(email, password) : null;
    if (!user) {
      logger.warning("failed login for {email} from {address}", { email: email.slice(0, 320), address: req.ip });
      res.status(401).send(loginPage(view, { email, next, message: ctx.t(view.lang, "editor:login.wrong") }));
      return;
    }
    const previous = webAuthOf(res).sessionId;
    if (previous) await ctx.sessions.end(previous);
    setSessionCookie(ctx, res, await ctx.sessions.start(user.id, "full"));
    logger.info("login of {email}", { email: user.email });
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
    res.send(accountPage(view, { done: doneMessage(view.lang, req.query.done) }));
  });

  r.post("/account/password", auth, async (req, res) => {
    const { principal, sessionId } = webAuthOf(res);
    const view = ctx.view(req, res);
    try {
      await ctx.accounts.changePassword(principal?.userId ?? "", field(req.body, "current"), field(req.body, "password"), sessionId ?? "");
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      const problems = (error.details ?? []).map((p) => ({ field: p.field, message: ctx.t(view.lang, `editor:account.problem.${p.field}`) }));
      res.status(422).send(accountPage(view, { problems }));
      return;
    }
    logger.info("password changed by {email}; other sessions ended", { email: principal?.email });
    res.redirect(303, `${editorPaths.account}?done=passwordChanged`);
  });

  return r;
}
