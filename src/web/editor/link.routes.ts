import { Router } from "express";
import { getLogger } from "@logtape/logtape";
import { AppError } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { webAuthOf } from "../auth/web-session.ts";
import { setSessionCookie } from "./account.routes.ts";
import type { EditorContext } from "./editor.router.ts";
import { forgotPage, invitationPage, resetPage } from "./pages/link.pages.ts";
import { editorPaths } from "./paths.ts";

const logger = getLogger(["relais", "web", "account"]);
const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/** Links that act once (invitations, password resets) and the forgotten-password form. */
export function linkRoutes(ctx: EditorContext): Router {
  const r = Router();

  r.get("/invitations/:token", async (req, res) => {
    const view = ctx.view(req, res);
    const token = String(req.params.token);
    const invitation = await ctx.links.describeInvitation(token);
    if (!invitation) throw new AppError("not_found", 404, "");
    const name = pickLanguage(invitation.collective.name, [view.lang], invitation.collective.primaryLanguage)?.text ?? invitation.collective.slug;
    res.send(invitationPage(view, { token, invitation, name, loggedInAs: webAuthOf(res).principal?.email }));
  });

  r.post("/invitations/:token", async (req, res) => {
    const view = ctx.view(req, res);
    const token = String(req.params.token);
    const invitation = await ctx.links.describeInvitation(token);
    if (!invitation) throw new AppError("not_found", 404, "");
    const principal = webAuthOf(res).principal;
    const name = pickLanguage(invitation.collective.name, [view.lang], invitation.collective.primaryLanguage)?.text ?? invitation.collective.slug;
    if (invitation.accountExists) {
      if (!principal) return res.redirect(303, `${editorPaths.login}?next=${encodeURIComponent(editorPaths.invitation(token))}`);
      await ctx.links.acceptInvitation(token, { userId: principal.userId });
    } else {
      const password = field(req.body, "password");
      if (password !== field(req.body, "confirm")) {
        const problems = [{ field: "confirm", message: ctx.t(view.lang, "editor:links.mismatch") }];
        res.status(422).send(invitationPage(view, { token, invitation, name, loggedInAs: principal?.email, problems }));
        return;
      }
      try {
        const userId = await ctx.links.acceptInvitation(token, { password });
        const previous = webAuthOf(res).sessionId;
        if (previous) await ctx.sessions.end(previous);
        setSessionCookie(ctx, res, await ctx.sessions.start(userId, "full"));
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 422) throw error;
        const problems = [{ field: "password", message: ctx.t(view.lang, "editor:account.problem.password") }];
        res.status(422).send(invitationPage(view, { token, invitation, name, loggedInAs: principal?.email, problems }));
        return;
      }
    }
    logger.info("{email} joined {slug} as {role}", { email: invitation.email, slug: invitation.collective.slug, role: invitation.role });
    res.redirect(303, `${editorPaths.collective(invitation.collective.slug)}?done=created`);
  });

  r.get("/reset/:token", async (req, res) => {
    const token = String(req.params.token);
    const reset = await ctx.links.describeReset(token);
    if (!reset) throw new AppError("not_found", 404, "");
    res.send(resetPage(ctx.view(req, res), { token, email: reset.email }));
  });

  r.post("/reset/:token", async (req, res) => {
    const view = ctx.view(req, res);
    const token = String(req.params.token);
    const reset = await ctx.links.describeReset(token);
    if (!reset) throw new AppError("not_found", 404, "");
    const password = field(req.body, "password");
    if (password !== field(req.body, "confirm")) {
      res.status(422).send(resetPage(view, { token, email: reset.email, problems: [{ field: "confirm", message: ctx.t(view.lang, "editor:links.mismatch") }] }));
      return;
    }
    try {
      await ctx.links.resetPassword(token, password);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      res.status(422).send(resetPage(view, { token, email: reset.email, problems: [{ field: "password", message: ctx.t(view.lang, "editor:account.problem.password") }] }));
      return;
    }
    logger.info("password of {email} reset with a link; its sessions ended", { email: reset.email });
    ctx.cookies.clear(res, "session");
    res.redirect(303, `${editorPaths.login}?done=passwordChanged`);
  });

  r.get("/forgot", (req, res) => {
    res.send(forgotPage(ctx.view(req, res), { canMail: ctx.mailer !== undefined }));
  });

  r.post("/forgot", async (req, res) => {
    const view = ctx.view(req, res);
    const email = field(req.body, "email").trim();
    if (ctx.mailer && email) {
      // The same answer whether or not the account exists; the message goes out only when it does.
      const link = await ctx.links.createReset("self", email).catch(() => null);
      if (link) {
        await ctx.mailer.send({
          to: link.email,
          subject: ctx.t(view.lang, "editor:mail.resetSubject"),
          text: ctx.t(view.lang, "editor:mail.resetText", { link: new URL(editorPaths.reset(link.token), ctx.origin).href }),
        });
      }
    }
    res.redirect(303, `${editorPaths.login}?done=resetSent`);
  });
  return r;
}
