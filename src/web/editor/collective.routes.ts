import { Router } from "express";
import { canOnInstance } from "../../modules/collective/collective.policy.ts";
import { AppError, forbidden } from "../../shared/errors.ts";
import { interfaceLanguages } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { newCollectivePage } from "./pages/collective.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v.trim() : "";
};

/** The instance admin creates collectives (and becomes their first owner, to invite the real ones). */
export function collectiveRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const admin = (res: Parameters<Parameters<typeof r.get>[1]>[1]) => {
    const p = webAuthOf(res).principal;
    if (!canOnInstance(p, "create-collective")) throw forbidden("only the instance admin creates collectives");
    return p as NonNullable<typeof p>;
  };

  r.get("/collectives/new", auth, (req, res) => {
    admin(res);
    const view = ctx.view(req, res);
    res.send(newCollectivePage(view, { values: { language: view.lang } }));
  });

  r.post("/collectives/new", auth, async (req, res) => {
    const principal = admin(res);
    const view = ctx.view(req, res);
    const language = field(req.body, "language");
    const values = { slug: field(req.body, "slug"), name: field(req.body, "name"), summary: field(req.body, "summary"), language, manual: field(req.body, "manual") === "1" };
    try {
      if (!(interfaceLanguages as readonly string[]).includes(language)) throw new AppError("invalid", 422, "", [{ field: "language", message: "" }]);
      await ctx.collectives.create({
        slug: values.slug,
        name: { [language]: values.name },
        ...(values.summary ? { summary: { [language]: values.summary } } : {}),
        primaryLanguage: language,
        manuallyApprovesFollowers: values.manual,
      });
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      const fields = error.status === 409 ? ["slug"] : (error.details ?? []).map((d) => d.field.split(".")[0] ?? "");
      const problems = [...new Set(fields)].map((f) => ({ field: f, message: ctx.t(view.lang, `editor:collective.problem.${error.status === 409 ? "taken" : f}`, { defaultValue: error.message }) }));
      res.status(error.status).send(newCollectivePage(view, { values, problems }));
      return;
    }
    await ctx.users.addMember(values.slug, principal.email, "owner");
    res.redirect(303, `${editorPaths.collective(values.slug)}?done=created`);
  });
  return r;
}
