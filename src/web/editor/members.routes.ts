import { Router } from "express";
import { AppError } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { auditPage, membersPage } from "./pages/members.pages.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/** A collective's members (owners invite, change roles, remove, hand out reset links) and its audit log. */
export function membersRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);

  const render = async (req: Parameters<Parameters<typeof r.get>[1]>[0], res: Parameters<Parameters<typeof r.get>[1]>[1], extra: { link?: { url: string; email: string; kind: "invitation" | "reset"; mailed: boolean }; problem?: string } = {}) => {
    const principal = webAuthOf(res).principal;
    if (!principal) throw new AppError("unauthorized", 401, "");
    const view = ctx.view(req, res);
    const { collective, members } = await ctx.memberships.list(principal, String(req.params.slug));
    const pending = await ctx.links.pendingInvitations(principal, collective.id);
    const name = pickLanguage(collective.name, [view.lang], collective.primaryLanguage)?.text ?? collective.slug;
    return membersPage(view, {
      slug: collective.slug,
      name,
      members,
      pending,
      isOwner: principal.roles.get(collective.id) === "owner",
      me: principal.userId,
      done: doneMessage(view.lang, req.query.done),
      ...extra,
    });
  };

  r.get("/@:slug/members", auth, async (req, res) => {
    res.send(await render(req, res));
  });

  r.post("/@:slug/members/invite", auth, async (req, res) => {
    const principal = webAuthOf(res).principal;
    const view = ctx.view(req, res);
    const slug = String(req.params.slug);
    let link: Awaited<ReturnType<typeof ctx.links.invite>>;
    try {
      link = await ctx.links.invite(principal as NonNullable<typeof principal>, slug, field(req.body, "email"), field(req.body, "role"));
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      const key = error.status === 409 ? "editor:members.already" : "editor:members.badEmail";
      res.status(error.status).send(await render(req, res, { problem: ctx.t(view.lang, key) }));
      return;
    }
    const url = new URL(editorPaths.invitation(link.token), ctx.origin).href;
    let mailed = false;
    if (ctx.mailer) {
      const sent = await ctx.mailer.send({
        to: link.email,
        subject: ctx.t(view.lang, "editor:mail.invitationSubject"),
        text: ctx.t(view.lang, "editor:mail.invitationText", { link: url, by: principal?.email }),
      });
      mailed = sent.ok;
    }
    res.status(201).send(await render(req, res, { link: { url, email: link.email, kind: "invitation", mailed } }));
  });

  r.post("/@:slug/members/:userId/role", auth, async (req, res) => {
    const principal = webAuthOf(res).principal;
    const slug = String(req.params.slug);
    await ctx.memberships.setRole(principal as NonNullable<typeof principal>, slug, String(req.params.userId), field(req.body, "role"));
    res.redirect(303, `${editorPaths.members(slug)}?done=roleChanged`);
  });

  r.post("/@:slug/members/:userId/remove", auth, async (req, res) => {
    const principal = webAuthOf(res).principal;
    const slug = String(req.params.slug);
    await ctx.memberships.remove(principal as NonNullable<typeof principal>, slug, String(req.params.userId));
    res.redirect(303, principal?.userId === req.params.userId ? editorPaths.home : `${editorPaths.members(slug)}?done=memberRemoved`);
  });

  r.post("/@:slug/members/:userId/reset-link", auth, async (req, res) => {
    const principal = webAuthOf(res).principal as NonNullable<ReturnType<typeof webAuthOf>["principal"]>;
    const { members } = await ctx.memberships.list(principal, String(req.params.slug));
    const member = members.find((m) => m.userId === req.params.userId);
    if (!member) throw new AppError("not_found", 404, "");
    const link = await ctx.links.createReset(principal, member.email);
    if (!link) throw new AppError("not_found", 404, "");
    const url = new URL(editorPaths.reset(link.token), ctx.origin).href;
    res.status(201).send(await render(req, res, { link: { url, email: link.email, kind: "reset", mailed: false } }));
  });

  r.get("/@:slug/audit", auth, async (req, res) => {
    const principal = webAuthOf(res).principal as NonNullable<ReturnType<typeof webAuthOf>["principal"]>;
    const view = ctx.view(req, res);
    const entries = await ctx.audit.list(principal, String(req.params.slug));
    res.send(auditPage(view, { slug: String(req.params.slug), entries }));
  });
  return r;
}
