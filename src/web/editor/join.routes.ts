import { type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import type { JoinRequestService } from "../../modules/cosign/join-requests.service.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { receivedListPage } from "./pages/cosign.pages.ts";
import { askToJoinSection } from "./pages/join.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/**
 * Join requests in the editor (issue 9), over JoinRequestService as the JSON API: a call's editors
 * choose how requests to sign it are approved and approve or refuse pending ones (on its co-signatures
 * page); a collective's editors ask to sign another server's open call by its address (on the page of
 * the invitations it received) and see where their requests stand.
 */
export function joinRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const joins = (): JoinRequestService => {
    if (!ctx.joins) throw new AppError("not_found", 404, "");
    return ctx.joins;
  };

  r.post("/calls/:id/join-policy", auth, async (req, res) => {
    const id = String(req.params.id);
    const policy = field(req.body, "policy");
    if (policy !== "manual" && policy !== "automatic") return res.redirect(303, editorPaths.callSignatures(id));
    await joins().setPolicy(principalOf(res), id, policy);
    res.redirect(303, `${editorPaths.callSignatures(id)}?done=joinPolicySaved#join-requests`);
  });

  for (const action of ["approve", "refuse"] as const) {
    r.post(`/calls/:id/join-requests/:request/${action}`, auth, async (req, res) => {
      const id = String(req.params.id);
      const request = String(req.params.request);
      try {
        if (action === "approve") await joins().approve(principalOf(res), id, request);
        else await joins().refuse(principalOf(res), id, request);
      } catch (error) {
        // Decided meanwhile (by another editor): the page shows how.
        if (!(error instanceof AppError) || error.status !== 409) throw error;
        return res.redirect(303, `${editorPaths.callSignatures(id)}#join-requests`);
      }
      res.redirect(303, `${editorPaths.callSignatures(id)}?done=${action === "approve" ? "joinApproved" : "joinRefused"}#join-requests`);
    });
  }

  r.post("/@:slug/joins", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await ctx.collectives.findBySlug(String(req.params.slug));
    if (!c || !can(principal, "sign-calls", c.id)) throw forbidden();
    const view = ctx.view(req, res);
    const call = field(req.body, "call").trim();
    const fail = async (status: number, problem: string, detail?: string) => {
      const items = ctx.cosign ? await ctx.cosign.received(principal, c.slug) : [];
      const section = askToJoinSection(view.lang, view.csrf, { slug: c.slug, sent: await joins().sent(principal, c.slug), call, problem, detail });
      res.status(status).send(receivedListPage(view, { slug: c.slug, name: pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug, items, joins: section }));
    };
    if (call === "" || call.length > 2000 || !URL.canParse(call)) return fail(422, ctx.t(view.lang, "editor:join.problem.url"));
    const found = ctx.callToJoin ? await ctx.callToJoin(c.slug, call) : { ok: false as const, reason: "no federation here" };
    if (!found.ok) return fail(422, ctx.t(view.lang, "editor:join.problem.unreadable"), found.reason);
    try {
      await joins().requestToJoin(principal, c.slug, found.call);
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      return fail(error.status, ctx.t(view.lang, "editor:join.problem.refused"), error.message);
    }
    res.redirect(303, `${editorPaths.receivedList(c.slug)}?done=joinRequested#ask-to-join`);
  });
  return r;
}
