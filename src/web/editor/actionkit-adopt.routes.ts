import { type Request, type Response, Router } from "express";
import type { ActionKitService } from "../../modules/actionkit/actionkit.service.ts";
import type { IncomingKit, PartnerKits } from "../../modules/actionkit/actionkit.types.ts";
import { can } from "../../modules/collective/collective.policy.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden } from "../../shared/errors.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { adoptActionKitPage } from "./pages/actionkit-adopt.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

/** Reads a partner's kit by the URL of its Article, here or on another server (the federation layer's reader); failures are values. */
export type ActionKitLookup = (url: string) => Promise<{ ok: true; kit: IncomingKit } | { ok: false; reason: string }>;

/**
 * Adopting a partner's action kit from the editor (the network view): the published kits of the
 * partners the collective follows, read where they live (this instance, or the partner's server), or
 * any by the address of its page. Over ActionKitService.adopt, as the API and the CLI: only from a
 * partner, once per original; the copy is a draft to translate, that names and links its origin.
 */
export function actionKitAdoptRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const kits = (): ActionKitService => {
    if (!ctx.actionkits) throw new AppError("not_found", 404, "");
    return ctx.actionkits;
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
    const refs = partners.map((p) => ({ actorApId: p.actorApId, name: p.name, handle: p.handle }));
    const lists: PartnerKits[] = ctx.partnerKits ? await ctx.partnerKits(refs) : refs.map((partner) => ({ partner, kits: [], unreadable: true }));
    const ours = await kits().list(c.slug, principal, { includeDrafts: true, limit: 500 });
    const adopted = new Map(ours.flatMap((k) => (k.origin ? [[k.origin.apId, k.id] as const] : [])));
    return adoptActionKitPage(view, { slug: c.slug, partners: lists, adopted, ...extra });
  };

  r.get("/@:slug/kits/adopt", auth, async (req, res) => {
    res.send(await render(req, res, String(req.params.slug)));
  });

  r.post("/@:slug/kits/adopt", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const lang = ctx.view(req, res).lang;
    const raw = (req.body as Record<string, unknown>).url;
    const url = typeof raw === "string" ? raw.trim().slice(0, 2000) : "";
    const refuse = async (status: number, key: string, reason?: string) =>
      res.status(status).send(await render(req, res, c.slug, { url, problems: [{ field: "url", message: ctx.t(lang, `actionkit:editor.adoptProblem.${key}`, { reason }) }] }));
    if (url === "") return refuse(422, "noUrl");
    const read = ctx.actionKitLookup ? await ctx.actionKitLookup(url) : { ok: false as const, reason: "no reader" };
    if (!read.ok) return refuse(422, "unreadable", read.reason);
    try {
      const adopted = await kits().adopt(principal, c.slug, read.kit, { published: false });
      res.redirect(303, `${editorPaths.actionkit(adopted.id)}?done=saved`);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // The editor may edit (checked above): a 403 here says the kit's author is not a partner.
      if (error.status === 403) return refuse(422, "notPartner");
      if (error.status === 409) return refuse(409, "alreadyAdopted");
      if (error.status === 422) return refuse(422, "invalid", error.message);
      throw error;
    }
  });
  return r;
}
