import { type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { presskitListPage } from "./pages/presskit.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

/**
 * The press kits of a collective for its editors: drafts and embargoed kits too, with their state and
 * public page. Same role as the JSON API (edit-presskits). Writing a kit is still the API's and the CLI's.
 */
export function presskitRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;

  r.get("/@:slug/presskits", auth, async (req, res) => {
    if (!ctx.presskits) throw new AppError("not_found", 404, "");
    const principal = principalOf(res);
    const c = await ctx.collectives.findBySlug(String(req.params.slug));
    if (!c || !can(principal, "edit-presskits", c.id)) throw forbidden();
    const view = ctx.view(req, res);
    const kits = await ctx.presskits.list(c.slug, principal, { includePrivate: true });
    res.send(
      presskitListPage(view, {
        slug: c.slug,
        name: pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug,
        kits: kits.map((k) => ({
          title: pickLanguage(k.title, [view.lang], k.collective.primaryLanguage)?.text ?? "—",
          state: k.publishedAt ? "published" : k.embargoAt ? "embargoed" : "draft",
          embargoAt: k.embargoAt,
          timezone: k.timezone,
          href: k.publishedAt ? ctx.urls.pressKit(k.id).pathname : undefined,
        })),
      }),
    );
  });
  return r;
}
