import { type ErrorRequestHandler, type Request, type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import { defaultZoneFor } from "../../modules/event/event.service.ts";
import type { PressKitService } from "../../modules/presskit/presskit.service.ts";
import type { PressKitView } from "../../modules/presskit/presskit.types.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { uploadOf } from "./multipart-form.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { type KitPageState, kitPage, kitTitle } from "./pages/presskit-kit.pages.ts";
import { type AboutChoice, kitConfirmPage, newKitPage, presskitListPage } from "./pages/presskit.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";
import {
  blankFileForm,
  blankKitForm,
  fileMetaOf,
  fileProblems,
  type KitFormValues,
  kitBodyOf,
  kitFormOf,
  kitProblems,
  linkProblems,
  readFileForm,
  readKitForm,
  uploadLimit,
} from "./presskit-form.ts";

const kitDone = ["fileAdded", "fileRemoved", "linkRevoked"] as const;

/** A 422 of the service (its details are the problems to show); anything else goes on to the error pages. */
function problemsOf(error: unknown): readonly FieldProblem[] {
  if (error instanceof AppError && error.status === 422) return error.details ?? [];
  throw error;
}

/** The calls and events of the collective a kit may be about (and the one it is about, whatever it is). */
async function aboutChoices(ctx: EditorContext, principal: Principal, slug: string, lang: string, primary: string, current?: string): Promise<AboutChoice[]> {
  const from = Temporal.Now.instant().subtract({ hours: 24 * 90 });
  const [calls, events] = await Promise.all([
    ctx.calls ? ctx.calls.list(slug, principal, { includePrivate: true, limit: 100 }) : [],
    ctx.events ? ctx.events.list(slug, { from, includePrivate: true, limit: 100 }, principal) : [],
  ]);
  const choices: AboutChoice[] = [
    ...calls.map((c) => ({ value: `call/${c.id}`, label: `${ctx.t(lang, "presskit:editor.aboutCall")} ${pickLanguage(c.title, [lang], primary)?.text ?? "—"}` })),
    ...events.map((e) => ({
      value: `event/${e.event.id}`,
      label: `${ctx.t(lang, "presskit:editor.aboutEvent")} ${pickLanguage(e.event.name, [lang], primary)?.text ?? "—"} (${e.event.startsAt.toZonedDateTimeISO(e.event.timezone).toPlainDate().toString()})`,
    })),
  ];
  if (current && !choices.some((c) => c.value === current)) choices.push({ value: current, label: ctx.t(lang, "presskit:editor.aboutCurrent") });
  return choices;
}

/** A kit's page in the editor, with what the forms hold (what was typed when a form had problems). */
async function renderKit(ctx: EditorContext, req: Request, res: Response, principal: Principal, kit: PressKitView, state: Partial<KitPageState> = {}, status = 200): Promise<void> {
  const presskits = ctx.presskits as PressKitService;
  const view = ctx.view(req, res);
  const values = state.values ?? kitFormOf(kit);
  const [links, about] = await Promise.all([presskits.links(principal, kit.id), aboutChoices(ctx, principal, kit.collective.slug, view.lang, kit.collective.primaryLanguage, values.about)]);
  res.status(status).send(kitPage(view, { kit, links, about, state: { ...state, values }, urls: ctx.urls, now: presskits.now(), uploadLimit: uploadLimit(ctx.maxUploadBytes, view.lang) }));
}

/** A kit for its editors: 404 for others while it is not public (the service's answer), 403 once it is. */
async function editableKit(ctx: EditorContext, principal: Principal, id: string): Promise<PressKitView> {
  if (!ctx.presskits) throw new AppError("not_found", 404, "");
  const kit = await ctx.presskits.get(principal, id);
  if (!can(principal, "edit-presskits", kit.collective.id)) throw forbidden();
  return kit;
}

/**
 * A file cut off for its size by the multipart reader (413, before the route ran): the kit's page again,
 * the limit said next to the file field, for its editors; anything else goes on to the error pages.
 */
export function presskitUploadErrors(ctx: EditorContext): ErrorRequestHandler {
  return (err, req, res, next) => {
    const id = /^\/presskits\/([0-9a-f-]{36})\/files$/.exec(req.path)?.[1];
    const principal = webAuthOf(res).principal as Principal | undefined;
    if (!(err instanceof AppError) || err.code !== "too_large" || !id || !principal || res.headersSent) return next(err);
    const lang = ctx.view(req, res).lang;
    const problems = [{ field: "file", message: ctx.t(lang, "presskit:editor.problem.tooLarge", { size: uploadLimit(ctx.maxUploadBytes, lang) }) }];
    editableKit(ctx, principal, id)
      .then((kit) => renderKit(ctx, req, res, principal, kit, { file: { values: blankFileForm, problems } }, 413))
      .catch(() => next(err));
  };
}

/**
 * The press-kit editor, over PressKitService as the JSON API (the same checks, the same rights:
 * edit-presskits): the list with drafts and embargoed kits, a form for the release per language, the
 * press contact, what the kit is about and its embargo; files uploaded with their caption, credit and
 * licence (refusals said next to the file field); secret links made (shown once), listed and revoked;
 * publication at once and deletion, each after a confirmation.
 */
export function presskitRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const kits = (): PressKitService => {
    if (!ctx.presskits) throw new AppError("not_found", 404, "");
    return ctx.presskits;
  };
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;

  /** The collective of a slug, for its press-kit editors only (403 for anyone else). */
  const editable = async (principal: Principal, slug: string) => {
    const c = await ctx.collectives.findBySlug(slug);
    if (!c || !can(principal, "edit-presskits", c.id)) throw forbidden();
    return c;
  };
  const renderNew = async (req: Request, res: Response, principal: Principal, c: { slug: string; primaryLanguage: string }, values: KitFormValues, problems?: FieldProblem[]) => {
    const view = ctx.view(req, res);
    const about = await aboutChoices(ctx, principal, c.slug, view.lang, c.primaryLanguage, values.about || undefined);
    res.status(problems ? 422 : 200).send(newKitPage(view, { slug: c.slug, values, primaryLanguage: c.primaryLanguage, about, ...(problems ? { problems } : {}) }));
  };

  r.get("/@:slug/presskits", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const list = await kits().list(c.slug, principal, { includePrivate: true });
    res.send(
      presskitListPage(view, {
        slug: c.slug,
        name: pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug,
        done: doneMessage(view.lang, req.query.done),
        kits: list.map((k) => ({
          title: kitTitle(k, view.lang),
          state: k.publishedAt ? "published" : k.embargoAt ? "embargoed" : "draft",
          embargoAt: k.embargoAt,
          timezone: k.timezone,
          edit: editorPaths.presskit(k.id),
          href: k.publishedAt ? ctx.urls.pressKit(k.id).pathname : undefined,
        })),
      }),
    );
  });

  r.get("/@:slug/presskits/new", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    await renderNew(req, res, principal, c, blankKitForm(c.primaryLanguage, defaultZoneFor(c.primaryLanguage)));
  });

  r.post("/@:slug/presskits/new", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const values = readKitForm(req.body as Record<string, unknown>, c.primaryLanguage);
    try {
      const kit = await kits().create(principal, c.slug, kitBodyOf(values, { stored: false, published: false }));
      res.redirect(303, `${editorPaths.presskit(kit.id)}?done=saved`);
    } catch (error) {
      await renderNew(req, res, principal, c, values, kitProblems(problemsOf(error), ctx.view(req, res).lang, c.primaryLanguage, false));
    }
  });

  r.get("/presskits/:id", auth, async (req, res) => {
    const principal = principalOf(res);
    const kit = await editableKit(ctx, principal, String(req.params.id));
    const lang = ctx.view(req, res).lang;
    const done = (kitDone as readonly unknown[]).includes(req.query.done) ? ctx.t(lang, `presskit:editor.done.${String(req.query.done)}`) : doneMessage(lang, req.query.done);
    await renderKit(ctx, req, res, principal, kit, { done });
  });

  r.post("/presskits/:id", auth, async (req, res) => {
    const principal = principalOf(res);
    const kit = await editableKit(ctx, principal, String(req.params.id));
    const primary = kit.collective.primaryLanguage;
    const values = readKitForm(req.body as Record<string, unknown>, primary);
    const published = kit.publishedAt !== undefined;
    try {
      await kits().update(principal, kit.id, kitBodyOf(values, { stored: true, published }));
      res.redirect(303, `${editorPaths.presskit(kit.id)}?done=saved`);
    } catch (error) {
      const problems = kitProblems(problemsOf(error), ctx.view(req, res).lang, primary, published);
      await renderKit(ctx, req, res, principal, kit, { values, problems }, 422);
    }
  });

  r.post("/presskits/:id/files", auth, async (req, res) => {
    const principal = principalOf(res);
    const kit = await editableKit(ctx, principal, String(req.params.id));
    const lang = ctx.view(req, res).lang;
    const values = readFileForm(req.body as Record<string, unknown>, kitFormOf(kit).languages);
    const upload = uploadOf(res);
    if (!upload) {
      await renderKit(ctx, req, res, principal, kit, { file: { values, problems: [{ field: "file", message: ctx.t(lang, "presskit:editor.problem.noFile") }] } }, 422);
      return;
    }
    try {
      await kits().addFile(principal, kit.id, upload.bytes, fileMetaOf(values));
      res.redirect(303, `${editorPaths.presskit(kit.id)}?done=fileAdded#kit-files`);
    } catch (error) {
      const problems = fileProblems(problemsOf(error), lang, kit.collective.primaryLanguage);
      await renderKit(ctx, req, res, principal, kit, { file: { values, problems } }, 422);
    }
  });

  r.post("/presskits/:id/files/:file/remove", auth, async (req, res) => {
    const principal = principalOf(res);
    const kit = await editableKit(ctx, principal, String(req.params.id));
    await kits().removeFile(principal, kit.id, String(req.params.file));
    res.redirect(303, `${editorPaths.presskit(kit.id)}?done=fileRemoved#kit-files`);
  });

  r.post("/presskits/:id/links", auth, async (req, res) => {
    const principal = principalOf(res);
    const kit = await editableKit(ctx, principal, String(req.params.id));
    const body = req.body as Record<string, unknown>;
    const values = { label: typeof body.label === "string" ? body.label : "", days: typeof body.days === "string" ? body.days : "" };
    try {
      const { token, link } = await kits().createLink(principal, kit.id, { ...(values.label.trim() ? { label: values.label } : {}), expiresInDays: Number(values.days || "x") });
      // Shown in this answer only (never in an address, a redirect or a log): only its hash is kept.
      await renderKit(ctx, req, res, principal, kit, { madeLink: { url: ctx.urls.pressPreview(token).href, expiresAt: link.expiresAt } }, 201);
    } catch (error) {
      await renderKit(ctx, req, res, principal, kit, { link: { values, problems: linkProblems(problemsOf(error), ctx.view(req, res).lang) } }, 422);
    }
  });

  r.post("/presskits/:id/links/:link/revoke", auth, async (req, res) => {
    const principal = principalOf(res);
    const kit = await editableKit(ctx, principal, String(req.params.id));
    await kits().revokeLink(principal, kit.id, String(req.params.link));
    res.redirect(303, `${editorPaths.presskit(kit.id)}?done=linkRevoked#kit-links`);
  });

  for (const kind of ["publish", "delete"] as const) {
    r.get(`/presskits/:id/${kind}`, auth, async (req, res) => {
      const kit = await editableKit(ctx, principalOf(res), String(req.params.id));
      const view = ctx.view(req, res);
      res.send(kitConfirmPage(view, { kind, id: kit.id, title: kitTitle(kit, view.lang), published: kit.publishedAt !== undefined }));
    });
    r.post(`/presskits/:id/${kind}`, auth, async (req, res) => {
      const principal = principalOf(res);
      const kit = await editableKit(ctx, principal, String(req.params.id));
      if ((req.body as Record<string, unknown>).confirm !== "yes") return res.redirect(303, editorPaths.presskitAction(kit.id, kind));
      if (kind === "delete") {
        await kits().delete(principal, kit.id);
        return res.redirect(303, `${editorPaths.presskits(kit.collective.slug)}?done=deleted`);
      }
      await kits().publishNow(principal, kit.id);
      res.redirect(303, `${editorPaths.presskit(kit.id)}?done=published`);
    });
  }
  return r;
}
