import { type Response, Router } from "express";
import type { ActionKitService } from "../../modules/actionkit/actionkit.service.ts";
import { can } from "../../modules/collective/collective.policy.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, forbidden } from "../../shared/errors.ts";
import { t } from "../../shared/i18n.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import { html } from "../html.ts";
import type { EditorContext } from "./editor.router.ts";
import { editorPage } from "./pages/editor-layout.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

/**
 * The action kits of a collective for its editors (as the API: edit-calls): drafts too, with their
 * version, their opt-in count and their public pages per language. Kits are written with the API or
 * the CLI for now (a kit is structured data: fields and letters); the page says so.
 */
export function actionKitRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const kits = (): ActionKitService => {
    if (!ctx.actionkits) throw new AppError("not_found", 404, "");
    return ctx.actionkits;
  };
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;

  r.get("/@:slug/kits", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await ctx.collectives.findBySlug(String(req.params.slug));
    if (!c || !can(principal, "edit-calls", c.id)) throw forbidden();
    const view = ctx.view(req, res);
    const { lang } = view;
    const list = await kits().list(c.slug, principal, { includeDrafts: true });
    const rows = await Promise.all(list.map(async (k) => ({ kit: k, count: k.published ? (await kits().counts(k)).total : 0 })));
    const name = pickLanguage(c.name, [lang], c.primaryLanguage)?.text ?? c.slug;
    const title = t(lang, "actionkit:editor.listTitle");
    const body = html`<p><a href="${editorPaths.collective(c.slug)}">← ${name}</a></p>
<h1>${title}</h1>
<p class="muted">${t(lang, "actionkit:editor.writeHint")}</p>
${
  rows.length === 0
    ? html`<p class="muted">${t(lang, "actionkit:page.none")}</p>`
    : html`<ul class="events actionkits">${rows.map(({ kit, count }) => {
        const kitTitle = pickLanguage(kit.title, [lang], c.primaryLanguage);
        return html`<li><span${kitTitle && kitTitle.language !== lang ? html` lang="${kitTitle.language}"` : ""}>${kitTitle?.text ?? "—"}</span><br><span class="muted"><strong>${t(lang, kit.published ? "actionkit:editor.published" : "actionkit:editor.draft")}</strong> · ${kit.country} · ${t(lang, "actionkit:page.version", { version: kit.version })}${
          kit.published ? html` · ${t(lang, "actionkit:editor.count", { count })} · ${Object.keys(kit.title).map((l, i) => html`${i > 0 ? " " : ""}<a href="${ctx.urls.actionKitPage(kit.id, l).pathname}" hreflang="${l}">${l.toUpperCase()}</a>`)}` : ""
        }${kit.origin ? html` · ${t(lang, "actionkit:page.adopted")}` : ""}</span></li>`;
      })}</ul>`
}`;
    res.send(editorPage({ view, title, body, path: editorPaths.actionkits(c.slug) }));
  });
  return r;
}
