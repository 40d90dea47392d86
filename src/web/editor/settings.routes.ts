import { type Request, type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import type { Collective } from "../../modules/collective/collective.entity.ts";
import { storedMediaType } from "../../modules/media/media.service.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden } from "../../shared/errors.ts";
import { canonicalLanguage, interfaceLanguages, pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { uploadOf } from "./multipart-form.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { type SettingsValues, settingsPage } from "./pages/settings.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const str = (body: Record<string, unknown>, key: string) => (typeof body[key] === "string" ? (body[key] as string) : "");

/** The interface's languages, then any other the collective already writes in. */
const languagesOf = (c: Collective) => [...new Set([c.primaryLanguage, ...interfaceLanguages, ...Object.keys(c.name), ...Object.keys(c.summary ?? {})])];

/** A collective's settings, for its owners: names and summaries per language, avatar, approval. */
export function settingsRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);

  const ownCollective = async (res: Response, slug: string): Promise<{ principal: Principal; collective: Collective }> => {
    const principal = webAuthOf(res).principal;
    const collective = await ctx.collectives.findBySlug(slug);
    if (!principal || !collective || !can(principal, "manage-settings", collective.id)) throw forbidden(`only owners of "${slug}" change its settings`);
    return { principal, collective };
  };

  const render = (req: Request, res: Response, c: Collective, values: SettingsValues, problems?: FieldProblem[]) => {
    const view = ctx.view(req, res);
    const title = pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug;
    return settingsPage(view, { slug: c.slug, title, values, problems, done: doneMessage(view.lang, req.query.done), uploadMB: Math.floor(ctx.maxUploadBytes / (1024 * 1024)) });
  };

  r.get("/@:slug/settings", auth, async (req, res) => {
    const { collective: c } = await ownCollective(res, String(req.params.slug));
    const values: SettingsValues = {
      languages: languagesOf(c),
      primaryLanguage: c.primaryLanguage,
      name: { ...c.name },
      summary: { ...(c.summary ?? {}) },
      manual: c.manuallyApprovesFollowers,
      avatar: (c.iconUrl && ctx.urls.mediaName(c.iconUrl)) ?? "",
    };
    res.send(render(req, res, c, values));
  });

  r.post("/@:slug/settings", auth, async (req, res) => {
    const { principal, collective: c } = await ownCollective(res, String(req.params.slug));
    const lang = ctx.view(req, res).lang;
    const body = req.body as Record<string, unknown>;
    const languages = [...new Set([...languagesOf(c), ...str(body, "languages").split(",").map((l) => canonicalLanguage(l.trim())).filter((l): l is string => l !== undefined)])].slice(0, 20);
    const kept = str(body, "avatar");
    let values: SettingsValues = {
      languages,
      primaryLanguage: languages.includes(str(body, "primaryLanguage")) ? str(body, "primaryLanguage") : c.primaryLanguage,
      name: Object.fromEntries(languages.map((l) => [l, str(body, `name.${l}`)])),
      summary: Object.fromEntries(languages.map((l) => [l, str(body, `summary.${l}`)])),
      manual: body.manual === "1",
      avatar: body.removeAvatar === "1" || !storedMediaType(kept) || !(await ctx.media.exists(kept)) ? "" : kept,
    };
    const upload = uploadOf(res);
    if (upload) {
      const stored = await ctx.media.storeImage(upload.bytes);
      if (!stored.ok) {
        res.status(422).send(render(req, res, c, values, [{ field: "avatar", message: ctx.t(lang, `editor:event.problem.image_${stored.reason}`) }]));
        return;
      }
      values = { ...values, avatar: stored.image.name };
    }
    const filled = (map: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(map).filter(([, text]) => text.trim() !== ""));
    try {
      await ctx.collectives.updateSettings(principal, c.slug, {
        name: filled(values.name),
        summary: filled(values.summary),
        primaryLanguage: values.primaryLanguage,
        manuallyApprovesFollowers: values.manual,
        iconUrl: values.avatar ? ctx.urls.media(values.avatar).href : null,
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      const problems = (error.details ?? []).map((d) => {
        const field = d.field === "name" ? `name.${values.primaryLanguage}` : d.field;
        return { field, message: ctx.t(lang, field.startsWith("name.") && !/at most/.test(d.message) ? "editor:settings.problem.name" : "editor:settings.problem.tooLong") };
      });
      res.status(422).send(render(req, res, c, values, problems));
      return;
    }
    res.redirect(303, `${editorPaths.settings(c.slug)}?done=settingsSaved`);
  });
  return r;
}
