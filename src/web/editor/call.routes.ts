import { type Request, type Response, Router } from "express";
import { parseCallInput } from "../../modules/call/call.schema.ts";
import type { CallService } from "../../modules/call/call.service.ts";
import type { CallView } from "../../modules/call/call.types.ts";
import { can } from "../../modules/collective/collective.policy.ts";
import { defaultZoneFor } from "../../modules/event/event.service.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden, notFound } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import { formatEventWhen } from "../wording.ts";
import {
  blankCallForm,
  type CallFormValues,
  callBodyOf,
  callFormOf,
  callFormProblems,
  checkCallForm,
  readCallForm,
  withCallLanguage,
  withDemandRow,
} from "./call-form.ts";
import type { EditorContext } from "./editor.router.ts";
import { uploadOf } from "./multipart-form.ts";
import {
  callActionsSection,
  callConfirmPage,
  callFormPage,
  callHistoryPage,
  callListPage,
  callTitle,
  callVersionEditorPage,
  type EventChoice,
  nextActions,
  type StaleDiff,
} from "./pages/call.pages.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { type CallAction, callActions, editorPaths, editorPrefix } from "./paths.ts";

type Intent = "addLanguage" | "addDemand" | "save";
const intentOf = (body: Record<string, unknown>): Intent => (["addLanguage", "addDemand", "save"] as const).find((i) => i === body.intent) ?? "save";

/** The outcome shown after each step (keys of editor:done). */
const doneOf: Record<CallAction, string> = { consult: "consulted", open: "opened", close: "closedCall", withdraw: "withdrawn", delete: "deleted" };

/** Where the typed text differs from the text saved meanwhile, field by field and language by language. */
function staleDiffs(saved: CallFormValues, yours: CallFormValues): StaleDiff[] {
  const languages = [...new Set([...saved.languages, ...yours.languages])];
  const demands = (v: CallFormValues, l: string) =>
    v.demands
      .map((d, i) => `${i + 1}. ${d[l] ?? ""}`)
      .filter((line) => !/^\d+\. $/.test(line))
      .join("\n");
  const out: StaleDiff[] = [];
  for (const language of languages) {
    for (const field of ["title", "pitch", "body"] as const) {
      const a = (saved[field][language] ?? "").trim();
      const b = (yours[field][language] ?? "").trim();
      if (a !== b) out.push({ language, field, saved: a, yours: b });
    }
    const a = demands(saved, language);
    const b = demands(yours, language);
    if (a !== b) out.push({ language, field: "demands", saved: a, yours: b });
  }
  return out;
}

/**
 * The call editor: a collective's calls (drafts included), a multilingual form to write and change a
 * call, each step of its life (consultation, launch, closing, withdrawal, deletion) after a
 * confirmation, and its history of versions with what changed. Over CallService, as the JSON API:
 * owners and editors of the collective only; a form opened before someone else's save is refused
 * with what they changed, the typed text kept.
 */
export function callRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const calls = (): CallService => {
    if (!ctx.calls) throw new AppError("not_found", 404, "");
    return ctx.calls;
  };
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const mediaUrl = (name: string) => ctx.urls.media(name);
  const uploadMB = () => Math.floor(ctx.maxUploadBytes / (1024 * 1024));
  /** Every problem of the form at once (the service checks again when it saves). */
  const check = (values: CallFormValues, primary: string, lang: string) =>
    checkCallForm(
      values,
      lang,
      (body) => {
        const parsed = parseCallInput(body, { primaryLanguage: primary, defaultTimezone: values.timezone || defaultZoneFor(primary), mediaOrigin: ctx.urls.origin.href });
        return parsed.ok ? [] : parsed.errors;
      },
      mediaUrl,
    );

  /** The collective of a slug, for someone allowed to edit its calls (403 otherwise). */
  const editable = async (principal: Principal, slug: string) => {
    const c = await ctx.collectives.findBySlug(slug);
    if (!c || !can(principal, "edit-calls", c.id)) throw forbidden();
    return c;
  };
  /** A call, for its collective's editors only (404 for a call nobody else may see, 403 for a public one). */
  const editableCall = async (principal: Principal, id: string): Promise<CallView> => {
    const call = await calls().get(principal, id);
    await editable(principal, call.collective.slug);
    return call;
  };

  /** The collective's published events a call may be about: from a month ago on, and those already chosen. */
  const eventChoices = async (principal: Principal, slug: string, lang: string, primary: string): Promise<EventChoice[]> => {
    if (!ctx.events) return [];
    const from = Temporal.Now.instant().subtract({ hours: 24 * 31 });
    const list = await ctx.events.list(slug, { from, includePrivate: false, limit: 100 }, principal);
    return list.map((v) => ({ id: v.event.id, name: pickLanguage(v.event.name, [lang], primary)?.text ?? "", when: formatEventWhen(v.event, lang) }));
  };
  const withCallEvents = (choices: EventChoice[], call: CallView | undefined, lang: string): EventChoice[] => {
    const known = new Set(choices.map((c) => c.id));
    const more = (call?.events ?? [])
      .filter((e) => !known.has(e.id))
      .map((e) => ({ id: e.id, name: pickLanguage(e.name, [lang], call?.collective.primaryLanguage ?? lang)?.text ?? "", when: formatEventWhen(e, lang) }));
    return [...more, ...choices];
  };

  /** The form as sent, with the image just uploaded (stored now, so that it survives a form with problems). */
  const readWithUpload = async (req: Request, res: Response, primary: string, lang: string): Promise<{ values: CallFormValues; problems: FieldProblem[] }> => {
    let values = readCallForm(req.body as Record<string, unknown>, primary);
    if (values.image && !(await ctx.media.exists(values.image))) values = { ...values, image: "" };
    const upload = uploadOf(res);
    if (!upload) return { values, problems: [] };
    const stored = await ctx.media.storeImage(upload.bytes);
    if (!stored.ok) return { values, problems: [{ field: "image", message: ctx.t(lang, `editor:event.problem.image_${stored.reason}`) }] };
    return { values: { ...values, image: stored.image.name }, problems: [] };
  };

  const renderNew = async (req: Request, res: Response, slug: string, primary: string, values: CallFormValues, problems?: FieldProblem[]) => {
    const view = ctx.view(req, res);
    return callFormPage(view, {
      title: ctx.t(view.lang, "editor:call.newTitle"),
      action: editorPaths.newCall(slug),
      path: editorPaths.newCall(slug),
      values,
      primaryLanguage: primary,
      events: await eventChoices(principalOf(res), slug, view.lang, primary),
      back: editorPaths.calls(slug),
      uploadMB: uploadMB(),
      ...(problems ? { problems } : {}),
    });
  };

  const renderEdit = async (
    req: Request,
    res: Response,
    call: CallView,
    values: CallFormValues,
    extra: { problems?: FieldProblem[]; done?: string | undefined; stale?: Parameters<typeof callFormPage>[1]["stale"] },
  ) => {
    const view = ctx.view(req, res);
    const primary = call.collective.primaryLanguage;
    return callFormPage(view, {
      title: callTitle(call, view.lang) || ctx.t(view.lang, "editor:call.untitled"),
      action: editorPaths.call(call.id),
      path: editorPaths.call(call.id),
      values,
      primaryLanguage: primary,
      call,
      events: withCallEvents(await eventChoices(principalOf(res), call.collective.slug, view.lang, primary), call, view.lang),
      back: editorPaths.calls(call.collective.slug),
      uploadMB: uploadMB(),
      extra: callActionsSection(view.lang, call, call.launchedAt ? call.apId.pathname : undefined),
      ...extra,
    });
  };

  r.get("/@:slug/calls", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const view = ctx.view(req, res);
    const list = await calls().list(c.slug, principal, { includePrivate: true, limit: 200 });
    res.send(
      callListPage(view, {
        slug: c.slug,
        name: pickLanguage(c.name, [view.lang], c.primaryLanguage)?.text ?? c.slug,
        calls: list,
        done: doneMessage(view.lang, req.query.done),
      }),
    );
  });

  r.get("/@:slug/calls/new", auth, async (req, res) => {
    const c = await editable(principalOf(res), String(req.params.slug));
    res.send(await renderNew(req, res, c.slug, c.primaryLanguage, blankCallForm(c.primaryLanguage, defaultZoneFor(c.primaryLanguage))));
  });

  r.post("/@:slug/calls/new", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const lang = ctx.view(req, res).lang;
    const body = req.body as Record<string, unknown>;
    const intent = intentOf(body);
    const read = await readWithUpload(req, res, c.primaryLanguage, lang);
    let values = read.values;
    if (intent !== "save" || read.problems.length > 0) {
      if (intent === "addLanguage") values = withCallLanguage(values, body);
      if (intent === "addDemand") values = withDemandRow(values);
      res.status(read.problems.length > 0 ? 422 : 200).send(await renderNew(req, res, c.slug, c.primaryLanguage, values, read.problems));
      return;
    }
    const problems = check(values, c.primaryLanguage, lang);
    if (problems.length > 0) {
      res.status(422).send(await renderNew(req, res, c.slug, c.primaryLanguage, values, problems));
      return;
    }
    try {
      const created = await calls().create(principal, c.slug, callBodyOf(values, mediaUrl));
      res.redirect(303, `${editorPaths.call(created.id)}?done=saved`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      res.status(422).send(await renderNew(req, res, c.slug, c.primaryLanguage, values, callFormProblems(error.details ?? [], lang, values)));
    }
  });

  r.get("/calls/:id", auth, async (req, res) => {
    const call = await editableCall(principalOf(res), String(req.params.id));
    const lang = ctx.view(req, res).lang;
    res.send(await renderEdit(req, res, call, callFormOf(call, (url) => ctx.urls.mediaName(url)), { done: doneMessage(lang, req.query.done) }));
  });

  r.post("/calls/:id", auth, async (req, res) => {
    const principal = principalOf(res);
    const call = await editableCall(principal, String(req.params.id));
    const lang = ctx.view(req, res).lang;
    const body = req.body as Record<string, unknown>;
    const intent = intentOf(body);
    const primary = call.collective.primaryLanguage;
    const read = await readWithUpload(req, res, primary, lang);
    let values = read.values;
    if (intent !== "save" || read.problems.length > 0) {
      if (intent === "addLanguage") values = withCallLanguage(values, body);
      if (intent === "addDemand") values = withDemandRow(values);
      res.status(read.problems.length > 0 ? 422 : 200).send(await renderEdit(req, res, call, values, { problems: read.problems }));
      return;
    }
    const problems = check(values, primary, lang);
    if (problems.length > 0) {
      res.status(422).send(await renderEdit(req, res, call, values, { problems }));
      return;
    }
    try {
      await calls().update(principal, call.id, callBodyOf(values, mediaUrl), {
        ifVersion: values.seenVersion,
        ifUpdatedAt: Temporal.Instant.fromEpochMilliseconds(values.seenUpdatedAt),
      });
      res.redirect(303, `${editorPaths.call(call.id)}?done=saved`);
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      if (error.status === 422) {
        res.status(422).send(await renderEdit(req, res, call, values, { problems: callFormProblems(error.details ?? [], lang, values) }));
        return;
      }
      // Saved by someone else since the form was opened (or no longer editable): nothing typed is lost.
      const current = await calls().get(principal, call.id);
      const saved = callFormOf(current, (url) => ctx.urls.mediaName(url));
      if (current.updatedAt.epochMilliseconds !== values.seenUpdatedAt || current.version !== values.seenVersion) {
        const stale = { version: current.version, savedAt: current.updatedAt, diffs: staleDiffs(saved, values) };
        const refreshed = { ...values, seenVersion: saved.seenVersion, seenUpdatedAt: saved.seenUpdatedAt };
        res.status(409).send(await renderEdit(req, res, current, refreshed, { stale }));
        return;
      }
      // No longer editable (closed, withdrawn): the page says so above the text that was typed.
      res.status(409).send(await renderEdit(req, res, current, values, {}));
    }
  });

  r.get("/calls/:id/versions", auth, async (req, res) => {
    const call = await editableCall(principalOf(res), String(req.params.id));
    const asked = typeof req.query.language === "string" ? req.query.language : "";
    const lang = ctx.view(req, res).lang;
    const language = asked in call.title ? asked : (pickLanguage(call.title, [lang], call.collective.primaryLanguage)?.language ?? call.collective.primaryLanguage);
    res.send(callHistoryPage(ctx.view(req, res), { call, versions: await calls().versions(call.id), language }));
  });

  r.get("/calls/:id/versions/:version", auth, async (req, res) => {
    const call = await editableCall(principalOf(res), String(req.params.id));
    const version = /^\d{1,9}$/.test(String(req.params.version)) ? await calls().version(call.id, Number(req.params.version)) : null;
    if (!version) throw notFound(`version ${String(req.params.version)} of the call ${call.id}`);
    res.send(callVersionEditorPage(ctx.view(req, res), { call, version }));
  });

  for (const kind of callActions) {
    r.get(`/calls/:id/${kind}`, auth, async (req, res) => {
      const call = await editableCall(principalOf(res), String(req.params.id));
      if (!nextActions[call.status].includes(kind)) return res.redirect(303, editorPaths.call(call.id));
      res.send(callConfirmPage(ctx.view(req, res), { kind, call }));
    });
    r.post(`/calls/:id/${kind}`, auth, async (req, res) => {
      const principal = principalOf(res);
      const call = await editableCall(principal, String(req.params.id));
      const body = req.body as Record<string, unknown>;
      if (body.confirm !== "yes") return res.redirect(303, editorPaths.callAction(call.id, kind));
      const lang = ctx.view(req, res).lang;
      try {
        if (kind === "delete") {
          await calls().delete(principal, call.id);
          return res.redirect(303, `${editorPaths.calls(call.collective.slug)}?done=deleted`);
        }
        await calls()[kind](principal, call.id);
        res.redirect(303, `${editorPaths.call(call.id)}?done=${doneOf[kind]}`);
      } catch (error) {
        if (!(error instanceof AppError) || (error.status !== 409 && error.status !== 422)) throw error;
        const fresh = await calls().get(principal, call.id);
        const problem = error.details?.some((d) => d.field === "deadline") ? ctx.t(lang, "editor:call.problem.deadlinePassed") : ctx.t(lang, "editor:call.problem.status", { status: ctx.t(lang, `call:status.${fresh.status}`) });
        res.status(error.status).send(callConfirmPage(ctx.view(req, res), { kind, call: fresh, problem }));
      }
    });
  }
  return r;
}
