import { type Request, type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import type { SloganService } from "../../modules/slogan/slogan.service.ts";
import { type IncomingSlogan, sloganLanguages, type SloganView } from "../../modules/slogan/slogan.types.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden } from "../../shared/errors.ts";
import { type LanguageMap, pickLanguage } from "../../shared/language.ts";
import { formatEventWhen } from "../wording.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { type AttachChoices, type SloganFormValues, sloganDeletePage, sloganFormPage, sloganLine, sloganListPage } from "./pages/slogan.pages.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

const str = (body: Record<string, unknown>, name: string) => (typeof body[name] === "string" ? (body[name] as string) : "");

/** Reads a partner's slogan by the URL of its post (the federation layer's SloganReader); failures are values. */
export type SloganLookup = (url: string) => Promise<{ ok: true; slogan: IncomingSlogan } | { ok: false; reason: string }>;

/** The form as sent: one line per slogan language, tags separated by commas, the call and event chosen, draft unless ticked. */
export function readSloganForm(body: Record<string, unknown>): SloganFormValues {
  const text: Record<string, string> = {};
  for (const l of sloganLanguages) text[l] = str(body, `text.${l}`);
  const seen = Number(str(body, "seenVersion"));
  return {
    text,
    tags: str(body, "tags"),
    call: str(body, "call").trim(),
    event: str(body, "event").trim(),
    published: body.published === "1",
    seenVersion: Number.isSafeInteger(seen) ? seen : 0,
  };
}

/** The JSON body the service validates (the same as the API's): empty lines are languages not written. */
export function sloganBodyOf(v: SloganFormValues): Record<string, unknown> {
  const text = Object.fromEntries(Object.entries(v.text).filter(([, line]) => line.trim() !== ""));
  const tags = v.tags
    .split(",")
    .map((tag) => tag.trim().replace(/^#/, ""))
    .filter((tag) => tag !== "");
  return { text, tags, call: v.call === "" ? null : v.call, event: v.event === "" ? null : v.event, published: v.published };
}

const formOf = (s: SloganView): SloganFormValues => ({
  text: { ...s.text },
  tags: s.tags.join(", "),
  call: s.callId ?? "",
  event: s.eventId ?? "",
  published: s.published,
  seenVersion: s.version,
});

/**
 * The slogan editor: a collective's slogans (drafts included), a form with one line per language,
 * tags and draft/publish, deletion after a confirmation, and links to the public page and placards.
 * Over SloganService, as the JSON API: the collective's owners and editors only.
 */
export function sloganRoutes(ctx: EditorContext): Router {
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
  const editableSlogan = async (principal: Principal, id: string): Promise<SloganView> => {
    const s = await slogans().get(principal, id);
    if (!can(principal, "edit-calls", s.collective.id)) throw forbidden();
    return s;
  };
  /** The service's problems, in the editor's language, each next to its field. */
  const problemsOf = (details: readonly FieldProblem[], lang: string): FieldProblem[] =>
    details.map((d) => {
      if (d.field === "tags" || d.field.startsWith("tags.")) return { field: "tags", message: ctx.t(lang, "editor:slogan.problem.tags") };
      if (d.field.startsWith("text.")) return { field: d.field, message: ctx.t(lang, "editor:slogan.problem.line") };
      if (d.field === "text") return { field: "text", message: ctx.t(lang, "editor:slogan.problem.text") };
      if (d.field === "call" || d.field === "event") return { field: d.field, message: ctx.t(lang, `editor:slogan.problem.${d.field}`) };
      return { field: d.field, message: d.message };
    });
  const placardsOf = (s: SloganView, lang: string) =>
    Object.keys(s.text).flatMap((l) =>
      (["a4", "a3"] as const).map((size) => ({
        label: ctx.t(lang, "editor:slogan.placard", { language: l.toUpperCase(), size: size.toUpperCase() }),
        href: ctx.urls.sloganPlacard(s.id, l, size, "portrait").pathname,
      })),
    );

  /** The calls (drafts too) and events (from a month ago, drafts too) of the collective a slogan may belong to, and the chosen ones. */
  const choicesOf = async (principal: Principal, slug: string, primary: string, lang: string, chosen?: SloganView): Promise<AttachChoices> => {
    const name = (map: LanguageMap) => pickLanguage(map, [lang], primary)?.text ?? "—";
    const calls = ctx.calls ? await ctx.calls.list(slug, principal, { includePrivate: true, limit: 200 }) : [];
    const from = Temporal.Now.instant().subtract({ hours: 24 * 31 });
    const events = ctx.events ? await ctx.events.list(slug, { from, includePrivate: true, limit: 200 }, principal) : [];
    const draft = ctx.t(lang, "editor:slogan.draftOption");
    const out: AttachChoices = {
      calls: calls.map((c) => ({ value: c.id, label: `${name(c.title)} (${ctx.t(lang, `call:status.${c.status}`)})` })),
      events: events.map((v) => ({ value: v.event.id, label: `${name(v.event.name)} · ${formatEventWhen(v.event, lang)}${v.published ? "" : ` (${draft})`}` })),
    };
    // The one attached stays a choice even when it is older than a month (or not public any more).
    if (chosen?.callId && !out.calls.some((c) => c.value === chosen.callId)) out.calls.unshift({ value: chosen.callId, label: chosen.call ? name(chosen.call.title) : `${draft} ${chosen.callId.slice(0, 8)}` });
    if (chosen?.eventId && !out.events.some((e) => e.value === chosen.eventId)) out.events.unshift({ value: chosen.eventId, label: chosen.event ? name(chosen.event.name) : `${draft} ${chosen.eventId.slice(0, 8)}` });
    return out;
  };

  const renderNew = async (req: Request, res: Response, slug: string, primary: string, values: SloganFormValues, problems?: FieldProblem[]) => {
    const view = ctx.view(req, res);
    const choices = await choicesOf(principalOf(res), slug, primary, view.lang);
    return sloganFormPage(view, { title: ctx.t(view.lang, "editor:slogan.newTitle"), action: editorPaths.newSlogan(slug), back: editorPaths.slogans(slug), values, primaryLanguage: primary, choices, problems });
  };
  const renderEdit = async (req: Request, res: Response, s: SloganView, values: SloganFormValues, extra: { problems?: FieldProblem[]; message?: string; done?: string | undefined } = {}) => {
    const view = ctx.view(req, res);
    const choices = await choicesOf(principalOf(res), s.collective.slug, s.collective.primaryLanguage, view.lang, s);
    return sloganFormPage(view, {
      choices,
      title: sloganLine(s, view.lang) || ctx.t(view.lang, "editor:slogan.listTitle"),
      action: editorPaths.slogan(s.id),
      back: editorPaths.slogans(s.collective.slug),
      values,
      primaryLanguage: s.collective.primaryLanguage,
      slogan: s,
      placards: placardsOf(s, view.lang),
      publicUrl: ctx.urls.slogan(s.id).pathname,
      ...extra,
    });
  };

  r.get("/@:slug/slogans", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const list = await slogans().list(c.slug, principal, { includeDrafts: true, limit: 200 });
    res.send(sloganListPage(view, { slug: c.slug, name: pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug, slogans: list, done: doneMessage(view.lang, req.query.done) }));
  });

  r.get("/@:slug/slogans/new", auth, async (req, res) => {
    const c = await editable(principalOf(res), String(req.params.slug));
    res.send(await renderNew(req, res, c.slug, c.primaryLanguage, { text: {}, tags: "", call: String(req.query.call ?? ""), event: String(req.query.event ?? ""), published: false, seenVersion: 0 }));
  });

  r.post("/@:slug/slogans/new", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const lang = ctx.view(req, res).lang;
    const values = readSloganForm(req.body as Record<string, unknown>);
    try {
      const created = await slogans().create(principal, c.slug, sloganBodyOf(values));
      res.redirect(303, `${editorPaths.slogan(created.id)}?done=saved`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      res.status(422).send(await renderNew(req, res, c.slug, c.primaryLanguage, values, problemsOf(error.details ?? [], lang)));
    }
  });

  r.get("/slogans/:id", auth, async (req, res) => {
    const s = await editableSlogan(principalOf(res), String(req.params.id));
    res.send(await renderEdit(req, res, s, formOf(s), { done: doneMessage(ctx.view(req, res).lang, req.query.done) }));
  });

  r.post("/slogans/:id", auth, async (req, res) => {
    const principal = principalOf(res);
    const s = await editableSlogan(principal, String(req.params.id));
    const lang = ctx.view(req, res).lang;
    const values = readSloganForm(req.body as Record<string, unknown>);
    try {
      await slogans().update(principal, s.id, sloganBodyOf(values), { ifVersion: values.seenVersion });
      res.redirect(303, `${editorPaths.slogan(s.id)}?done=saved`);
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      if (error.status === 422) {
        res.status(422).send(await renderEdit(req, res, s, values, { problems: problemsOf(error.details ?? [], lang) }));
        return;
      }
      // Saved by someone else since the form was opened: what was typed stays, against the new version.
      res.status(409).send(await renderEdit(req, res, s, { ...values, seenVersion: s.version }, { message: ctx.t(lang, "editor:slogan.stale", { version: s.version }) }));
    }
  });

  r.get("/slogans/:id/delete", auth, async (req, res) => {
    const s = await editableSlogan(principalOf(res), String(req.params.id));
    res.send(sloganDeletePage(ctx.view(req, res), { slogan: s }));
  });

  r.post("/slogans/:id/delete", auth, async (req, res) => {
    const principal = principalOf(res);
    const s = await editableSlogan(principal, String(req.params.id));
    if ((req.body as Record<string, unknown>).confirm !== "yes") return res.redirect(303, editorPaths.sloganDelete(s.id));
    await slogans().delete(principal, s.id);
    res.redirect(303, `${editorPaths.slogans(s.collective.slug)}?done=deleted`);
  });
  return r;
}
