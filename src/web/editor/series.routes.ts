import { type Request, type Response, Router } from "express";
import { can } from "../../modules/collective/collective.policy.ts";
import type { EventSeriesService } from "../../modules/event/event-series.service.ts";
import type { EventService } from "../../modules/event/event.service.ts";
import type { Principal } from "../../modules/user/user.service.ts";
import { AppError, type FieldProblem, forbidden } from "../../shared/errors.ts";
import { requireLogin, webAuthOf } from "../auth/web-session.ts";
import type { EditorContext } from "./editor.router.ts";
import { formProblems } from "./event-form.ts";
import { endPage, type OccurrenceForm, occurrencePage, splitPage } from "./pages/series.pages.ts";
import { editorPaths, editorPrefix, type OccurrenceAction, occurrenceActions } from "./paths.ts";
import { moveBody, moveOf, placeBody, placeOf, readMove, readPlace, readReason, readSplit, reasonBody, splitBody, splitOf } from "./series-form.ts";

/** What a redirect to the event's page may say was done to its dates (`?done=`), each a translation under series:done. */
const seriesDoneKeys = ["cancel", "uncancel", "move", "unmove", "place", "unplace", "restore", "split", "end"] as const;

export function seriesDoneMessage(t: EditorContext["t"], lang: string, value: unknown): string | undefined {
  return typeof value === "string" && value.startsWith("series-") && (seriesDoneKeys as readonly string[]).includes(value.slice(7)) ? t(lang, `series:done.${value.slice(7)}`) : undefined;
}

/** The form of the occurrence page that shows the problems of an action. */
const formOfAction: Record<OccurrenceAction, OccurrenceForm> = { cancel: "cancel", uncancel: "cancel", restore: "cancel", move: "move", unmove: "move", place: "place", unplace: "place" };

const str = (body: unknown, key: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[key];
  return typeof v === "string" ? v.trim() : "";
};

/**
 * The dates of a recurring event in the editor (docs/adr/0027), over EventSeriesService as the JSON API
 * and the CLI: one occurrence cancelled (with a note) or restored, moved, held elsewhere, or given back
 * to the series; the series changed from a date on (it continues as a new event) or ended. Login →
 * editor of the event's collective (403 for anyone else) → the form read → the service, which validates;
 * its problems come back next to the fields, with what was typed.
 */
export function seriesRoutes(ctx: EditorContext): Router {
  const r = Router();
  const auth = requireLogin(editorPaths.login, editorPrefix);
  const principalOf = (res: Response): Principal => webAuthOf(res).principal as Principal;
  const services = (): { series: EventSeriesService; events: EventService } => {
    if (!ctx.series || !ctx.events) throw new AppError("not_found", 404, "");
    return { series: ctx.series, events: ctx.events };
  };
  /** Checks that the principal edits the events of the event's collective (403 otherwise, even when it is published). */
  const editable = async (principal: Principal, id: string) => {
    const { event } = await services().events.getForEditor(principal, id);
    const c = await ctx.collectives.findBySlug(event.organizer.slug);
    if (!c || !can(principal, "edit-events", c.id)) throw forbidden();
  };
  const occurrenceOf = async (principal: Principal, id: string, date: string) => {
    await editable(principal, id);
    return services().series.occurrence(principal, id, date);
  };

  const renderOccurrence = async (
    req: Request,
    res: Response,
    typed: { form: OccurrenceForm; values: Record<string, unknown>; problems: readonly FieldProblem[] } | undefined,
  ): Promise<string> => {
    const { event, occurrence } = await occurrenceOf(principalOf(res), String(req.params.id), String(req.params.date));
    const values = typed?.values ?? {};
    return occurrencePage(ctx.view(req, res), {
      event,
      occurrence,
      move: typed?.form === "move" ? readMove(values) : moveOf(event, occurrence),
      place: typed?.form === "place" ? readPlace(values) : placeOf(event, occurrence),
      reason: typed?.form === "cancel" ? readReason(values, Object.keys(event.name)) : {},
      problems: typed ? { form: typed.form, list: typed.problems } : undefined,
    });
  };

  r.get("/events/:id/occurrences/:date", auth, async (req, res) => {
    res.send(await renderOccurrence(req, res, undefined));
  });

  for (const action of occurrenceActions) {
    r.post(`/events/:id/occurrences/:date/${action}`, auth, async (req, res) => {
      const principal = principalOf(res);
      const id = String(req.params.id);
      const date = String(req.params.date);
      const { event, occurrence } = await occurrenceOf(principal, id, date);
      const lang = ctx.view(req, res).lang;
      const form = req.body as Record<string, unknown>;
      const refuse = async (problems: readonly FieldProblem[]) => {
        res.status(422).send(await renderOccurrence(req, res, { form: formOfAction[action], values: form, problems }));
      };
      let body: Record<string, unknown>;
      switch (action) {
        case "cancel": {
          const reason = reasonBody(readReason(form, Object.keys(event.name)));
          body = { cancelled: true, ...(reason ? { reason } : {}) };
          break;
        }
        case "move": {
          const v = readMove(form);
          if (v.startDate === "") return refuse([{ field: "startDate", message: ctx.t(lang, "series:problem.moveMissing") }]);
          body = moveBody(v, event.allDay);
          break;
        }
        case "place": {
          const placed = placeBody(readPlace(form), event, occurrence);
          if (!placed) return refuse([{ field: "placeName", message: ctx.t(lang, "series:problem.samePlace") }]);
          body = placed;
          break;
        }
        case "uncancel":
          body = { cancelled: false };
          break;
        case "unmove":
          body = { startsAt: null };
          break;
        case "unplace":
          body = { location: null, onlineUrl: null };
          break;
        case "restore":
          body = {};
          break;
      }
      try {
        if (action === "restore") await services().series.restoreOccurrence(principal, id, date);
        else await services().series.changeOccurrence(principal, id, date, body);
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 422) throw error;
        return refuse(formProblems(error.details ?? [], lang, { startDate: str(form, "startDate") || "-" }));
      }
      res.redirect(303, `${editorPaths.event(id)}?done=series-${action}#date-${date}`);
    });
  }

  /** The series' next dates, for the hint of "from this date on". */
  const nextDates = async (principal: Principal, id: string) => {
    const view = await services().series.occurrences(principal, id, { from: Temporal.Now.instant(), limit: 6 });
    return { event: view.event, next: view.occurrences.map((o) => o.date) };
  };
  /** The service's problems on a series form: the date fields worded here, the others as the event form words them. */
  const seriesProblems = (details: readonly FieldProblem[], lang: string, dateField: "from" | "after"): FieldProblem[] => {
    const dates = details.filter((d) => d.field === dateField).map(() => ({ field: dateField, message: ctx.t(lang, `series:problem.${dateField}`) }));
    return [...dates.slice(0, 1), ...formProblems(details.filter((d) => d.field !== dateField), lang, { startDate: "-" })];
  };

  r.get("/events/:id/series/split", auth, async (req, res) => {
    const principal = principalOf(res);
    const id = String(req.params.id);
    await editable(principal, id);
    const { event, next } = await nextDates(principal, id);
    const from = typeof req.query.from === "string" && /^\d{4}-\d{2}-\d{2}$/.test(req.query.from) ? req.query.from : "";
    res.send(splitPage(ctx.view(req, res), { event, next, values: splitOf(event, from) }));
  });

  r.post("/events/:id/series/split", auth, async (req, res) => {
    const principal = principalOf(res);
    const id = String(req.params.id);
    await editable(principal, id);
    const { event, next } = await nextDates(principal, id);
    const lang = ctx.view(req, res).lang;
    const values = readSplit(req.body as Record<string, unknown>);
    const refuse = (problems: readonly FieldProblem[]) => res.status(422).send(splitPage(ctx.view(req, res), { event, next, values, problems }));
    if (values.from === "") return refuse([{ field: "from", message: ctx.t(lang, "series:problem.from") }]);
    let created: string;
    try {
      created = (await services().series.split(principal, id, splitBody(values, event))).event.id;
    } catch (error) {
      // The event was found above: a 404 now is a date the rule does not give.
      if (error instanceof AppError && error.status === 404) return refuse([{ field: "from", message: ctx.t(lang, "series:problem.from") }]);
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      return refuse(seriesProblems(error.details ?? [{ field: "from", message: error.message }], lang, "from"));
    }
    res.redirect(303, `${editorPaths.event(created)}?done=series-split#dates`);
  });

  r.get("/events/:id/series/end", auth, async (req, res) => {
    const principal = principalOf(res);
    const id = String(req.params.id);
    await editable(principal, id);
    const { event, next } = await nextDates(principal, id);
    const after = typeof req.query.after === "string" && /^\d{4}-\d{2}-\d{2}$/.test(req.query.after) ? req.query.after : "";
    res.send(endPage(ctx.view(req, res), { event, next, after }));
  });

  r.post("/events/:id/series/end", auth, async (req, res) => {
    const principal = principalOf(res);
    const id = String(req.params.id);
    await editable(principal, id);
    const lang = ctx.view(req, res).lang;
    const after = str(req.body, "after");
    try {
      await services().series.end(principal, id, { after });
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      const { event, next } = await nextDates(principal, id);
      res.status(422).send(endPage(ctx.view(req, res), { event, next, after, problems: seriesProblems(error.details ?? [{ field: "after", message: error.message }], lang, "after") }));
      return;
    }
    res.redirect(303, `${editorPaths.event(id)}?done=series-end#dates`);
  });
  return r;
}
