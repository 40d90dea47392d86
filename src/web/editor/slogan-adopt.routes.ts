import { type Request, type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import type { SloganService } from "../../modules/slogan/slogan.service.ts";
import type { PartnerSlogans } from "../../modules/slogan/slogan.types.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { adoptSloganPage } from "./pages/slogan-adopt.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

/**
 * Adopting a partner's slogan from the editor: the slogans of the partners the collective follows,
 * listed from where they live (this instance, or the partner's outbox), or any by the address of its
 * post. Over SloganService.adopt, as the API and the CLI: only from a partner, once per original; the
 * adopted slogan is a draft (to attach it to a call, then publish it) that names and links its origin.
 */
export function sloganAdoptRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const slogans = (): SloganService => {
    if (!ctx.slogans) throw new AppError("not_found", 404, "");
    return ctx.slogans;
  };
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const editable = async (principal: Principal, slug: string) => {
    const c = await ctx.collectives.findBySlug(slug);
    if (!c || !can(principal, "edit-calls", c.id)) throw forbidden();
    return c;
  };

  const render = async (req: Request, res: Response, slug: string, extra: { url?: string; problems?: FieldProblem[] } = {}) => {
    const principal = principalOf(res);
    const c = await editable(principal, slug);
    const view = ctx.view(req, res);
    const partners = ctx.partners ? (await ctx.partners.list(principal, c.slug)).filter((p) => p.state !== "rejected") : [];
    const lists: PartnerSlogans[] = ctx.partnerSlogans
      ? await ctx.partnerSlogans(partners.map((p) => ({ actorApId: p.actorApId, name: p.name, handle: p.handle })))
      : partners.map((p) => ({ partner: { actorApId: p.actorApId, name: p.name, handle: p.handle }, slogans: [], unreadable: true }));
    const ours = await slogans().list(c.slug, principal, { includeDrafts: true, limit: 500 });
    const adopted = new Map(ours.flatMap((s) => (s.origin ? [[s.origin.apId, s.id] as const] : [])));
    const name = pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug;
    return adoptSloganPage(view, { slug: c.slug, name, partners: lists, adopted, ...extra });
  };

  r.get("/@:slug/slogans/adopt", auth, async (req, res) => {
    res.send(await render(req, res, String(req.params.slug)));
  });

  r.post("/@:slug/slogans/adopt", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const lang = ctx.view(req, res).lang;
    const raw = (req.body as Record<string, unknown>).url;
    const url = typeof raw === "string" ? raw.trim().slice(0, 2000) : "";
    const refuse = async (status: number, key: string) =>
      res.status(status).send(await render(req, res, c.slug, { url, problems: [{ field: "url", message: ctx.t(lang, `editor:slogan.problem.${key}`) }] }));
    if (url === "") return refuse(422, "noUrl");
    const read = ctx.sloganLookup ? await ctx.sloganLookup(url) : { ok: false as const, reason: "no reader" };
    if (!read.ok) return refuse(422, "unreadable");
    try {
      const adopted = await slogans().adopt(principal, c.slug, read.slogan, { published: false });
      res.redirect(303, `${editorPaths.slogan(adopted.id)}?done=saved`);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // The editor may edit (checked above): a 403 here says the slogan's author is not a partner.
      if (error.status === 403) return refuse(422, "notPartner");
      if (error.status === 409) return refuse(409, "alreadyAdopted");
      if (error.status === 422) return refuse(422, "unreadable");
      throw error;
    }
  });
  return r;
}
