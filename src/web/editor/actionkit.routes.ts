import { type Request, type Response, Router } from "express";
import type { ActionKitService } from "../../modules/actionkit/actionkit.service.ts";
import { type ActionKitView, type KitCountDetail, kitLanguages } from "../../modules/actionkit/actionkit.types.ts";
import { can } from "../../modules/collective/collective.policy.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import { type ActionKitFormValues, actionKitBodyOf, actionKitFormOf, actionKitProblems, chosenLanguage, kitFormLanguages, readActionKitForm } from "./actionkit-form.ts";
import type { EditorContext } from "./editor.router.ts";
import { actionKitDeletePage, actionKitFormPage, actionKitListPage, kitTitleIn } from "./pages/actionkit.pages.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

/**
 * The action-kit editor, over ActionKitService as the JSON API (the same checks, the same rights:
 * edit-calls): the list with drafts, their version, opt-in count and public pages; a form that writes a
 * kit one language at a time (its structure — country, fields, letters, steps — and its texts in that
 * language; the other languages are kept), saving a draft in place or a published kit as a new version;
 * a save over someone else's is refused (409) with what was typed kept; deletion after a confirmation.
 */
export function actionKitRoutes(ctx: EditorContext): Router {
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
  const editableKit = async (principal: Principal, id: string): Promise<ActionKitView> => {
    const kit = await kits().get(principal, id);
    if (!can(principal, "edit-calls", kit.collective.id)) throw forbidden();
    return kit;
  };
  const pagesOf = (kit: ActionKitView) => kitLanguages(kit, kit.collective.primaryLanguage).map((l) => ({ lang: l, href: ctx.urls.actionKitPage(kit.id, l).pathname }));
  const languagesOf = (base: string, primary: string, kit?: ActionKitView) =>
    kitFormLanguages(primary, kit).map((l) => ({ lang: l, href: `${base}?in=${l}`, written: kit ? l in kit.title : false }));

  const renderNew = (req: Request, res: Response, c: { slug: string; primaryLanguage: string }, values: ActionKitFormValues, problems?: FieldProblem[]) => {
    const view = ctx.view(req, res);
    const action = editorPaths.newActionkit(c.slug);
    return actionKitFormPage(view, {
      title: ctx.t(view.lang, "actionkit:editor.newTitle"),
      action: `${action}?in=${values.language}`,
      slug: c.slug,
      values,
      languages: languagesOf(action, c.primaryLanguage),
      problems,
    });
  };
  const renderEdit = (
    req: Request,
    res: Response,
    kit: ActionKitView,
    values: ActionKitFormValues,
    extra: { problems?: FieldProblem[]; message?: string; done?: string | undefined; count?: KitCountDetail | undefined } = {},
  ) => {
    const view = ctx.view(req, res);
    const action = editorPaths.actionkit(kit.id);
    return actionKitFormPage(view, {
      title: kitTitleIn(kit, view.lang)?.text ?? ctx.t(view.lang, "actionkit:editor.listTitle"),
      action: `${action}?in=${values.language}`,
      slug: kit.collective.slug,
      values,
      languages: languagesOf(action, kit.collective.primaryLanguage, kit),
      kit,
      pages: pagesOf(kit),
      ...extra,
    });
  };

  r.get("/@:slug/kits", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const list = await kits().list(c.slug, principal, { includeDrafts: true });
    const rows = await Promise.all(list.map(async (k) => ({ kit: k, count: k.published ? (await kits().counts(k)).total : 0, pages: pagesOf(k) })));
    const name = pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug;
    res.send(actionKitListPage(view, { slug: c.slug, name, kits: rows, done: doneMessage(view.lang, req.query.done) }));
  });

  r.get("/@:slug/kits/new", auth, async (req, res) => {
    const c = await editable(principalOf(res), String(req.params.slug));
    res.send(renderNew(req, res, c, actionKitFormOf(undefined, chosenLanguage(req.query.in, c.primaryLanguage))));
  });

  r.post("/@:slug/kits/new", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const values = readActionKitForm(req.body as Record<string, unknown>, c.primaryLanguage);
    const { body, rows } = actionKitBodyOf(values, undefined, { published: false });
    try {
      const kit = await kits().create(principal, c.slug, body);
      res.redirect(303, `${editorPaths.actionkit(kit.id)}?in=${values.language}&done=${kit.published ? "published" : "saved"}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      res.status(422).send(renderNew(req, res, c, values, actionKitProblems(error.details ?? [], ctx.view(req, res).lang, values.language, rows)));
    }
  });

  r.get("/kits/:id", auth, async (req, res) => {
    const kit = await editableKit(principalOf(res), String(req.params.id));
    const values = actionKitFormOf(kit, chosenLanguage(req.query.in, kit.collective.primaryLanguage));
    const count = kit.published ? await kits().countDetail(kit) : undefined;
    res.send(renderEdit(req, res, kit, values, { done: doneMessage(ctx.view(req, res).lang, req.query.done), count }));
  });

  r.post("/kits/:id", auth, async (req, res) => {
    const principal = principalOf(res);
    const kit = await editableKit(principal, String(req.params.id));
    const lang = ctx.view(req, res).lang;
    const values = readActionKitForm(req.body as Record<string, unknown>, kit.collective.primaryLanguage);
    const { body, rows } = actionKitBodyOf(values, kit, { published: kit.published });
    try {
      const saved = await kits().update(principal, kit.id, body, {
        ifVersion: values.seenVersion,
        ifUpdatedAt: Temporal.Instant.fromEpochMilliseconds(values.seenAt),
      });
      const done = !kit.published && saved.published ? "published" : "saved";
      res.redirect(303, `${editorPaths.actionkit(kit.id)}?in=${values.language}&done=${done}`);
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      if (error.status === 422) {
        res.status(422).send(renderEdit(req, res, kit, values, { problems: actionKitProblems(error.details ?? [], lang, values.language, rows) }));
        return;
      }
      // Saved by someone else since the form was opened: what was typed stays, against the kit as it is now.
      const now = { ...values, seenVersion: kit.version, seenAt: kit.updatedAt.epochMilliseconds };
      res.status(409).send(renderEdit(req, res, kit, now, { message: ctx.t(lang, "actionkit:editor.stale", { version: kit.version }) }));
    }
  });

  r.get("/kits/:id/delete", auth, async (req, res) => {
    const kit = await editableKit(principalOf(res), String(req.params.id));
    res.send(actionKitDeletePage(ctx.view(req, res), { kit }));
  });

  r.post("/kits/:id/delete", auth, async (req, res) => {
    const principal = principalOf(res);
    const kit = await editableKit(principal, String(req.params.id));
    if ((req.body as Record<string, unknown>).confirm !== "yes") return res.redirect(303, editorPaths.actionkitDelete(kit.id));
    await kits().delete(principal, kit.id);
    res.redirect(303, `${editorPaths.actionkits(kit.collective.slug)}?done=deleted`);
  });
  return r;
}
