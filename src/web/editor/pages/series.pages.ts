import type { PublishedEvent } from "../../../modules/event/event.types.ts";
import { occurrenceAsEvent } from "../../../modules/event/occurrence-event.ts";
import { allCountryCodes } from "../../../modules/event/event.schema.ts";
import type { Occurrence } from "../../../modules/event/recurrence-expand.ts";
import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { dateTimeFormat } from "../../../shared/intl-cache.ts";
import { pickLanguage } from "../../../shared/language.ts";
import { html, type SafeHtml } from "../../html.ts";
import { describeSeries } from "../../series-wording.ts";
import { formatEventWhen, formatEventWhere, zoneLabel } from "../../wording.ts";
import type { MoveValues, PlaceValues, SplitValues } from "../series-form.ts";
import { editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { buttonForm, csrfField, errorSummary, input, problemOf, select } from "./forms.ts";

const nameOf = (e: PublishedEvent, lang: string) => pickLanguage(e.name, [lang], e.organizer.primaryLanguage)?.text ?? "";
const when = (e: PublishedEvent, o: Occurrence, lang: string) => formatEventWhen(occurrenceAsEvent(e, o), lang);
const planned = (e: PublishedEvent, o: Occurrence, lang: string) => formatEventWhen(occurrenceAsEvent(e, { ...o, startsAt: o.originalStart, moved: false }), lang);
/** Local dates ("2030-04-09") as the language writes them short ("mar. 9 avr. 2030"), for hints. */
const shortDates = (dates: readonly string[], lang: string) =>
  dates
    .map((d) => {
      const day = Temporal.PlainDate.from(d);
      return dateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(Date.UTC(day.year, day.month - 1, day.day, 12));
    })
    .join(", ");
const reasonOf = (e: PublishedEvent, o: Occurrence, lang: string) => (o.exception?.reason ? pickLanguage(o.exception.reason, [lang], e.organizer.primaryLanguage) : undefined);

/** What differs about one occurrence, in words: cancelled, moved (from when), elsewhere (where), the note. */
function stateOf(e: PublishedEvent, o: Occurrence, lang: string): SafeHtml {
  const marks: SafeHtml[] = [];
  if (o.cancelled) marks.push(html`<strong class="badge cancelled">${t(lang, "series:dates.cancelled")}</strong>`);
  if (o.moved) marks.push(html`<strong class="badge moved">${t(lang, "series:dates.moved")}</strong> <span class="muted">${t(lang, "series:dates.planned", { when: planned(e, o, lang) })}</span>`);
  if (o.exception?.location || o.exception?.onlineUrl) {
    marks.push(html`<strong class="badge elsewhere">${t(lang, "series:dates.elsewhere", { where: formatEventWhere(occurrenceAsEvent(e, o), lang) ?? "" })}</strong>`);
  }
  const reason = reasonOf(e, o, lang);
  if (reason && marks.length > 0) marks.push(html`<span lang="${reason.language}">${t(lang, "series:dates.reason", { reason: reason.text })}</span>`);
  return marks.length > 0 ? html`${marks.map((m) => html` — ${m}`)}` : html` — <span class="muted">${t(lang, "series:dates.asPlanned")}</span>`;
}

/**
 * The dates of a recurring event on its editor page: the rule in words, the next occurrences with
 * their exceptions marked, and for each the way to cancel, move, hold elsewhere or restore it, or to
 * change the series from it on; then the series' own actions.
 */
export function seriesDatesSection(
  view: EditorView,
  o: { event: PublishedEvent; occurrences: readonly Occurrence[]; more: string | undefined; past: PastDates },
): SafeHtml {
  const { lang } = view;
  const e = o.event;
  const first = e.startsAt.toZonedDateTimeISO(e.timezone).toPlainDate().toString();
  const items = o.occurrences.map((occ) => {
    const link = (action: "cancel" | "move" | "place") => html`<a href="${editorPaths.eventOccurrence(e.id, occ.date)}#${action}">${t(lang, `series:dates.${action}`)}</a>`;
    const actions = [
      ...(occ.cancelled ? [] : [link("cancel"), link("move"), link("place")]),
      ...(occ.date !== first ? [html`<a href="${editorPaths.eventSeries(e.id, "split")}?from=${occ.date}">${t(lang, "series:dates.split")}</a>`] : []),
    ];
    const restore = occ.exception
      ? buttonForm({ action: editorPaths.eventOccurrenceAction(e.id, occ.date, occ.cancelled ? "uncancel" : "restore"), csrf: view.csrf, label: t(lang, occ.cancelled ? "series:dates.uncancel" : "series:dates.restore") })
      : "";
    return html`<li id="date-${occ.date}" class="occurrence${occ.cancelled ? " cancelled" : ""}">
<p>${occ.cancelled ? html`<del><time datetime="${occ.startsAt.toString()}">${when(e, occ, lang)}</time></del>` : html`<time datetime="${occ.startsAt.toString()}">${when(e, occ, lang)}</time>`}${stateOf(e, occ, lang)}</p>
<p class="actions">${actions.map((a, i) => html`${i > 0 ? " · " : ""}${a}`)} ${restore}</p></li>`;
  });
  return html`<section class="card series-dates" id="dates" aria-labelledby="dates-title">
<h2 id="dates-title">${t(lang, "series:dates.title")}</h2>
<p>${describeSeries(e, lang) ?? ""}</p>
${e.previousSeries ? html`<p><a href="${editorPaths.event(e.previousSeries)}#dates">${t(lang, "series:dates.continues")}</a></p>` : ""}
${e.nextSeries ? html`<p><a href="${editorPaths.event(e.nextSeries)}#dates">${t(lang, "series:dates.continuedBy")}</a></p>` : ""}
<p class="hint">${t(lang, "series:dates.intro")}</p>
${items.length > 0 ? html`<ul class="occurrences">${items}</ul>` : html`<p>${t(lang, "series:dates.none")}</p>`}
${o.more ? html`<p><a href="${o.more}">${t(lang, "series:dates.more")}</a></p>` : ""}
${pastDates(e, o.past, lang)}
<h3>${t(lang, "series:dates.seriesActions")}</h3>
<ul class="links"><li><a href="${editorPaths.eventSeries(e.id, "split")}">${t(lang, "series:dates.splitSeries")}</a></li>
<li><a href="${editorPaths.eventSeries(e.id, "end")}">${t(lang, "series:dates.end")}</a></li></ul>
</section>`;
}

/** The series' past dates: none (it has not begun), a link to show them, or the most recent first with a link to earlier ones. */
export type PastDates = { readonly show: string } | { readonly occurrences: readonly Occurrence[]; readonly earlier: string | undefined } | undefined;

function pastDates(e: PublishedEvent, past: PastDates, lang: string): SafeHtml | string {
  if (!past) return "";
  if ("show" in past) return html`<p><a href="${past.show}">${t(lang, "series:dates.pastShow")}</a></p>`;
  const items = past.occurrences.map(
    (occ) => html`<li id="past-${occ.date}" class="occurrence past${occ.cancelled ? " cancelled" : ""}"><p>${occ.cancelled ? html`<del><time datetime="${occ.startsAt.toString()}">${when(e, occ, lang)}</time></del>` : html`<time datetime="${occ.startsAt.toString()}">${when(e, occ, lang)}</time>`}${stateOf(e, occ, lang)}</p></li>`,
  );
  return html`<h3 id="past-dates">${t(lang, "series:dates.past")}</h3>
<p class="hint">${t(lang, "series:dates.pastHint")}</p>
<ul class="occurrences past">${items}</ul>
${past.earlier ? html`<p><a href="${past.earlier}">${t(lang, "series:dates.pastMore")}</a></p>` : ""}`;
}

/** The place fields of a form (one occurrence elsewhere, or the series from a date on). */
function placeFields(lang: string, v: PlaceValues, p: readonly FieldProblem[] | undefined): SafeHtml {
  const countries = allCountryCodes.map((c) => ({ value: c, label: new Intl.DisplayNames([lang], { type: "region" }).of(c) ?? c })).sort((a, b) => a.label.localeCompare(b.label, lang));
  return html`${input({ name: "placeName", label: t(lang, "editor:event.placeName"), value: v.placeName, error: problemOf(p, "placeName") })}
${input({ name: "street", label: t(lang, "editor:event.street"), value: v.street, error: problemOf(p, "street"), autocomplete: "street-address" })}
<div class="row">${input({ name: "postalCode", label: t(lang, "editor:event.postalCode"), value: v.postalCode, error: problemOf(p, "postalCode"), autocomplete: "postal-code" })}
${input({ name: "locality", label: t(lang, "editor:event.locality"), value: v.locality, error: problemOf(p, "locality") })}</div>
${select({ name: "country", label: t(lang, "editor:event.country"), value: v.country, error: problemOf(p, "country"), options: [{ value: "", label: "—" }, ...countries] })}
${input({ name: "onlineUrl", label: t(lang, "editor:event.onlineUrl"), type: "url", value: v.onlineUrl, error: problemOf(p, "onlineUrl"), hint: "https://…" })}`;
}

/** Which of the occurrence page's forms was sent with problems (its fields keep what was typed). */
export type OccurrenceForm = "cancel" | "move" | "place";

/** One occurrence: cancel it (with a note) or restore it, move it, hold it elsewhere, or give it back to the series. */
export function occurrencePage(
  view: EditorView,
  o: {
    event: PublishedEvent;
    occurrence: Occurrence;
    move: MoveValues;
    place: PlaceValues;
    reason: Readonly<Record<string, string>>;
    problems?: { form: OccurrenceForm; list: readonly FieldProblem[] } | undefined;
  },
): string {
  const { lang, csrf } = view;
  const e = o.event;
  const occ = o.occurrence;
  const date = occ.date;
  const action = (a: Parameters<typeof editorPaths.eventOccurrenceAction>[2]) => editorPaths.eventOccurrenceAction(e.id, date, a);
  const p = (form: OccurrenceForm) => (o.problems?.form === form ? o.problems.list : undefined);
  const title = t(lang, "series:occurrence.title", { name: nameOf(e, lang), when: when(e, occ, lang) });
  const languages = Object.keys(e.name);
  const cancel = occ.cancelled
    ? html`<section class="card" id="cancel" aria-labelledby="cancel-title"><h2 id="cancel-title">${t(lang, "series:occurrence.cancelledTitle")}</h2>
<p>${t(lang, "series:occurrence.cancelledText")}</p>
${buttonForm({ action: action("uncancel"), csrf, label: t(lang, "series:occurrence.uncancelButton") })}</section>`
    : html`<section class="card danger-zone" id="cancel" aria-labelledby="cancel-title"><h2 id="cancel-title">${t(lang, "series:occurrence.cancelTitle")}</h2>
<p>${t(lang, "series:occurrence.cancelText")}</p>
${errorSummary(lang, p("cancel"))}
<form method="post" action="${action("cancel")}" class="stack">${csrfField(csrf)}
${languages.map((l) => input({ name: `reason.${l}`, label: languages.length > 1 ? `${t(lang, "series:occurrence.reason")} — ${languageName(l, lang)}` : t(lang, "series:occurrence.reason"), value: o.reason[l], lang: l, error: problemOf(p("cancel"), `reason.${l}`, "reason") }))}
<div class="buttons"><button type="submit" class="danger">${t(lang, "series:occurrence.cancelButton")}</button></div></form></section>`;
  const mp = p("move");
  const move = html`<section class="card" id="move" aria-labelledby="move-title"><h2 id="move-title">${t(lang, "series:occurrence.moveTitle")}</h2>
<p class="hint">${t(lang, "series:occurrence.moveText", { zone: zoneLabel(e.timezone, occ.startsAt, lang) })}</p>
${errorSummary(lang, mp)}
<form method="post" action="${action("move")}" class="stack" novalidate>${csrfField(csrf)}
<div class="row">${input({ name: "startDate", label: t(lang, "editor:event.startDate"), type: "date", value: o.move.startDate, required: true, error: problemOf(mp, "startDate") })}
${e.allDay ? "" : input({ name: "startTime", label: t(lang, "editor:event.startTime"), type: "time", value: o.move.startTime })}</div>
<div class="row">${input({ name: "endDate", label: t(lang, "editor:event.endDate"), type: "date", value: o.move.endDate, error: problemOf(mp, "endDate") })}
${e.allDay ? "" : input({ name: "endTime", label: t(lang, "editor:event.endTime"), type: "time", value: o.move.endTime })}</div>
<div class="buttons"><button type="submit" class="primary">${t(lang, "series:occurrence.moveButton")}</button></div></form>
${occ.moved ? buttonForm({ action: action("unmove"), csrf, label: t(lang, "series:occurrence.unmoveButton", { when: planned(e, occ, lang) }) }) : ""}</section>`;
  const pp = p("place");
  const elsewhere = Boolean(occ.exception?.location || occ.exception?.onlineUrl);
  const place = html`<section class="card" id="place" aria-labelledby="place-title"><h2 id="place-title">${t(lang, "series:occurrence.placeTitle")}</h2>
<p class="hint">${t(lang, "series:occurrence.placeText")}</p>
${errorSummary(lang, pp)}
<form method="post" action="${action("place")}" class="stack" novalidate>${csrfField(csrf)}
${placeFields(lang, o.place, pp)}
<div class="buttons"><button type="submit" class="primary">${t(lang, "series:occurrence.placeButton")}</button></div></form>
${elsewhere ? buttonForm({ action: action("unplace"), csrf, label: t(lang, "series:occurrence.unplaceButton") }) : ""}</section>`;
  const body = html`<p><a href="${editorPaths.event(e.id)}#date-${date}">← ${t(lang, "series:occurrence.back")}</a></p>
<h1>${title}</h1>
<p>${occ.cancelled ? html`<del>${when(e, occ, lang)}</del>` : when(e, occ, lang)}${stateOf(e, occ, lang)}</p>
${occ.exception ? buttonForm({ action: action("restore"), csrf, label: t(lang, "series:occurrence.restoreButton") }) : ""}
${cancel}${occ.cancelled ? "" : html`${move}${place}`}`;
  return editorPage({ view, title, body, path: editorPaths.eventOccurrence(e.id, date) });
}

/** "Change from this date on": the first date of the new part, its times and its place. */
export function splitPage(view: EditorView, o: { event: PublishedEvent; next: readonly string[]; values: SplitValues; problems?: readonly FieldProblem[] | undefined }): string {
  const { lang } = view;
  const e = o.event;
  const v = o.values;
  const p = o.problems;
  const title = t(lang, "series:split.title", { name: nameOf(e, lang) });
  // The first date cannot start the new part: change the event itself instead.
  const first = e.startsAt.toZonedDateTimeISO(e.timezone).toPlainDate().toString();
  const next = o.next.filter((d) => d !== first);
  const body = html`<p><a href="${editorPaths.event(e.id)}#dates">← ${t(lang, "series:occurrence.back")}</a></p>
<h1>${title}</h1>
<p>${t(lang, "series:split.text")}</p>
${errorSummary(lang, p)}
<form method="post" action="${editorPaths.eventSeries(e.id, "split")}" class="stack" novalidate>${csrfField(view.csrf)}
${input({ name: "from", label: t(lang, "series:split.from"), type: "date", value: v.from, required: true, error: problemOf(p, "from"), hint: next.length > 0 ? t(lang, "series:split.fromHint", { dates: shortDates(next, lang) }) : undefined })}
${
  e.allDay
    ? ""
    : html`<div class="row">${input({ name: "startTime", label: t(lang, "editor:event.startTime"), type: "time", value: v.startTime, error: problemOf(p, "startDate") })}
${input({ name: "endTime", label: t(lang, "editor:event.endTime"), type: "time", value: v.endTime, error: problemOf(p, "endDate") })}</div>`
}
<fieldset><legend>${t(lang, "editor:event.where")}</legend>${placeFields(lang, v, p)}</fieldset>
<div class="buttons"><a href="${editorPaths.event(e.id)}#dates">${t(lang, "editor:event.confirm.back")}</a>
<button type="submit" class="primary">${t(lang, "series:split.button")}</button></div></form>`;
  return editorPage({ view, title, body, path: editorPaths.eventSeries(e.id, "split") });
}

/** "End the series after a date": its last day. */
export function endPage(view: EditorView, o: { event: PublishedEvent; next: readonly string[]; after: string; problems?: readonly FieldProblem[] | undefined }): string {
  const { lang } = view;
  const e = o.event;
  const title = t(lang, "series:end.title", { name: nameOf(e, lang) });
  const body = html`<p><a href="${editorPaths.event(e.id)}#dates">← ${t(lang, "series:occurrence.back")}</a></p>
<h1>${title}</h1>
<p>${describeSeries(e, lang) ?? ""}</p>
<p>${t(lang, "series:end.text")}</p>
${errorSummary(lang, o.problems)}
<form method="post" action="${editorPaths.eventSeries(e.id, "end")}" class="stack" novalidate>${csrfField(view.csrf)}
${input({ name: "after", label: t(lang, "series:end.after"), type: "date", value: o.after, required: true, error: problemOf(o.problems, "after"), hint: o.next.length > 0 ? t(lang, "series:end.afterHint", { dates: shortDates(o.next, lang) }) : undefined })}
<div class="buttons"><a href="${editorPaths.event(e.id)}#dates">${t(lang, "editor:event.confirm.back")}</a>
<button type="submit" class="danger">${t(lang, "series:end.button")}</button></div></form>`;
  return editorPage({ view, title, body, path: editorPaths.eventSeries(e.id, "end") });
}
