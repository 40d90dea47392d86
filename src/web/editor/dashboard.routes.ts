import { Router } from "express";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { homePage } from "./pages/dashboard.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

/** The editor's home: the collectives the account belongs to. */
export function dashboardRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  r.get("/", auth, async (req, res) => {
    const view = ctx.view(req, res);
    const principal = webAuthOf(res).principal;
    const mine = (await ctx.collectives.list()).filter((c) => principal?.roles.has(c.id));
    const items = mine.map((c) => ({
      slug: c.slug,
      name: pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug,
      role: principal?.roles.get(c.id) ?? "editor",
    }));
    res.send(homePage(view, { collectives: items, done: doneMessage(view.lang, req.query.done) }));
  });
  return r;
}
