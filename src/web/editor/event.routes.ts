import { type Request, type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import { changeNoteWriter, describeChanges } from "../../modules/event/event-change.ts";
import type { EventWording } from "../../modules/event/event-summary.ts";
import { applyEventPatch, type EventInput, parseEventInput } from "../../modules/event/event.schema.ts";
import { defaultZoneFor, type EventView } from "../../modules/event/event.service.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden } from "../../shared/errors.ts";
import { pickLanguage } from "../../shared/language.ts";
import { html } from "../html.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { blankForm, bodyOf, type EventFormValues, formOf, formProblems, imageProblems, readForm } from "./event-form.ts";
import { uploadOf } from "./multipart-form.ts";
import { doneMessage } from "./pages/editor-layout.ts";
import { confirmPage, type EventPreview, eventFormPage } from "./pages/event-form.page.ts";
import { type PastDates, seriesDatesSection } from "./pages/series.pages.ts";
import { seriesDoneMessage } from "./series.routes.ts";
import { editorPaths, editorPrefix } from "./paths.ts";

type Intent = "preview" | "addLanguage" | "draft" | "publish" | "save";
const intentOf = (body: Record<string, unknown>): Intent =>
  (["preview", "addLanguage", "draft", "publish", "save"] as const).find((i) => i === body.intent) ?? "preview";

/** The form with one more language, copied from another when asked ("start a translation by copying"). */
function withLanguage(v: EventFormValues, body: Record<string, unknown>): EventFormValues {
  const added = typeof body.addLanguage === "string" ? body.addLanguage : "";
  if (!/^[a-z]{2}$/.test(added) || v.languages.includes(added)) return v;
  const from = typeof body.copyFrom === "string" && v.languages.includes(body.copyFrom) ? body.copyFrom : undefined;
  const copy = (map: Readonly<Record<string, string>>) => ({ ...map, [added]: from ? (map[from] ?? "") : "" });
  return { ...v, languages: [...v.languages, added], name: copy(v.name), summary: copy(v.summary), description: copy(v.description), imageAlt: copy(v.imageAlt) };
}

/** How the preview words what followers would see: the summary line, the change note. */
interface PreviewWording {
  readonly mastodonSummary: EventWording["mastodonSummary"];
  readonly changeNoteText: ReturnType<typeof changeNoteWriter>;
}

/** What followers would see if the form were saved now; undefined with the problems when it is not valid. */
function previewOf(
  v: EventFormValues,
  primaryLanguage: string,
  current: EventInput | undefined,
  lang: string,
  mediaUrl: (name: string) => URL,
  words: PreviewWording,
): { preview?: EventPreview; problems?: FieldProblem[] } {
  const checked = checkedPreview(v, primaryLanguage, current, lang, mediaUrl, words);
  const problems = [...(checked.problems ?? []), ...imageProblems(v, lang)];
  return problems.length > 0 ? { problems } : checked;
}

function checkedPreview(
  v: EventFormValues,
  primaryLanguage: string,
  current: EventInput | undefined,
  lang: string,
  mediaUrl: (name: string) => URL,
  { mastodonSummary, changeNoteText }: PreviewWording,
): { preview?: EventPreview; problems?: FieldProblem[] } {
  if (!Object.values(v.name).some((n) => n.trim() !== "")) {
    return { problems: formProblems([{ field: `name.${primaryLanguage}`, message: "" }], lang, v) };
  }
  const body = bodyOf(v, mediaUrl);
  let after: EventInput;
  if (current) {
    const parsed = parseEventInput(body, { partial: true, current, defaultTimezone: current.timezone, primaryLanguage });
    if (!parsed.ok) return { problems: formProblems(parsed.errors, lang, v) };
    after = applyEventPatch(current, parsed.value);
  } else {
    const parsed = parseEventInput({ ...body, published: false }, { defaultTimezone: v.timezone, primaryLanguage });
    if (!parsed.ok) return { problems: formProblems(parsed.errors, lang, v) };
    after = parsed.value;
  }
  const summaries = Object.keys(after.name).map((l) => ({ language: l, name: pickLanguage(after.name, [l], primaryLanguage)?.text ?? "", line: mastodonSummary(after, l) }));
  const changeNote = current?.published ? changeNoteText(describeChanges(current, after), after, primaryLanguage) : undefined;
  return { preview: { summaries, changeNote } };
}

/** The event form: create, edit, preview, publish, cancel and delete, over EventService. */
export function eventRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const words: PreviewWording = { mastodonSummary: ctx.wording.mastodonSummary, changeNoteText: changeNoteWriter(ctx.t) };
  const events = () => {
    if (!ctx.events) throw new AppError("not_found", 404, "");
    return ctx.events;
  };
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const mediaUrl = (name: string) => ctx.urls.media(name);

  /** The form as sent, with the image just uploaded (stored now, so that it survives a form with problems). */
  const readWithUpload = async (req: Request, res: Response, primary: string, lang: string): Promise<{ values: EventFormValues; problems: FieldProblem[] }> => {
    let values = readForm(req.body as Record<string, unknown>, primary);
    if (values.image && !(await ctx.media.exists(values.image))) values = { ...values, image: "" };
    const upload = uploadOf(res);
    if (!upload) return { values, problems: [] };
    const stored = await ctx.media.storeImage(upload.bytes);
    if (!stored.ok) return { values, problems: [{ field: "image", message: ctx.t(lang, `editor:event.problem.image_${stored.reason}`) }] };
    return { values: { ...values, image: stored.image.name }, problems: [] };
  };

  /** The collective of a slug, for someone allowed to edit its events (403 otherwise). */
  const editable = async (principal: Principal, slug: string) => {
    const c = await ctx.collectives.findBySlug(slug);
    if (!c || !can(principal, "edit-events", c.id)) throw forbidden();
    return c;
  };
  /** A stored event, for its editors only (403 for anyone else, even when it is published). */
  const editableEvent = async (principal: Principal, id: string): Promise<EventView> => {
    const view = await events().getForEditor(principal, id);
    await editable(principal, view.event.organizer.slug);
    return view;
  };

  const renderNew = (req: Request, res: Response, slug: string, primaryLanguage: string, values: EventFormValues, extra: { problems?: FieldProblem[]; preview?: EventPreview }) => {
    const view = ctx.view(req, res);
    return eventFormPage(view, {
      title: ctx.t(view.lang, "editor:event.newTitle"),
      action: editorPaths.newEvent(slug),
      path: editorPaths.newEvent(slug),
      values,
      primaryLanguage,
      published: false,
      back: editorPaths.collective(slug),
      uploadMB: Math.floor(ctx.maxUploadBytes / (1024 * 1024)),
      ...extra,
    });
  };

  /**
   * A recurring event's next dates, with their actions (`?dates=` shows more of them), and its past
   * dates on asking (`?past=`: the most recent that many, up to 200, of the last 500).
   */
  const datesOf = async (req: Request, res: Response, ev: EventView) => {
    if (!ev.event.recurrence || !ctx.series) return "";
    const now = Temporal.Now.instant();
    const asked = Number(req.query.dates);
    const limit = Number.isInteger(asked) && asked > 10 ? Math.min(asked, 200) : 10;
    const { event, occurrences } = await ctx.series.occurrences(principalOf(res), ev.event.id, { from: now, limit });
    const more = occurrences.length === limit && limit < 200 ? `${editorPaths.event(event.id)}?dates=${Math.min(limit + 40, 200)}#dates` : undefined;
    const pastAsked = Number(req.query.past);
    let past: PastDates;
    if (Number.isInteger(pastAsked) && pastAsked > 0) {
      const pastLimit = Math.min(pastAsked, 200);
      const over = (await ctx.series.occurrences(principalOf(res), event.id, { to: now, limit: 500 })).occurrences.filter((o) => Temporal.Instant.compare(o.endsAt ?? o.startsAt, now) <= 0);
      const earlier = over.length > pastLimit && pastLimit < 200 ? `${editorPaths.event(event.id)}?past=${Math.min(pastLimit + 40, 200)}#past-dates` : undefined;
      past = { occurrences: over.slice(-pastLimit).reverse(), earlier };
    } else if (Temporal.Instant.compare(event.startsAt, now) < 0) past = { show: `${editorPaths.event(event.id)}?past=10#past-dates` };
    return seriesDatesSection(ctx.view(req, res), { event, occurrences, more, past });
  };

  const renderEdit = async (req: Request, res: Response, ev: EventView, values: EventFormValues, extra: { problems?: FieldProblem[]; preview?: EventPreview; done?: string | undefined }) => {
    const view = ctx.view(req, res);
    const e = ev.event;
    const dates = await datesOf(req, res, ev);
    const name = pickLanguage(e.name, [view.lang], e.organizer.primaryLanguage)?.text ?? "";
    const links = html`<section class="card danger-zone" aria-labelledby="more-actions"><h2 id="more-actions">${ctx.t(view.lang, "editor:event.otherActions")}</h2>
<ul class="links">${ev.published ? html`<li><a href="${e.apId.pathname}">${ctx.t(view.lang, "editor:dashboard.publicPage")}</a></li>` : ""}
${ev.published ? html`<li><a href="${editorPaths.eventCoorganizers(e.id)}">${ctx.t(view.lang, "coorganise:host.link")}</a></li>` : ""}
${ev.published && e.status !== "cancelled" ? html`<li><a href="${editorPaths.eventAction(e.id, "cancel")}">${ctx.t(view.lang, "editor:event.cancel")}</a></li>` : ""}
<li><a href="${editorPaths.eventAction(e.id, "delete")}">${ctx.t(view.lang, "editor:event.delete")}</a></li></ul></section>`;
    return eventFormPage(view, {
      title: name,
      action: editorPaths.event(e.id),
      path: editorPaths.event(e.id),
      values,
      primaryLanguage: e.organizer.primaryLanguage,
      published: ev.published,
      back: editorPaths.collective(e.organizer.slug),
      extra: html`${dates}${links}`,
      staleTranslations: ev.staleTranslations,
      uploadMB: Math.floor(ctx.maxUploadBytes / (1024 * 1024)),
      ...extra,
    });
  };

  r.get("/@:slug/events/new", auth, async (req, res) => {
    const c = await editable(principalOf(res), String(req.params.slug));
    res.send(renderNew(req, res, c.slug, c.primaryLanguage, blankForm(c.primaryLanguage, defaultZoneFor(c.primaryLanguage)), {}));
  });

  r.post("/@:slug/events/new", auth, async (req, res) => {
    const principal = principalOf(res);
    const c = await editable(principal, String(req.params.slug));
    const lang = ctx.view(req, res).lang;
    const body = req.body as Record<string, unknown>;
    const intent = intentOf(body);
    const read = await readWithUpload(req, res, c.primaryLanguage, lang);
    let values = read.values;
    if (intent === "addLanguage" || read.problems.length > 0) {
      if (intent === "addLanguage") values = withLanguage(values, body);
      res.status(read.problems.length > 0 ? 422 : 200).send(renderNew(req, res, c.slug, c.primaryLanguage, values, { problems: read.problems }));
      return;
    }
    const checked = previewOf(values, c.primaryLanguage, undefined, lang, mediaUrl, words);
    if (checked.problems || intent === "preview") {
      res.status(checked.problems ? 422 : 200).send(renderNew(req, res, c.slug, c.primaryLanguage, values, checked));
      return;
    }
    try {
      const created = await events().create(principal, c.slug, { ...bodyOf(values, mediaUrl), published: intent === "publish" });
      res.redirect(303, `${editorPaths.event(created.event.id)}?done=${intent === "publish" ? "published" : "saved"}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      res.status(422).send(renderNew(req, res, c.slug, c.primaryLanguage, values, { problems: formProblems(error.details ?? [], lang, values) }));
    }
  });

  r.get("/events/:id", auth, async (req, res) => {
    const ev = await editableEvent(principalOf(res), String(req.params.id));
    const lang = ctx.view(req, res).lang;
    const values = formOf(ev, (url) => ctx.urls.mediaName(url));
    const done = doneMessage(lang, req.query.done) ?? seriesDoneMessage(ctx.t, lang, req.query.done);
    res.send(await renderEdit(req, res, ev, values, { ...previewOf(values, ev.event.organizer.primaryLanguage, { ...ev.event, published: ev.published }, lang, mediaUrl, words), done }));
  });

  r.post("/events/:id", auth, async (req, res) => {
    const principal = principalOf(res);
    const ev = await editableEvent(principal, String(req.params.id));
    const lang = ctx.view(req, res).lang;
    const body = req.body as Record<string, unknown>;
    const intent = intentOf(body);
    const primary = ev.event.organizer.primaryLanguage;
    const read = await readWithUpload(req, res, primary, lang);
    let values = read.values;
    if (intent === "addLanguage" || read.problems.length > 0) {
      if (intent === "addLanguage") values = withLanguage(values, body);
      res.status(read.problems.length > 0 ? 422 : 200).send(await renderEdit(req, res, ev, values, { problems: read.problems }));
      return;
    }
    const checked = previewOf(values, primary, { ...ev.event, published: ev.published }, lang, mediaUrl, words);
    if (checked.problems || intent === "preview") {
      res.status(checked.problems ? 422 : 200).send(await renderEdit(req, res, ev, values, checked));
      return;
    }
    try {
      await events().update(principal, ev.event.id, { ...bodyOf(values, mediaUrl), ...(intent === "publish" ? { published: true } : {}) });
      res.redirect(303, `${editorPaths.event(ev.event.id)}?done=${intent === "publish" ? "published" : "saved"}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      res.status(422).send(await renderEdit(req, res, ev, values, { problems: formProblems(error.details ?? [], lang, values) }));
    }
  });

  for (const kind of ["cancel", "delete"] as const) {
    r.get(`/events/:id/${kind}`, auth, async (req, res) => {
      const ev = await editableEvent(principalOf(res), String(req.params.id));
      const view = ctx.view(req, res);
      const e = ev.event;
      res.send(
        confirmPage(view, {
          kind,
          action: editorPaths.eventAction(e.id, kind),
          back: editorPaths.event(e.id),
          name: pickLanguage(e.name, [view.lang], e.organizer.primaryLanguage)?.text ?? "",
          languages: Object.keys(e.name),
          path: editorPaths.eventAction(e.id, kind),
        }),
      );
    });
    r.post(`/events/:id/${kind}`, auth, async (req, res) => {
      const principal = principalOf(res);
      const ev = await editableEvent(principal, String(req.params.id));
      const body = req.body as Record<string, unknown>;
      if (body.confirm !== "yes") return res.redirect(303, editorPaths.eventAction(ev.event.id, kind));
      if (kind === "delete") {
        await events().delete(principal, ev.event.id);
        return res.redirect(303, `${editorPaths.collective(ev.event.organizer.slug)}?done=deleted`);
      }
      const reason = Object.fromEntries(
        Object.keys(ev.event.name)
          .map((l) => [l, typeof body[`reason.${l}`] === "string" ? (body[`reason.${l}`] as string).trim() : ""])
          .filter(([, text]) => text !== ""),
      );
      await events().cancel(principal, ev.event.id, Object.keys(reason).length > 0 ? { reason } : {});
      res.redirect(303, `${editorPaths.event(ev.event.id)}?done=cancelled`);
    });
  }
  return r;
}
