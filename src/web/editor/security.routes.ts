import { Router } from "express";
import { getLogger } from "@logtape/logtape";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { accountPage } from "./pages/account.pages.ts";
import { recoveryCodesPage, totpSetupPage } from "./pages/security.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const logger = getLogger(["relais", "web", "account"]);
const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/** Turning the second factor (TOTP with recovery codes) on and off. */
export function securityRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);

  r.get("/account/totp", auth, (req, res) => {
    const principal = webAuthOf(res).principal;
    const proposal = ctx.secondFactor.proposal(principal?.email ?? "");
    res.send(totpSetupPage(ctx.view(req, res), proposal));
  });

  r.post("/account/totp", auth, async (req, res) => {
    const principal = webAuthOf(res).principal;
    const view = ctx.view(req, res);
    const secret = field(req.body, "secret");
    const codes = await ctx.secondFactor.enable(principal?.userId ?? "", secret, field(req.body, "code").replace(/\s/g, ""));
    if (!codes) {
      res.status(422).send(totpSetupPage(view, ctx.secondFactor.proposal(principal?.email ?? "", secret), ctx.t(view.lang, "editor:totp.wrong")));
      return;
    }
    logger.info("second factor turned on by {email}", { email: principal?.email });
    res.send(recoveryCodesPage(view, codes));
  });

  r.post("/account/totp/disable", auth, async (req, res) => {
    const principal = webAuthOf(res).principal;
    const view = ctx.view(req, res);
    const user = await ctx.accounts.checkPassword(principal?.email ?? "", field(req.body, "password"));
    if (!user || user.id !== principal?.userId) {
      const totp = await ctx.secondFactor.status(principal?.userId ?? "");
      res.status(422).send(accountPage(view, { totp, problems: [{ field: "disable", message: ctx.t(view.lang, "editor:account.problem.current") }] }));
      return;
    }
    await ctx.secondFactor.disable(user.id);
    logger.info("second factor turned off by {email}", { email: principal.email });
    res.redirect(303, `${editorPaths.account}?done=totpDisabled`);
  });
  return r;
}
