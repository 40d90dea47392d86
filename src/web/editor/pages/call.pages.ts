import type { CallStatus, CallText, CallVersionView, CallView } from "../../../modules/call/call.types.ts";
import { editableStatuses } from "../../../modules/call/call.types.ts";
import { diffText } from "../../../modules/call/call-diff.ts";
import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { dateTimeFormat } from "../../../shared/intl-cache.ts";
import { interfaceLanguages, pickLanguage } from "../../../shared/language.ts";
import { html, raw, type SafeHtml } from "../../html.ts";
import { versionHistoryItems } from "../../pages/call.page.ts";
import type { CallFormValues } from "../call-form.ts";
import { type CallAction, editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { imageFieldset, zoneSelect } from "./event-form.page.ts";
import { checkbox, csrfField, errorSummary, input, problemOf, select, textarea } from "./forms.ts";

/** What each status lets editors do next (the service refuses anything else with a 409). */
export const nextActions: Readonly<Record<CallStatus, readonly CallAction[]>> = {
  draft: ["consult", "open", "delete"],
  consultation: ["open", "withdraw", "delete"],
  open: ["close", "withdraw", "delete"],
  closed: ["withdraw", "delete"],
  withdrawn: ["delete"],
};

const when = (instant: Temporal.Instant, lang: string) =>
  dateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(instant.epochMilliseconds));

export const callTitle = (call: Pick<CallView, "title" | "collective">, lang: string) =>
  pickLanguage(call.title, [lang], call.collective.primaryLanguage)?.text ?? "";

/** A collective's calls for its editors: drafts and consultations too, newest first. */
export function callListPage(view: EditorView, o: { slug: string; name: string; calls: readonly CallView[]; done?: string | undefined }): string {
  const { lang } = view;
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.name}</a></p>
<h1>${t(lang, "editor:call.listTitle")}</h1>
<p class="actions"><a class="button primary" href="${editorPaths.newCall(o.slug)}">${t(lang, "editor:call.new")}</a></p>
${
  o.calls.length === 0
    ? html`<p class="muted">${t(lang, "editor:call.none")}</p>`
    : html`<ul class="events calls">${o.calls.map(
        (c) => html`<li><a href="${editorPaths.call(c.id)}">${callTitle(c, lang) || "—"}</a><br><span class="muted"><strong>${t(lang, `call:status.${c.status}`)}</strong>${
          c.version > 0 ? html` · ${t(lang, "editor:call.versionShort", { version: c.version })}` : ""
        } · ${t(lang, "editor:call.savedAt", { date: when(c.updatedAt, lang) })}</span></li>`,
      )}</ul>`
}`;
  return editorPage({ view, title: t(lang, "editor:call.listTitle"), body, path: editorPaths.calls(o.slug), done: o.done });
}

/** An event the call may be about (the day of action). */
export interface EventChoice {
  readonly id: string;
  readonly name: string;
  readonly when: string;
}

/** Where the form's text differs from the text saved since the editor opened it: saved → theirs, per field. */
export interface StaleDiff {
  readonly language: string;
  readonly field: "title" | "pitch" | "body" | "demands";
  readonly saved: string;
  readonly yours: string;
}

function demandRows(lang: string, v: CallFormValues, l: string, p: readonly FieldProblem[] | undefined): SafeHtml {
  // Always one empty row more than the demands written, so that a demand can be added without a step.
  const rows = Math.max(v.demands.length, 0) + (v.demands.length < 30 ? 1 : 0);
  return html`<fieldset class="demands"><legend>${t(lang, "editor:call.demands")}</legend>
<p class="hint">${t(lang, "editor:call.demandsHint")}</p>
<ol>${Array.from(
    { length: rows },
    (_, i) => html`<li>${input({ name: `demand.${i}.${l}`, label: t(lang, "editor:call.demand", { number: i + 1 }), value: v.demands[i]?.[l], error: problemOf(p, `demand.${i}.${l}`), lang: l })}</li>`,
  )}</ol></fieldset>`;
}

export function callFormPage(
  view: EditorView,
  o: {
    title: string;
    action: string;
    path: string;
    values: CallFormValues;
    primaryLanguage: string;
    /** The stored call (undefined: a new one). */
    call?: CallView | undefined;
    events: readonly EventChoice[];
    problems?: readonly FieldProblem[];
    /** Someone saved the call since the form was opened: what they changed, against what was typed. */
    stale?: { readonly version: number; readonly savedAt: Temporal.Instant; readonly diffs: readonly StaleDiff[] } | undefined;
    back: string;
    done?: string | undefined;
    uploadMB: number;
    extra?: SafeHtml | undefined;
  },
): string {
  const { lang } = view;
  const v = o.values;
  const p = o.problems;
  const status: CallStatus = o.call?.status ?? "draft";
  const editable = editableStatuses.includes(status);
  const missing = interfaceLanguages.filter((l) => !v.languages.includes(l));
  // Rows written: the form's demands plus the empty one each language shows.
  const rowCount = v.demands.length + (v.demands.length < 30 ? 1 : 0);
  const texts = v.languages.map(
    (l) => html`<fieldset class="language" id="text-${l}" lang="${l}">
<legend lang="${lang}">${languageName(l, lang)}${l === o.primaryLanguage ? html` <span class="muted">(${t(lang, "editor:event.primary")})</span>` : ""}</legend>
<div lang="${lang}">
${input({ name: `title.${l}`, label: t(lang, "editor:call.titleField"), value: v.title[l], required: l === o.primaryLanguage, error: problemOf(p, `title.${l}`), lang: l })}
${textarea({ name: `pitch.${l}`, label: t(lang, "editor:call.pitch"), value: v.pitch[l], hint: t(lang, "editor:call.pitchHint"), rows: 3, error: problemOf(p, `pitch.${l}`), lang: l })}
${textarea({ name: `body.${l}`, label: t(lang, "editor:call.body"), value: v.body[l], hint: t(lang, "editor:event.descriptionHint"), rows: 10, required: l === o.primaryLanguage, error: problemOf(p, `body.${l}`), lang: l })}
${demandRows(lang, v, l, p)}
${input({ name: `imageAlt.${l}`, label: t(lang, "editor:event.imageAlt"), value: v.imageAlt[l], hint: t(lang, "editor:event.imageAltHint"), error: problemOf(p, `imageAlt.${l}`), lang: l })}
</div></fieldset>`,
  );
  const chosen = new Set(v.relatedEvents);
  const known = new Set(o.events.map((e) => e.id));
  const stale = o.stale
    ? html`<section class="notice stale" role="alert" aria-labelledby="stale-title" id="stale">
<h2 id="stale-title">${t(lang, "editor:call.stale.title")}</h2>
<p>${t(lang, "editor:call.stale.text", { version: o.stale.version, date: when(o.stale.savedAt, lang) })}</p>
${
  o.stale.diffs.length > 0
    ? html`<p>${t(lang, "editor:call.stale.diffHint")}</p><dl>${o.stale.diffs.map(
        (d) => html`<dt>${t(lang, `call:page.field.${d.field}`)} (${languageName(d.language, lang)})</dt><dd lang="${d.language}"><div class="diff">${diffText(d.saved, d.yours).map((part) =>
          part.kind === "same" ? part.text : part.kind === "added" ? html`<ins>${part.text}</ins>` : html`<del>${part.text}</del>`,
        )}</div></dd>`,
      )}</dl>`
    : html`<p>${t(lang, "editor:call.stale.sameText")}</p>`
}
<p>${t(lang, "editor:call.stale.then")}</p></section>`
    : "";
  const saveButtons = !editable
    ? html`<p class="notice">${t(lang, "editor:call.frozen")}</p>`
    : status === "draft"
      ? html`<button type="submit" name="intent" value="save" class="primary">${t(lang, "editor:call.saveDraft")}</button>`
      : html`<button type="submit" name="intent" value="save" class="primary">${t(lang, status === "open" ? "editor:call.saveAndSend" : "editor:call.saveVersion")}</button>`;
  const body = html`<p><a href="${o.back}">← ${t(lang, "editor:call.listTitle")}</a></p>
<h1>${o.title}</h1>
${o.call ? html`<p class="status"><strong>${t(lang, `call:status.${status}`)}</strong>${o.call.version > 0 ? html` · ${t(lang, "editor:call.versionShort", { version: o.call.version })}` : ""} · ${t(lang, `editor:call.statusHint.${status}`)}</p>` : ""}
${stale}
${errorSummary(lang, p)}
<form method="post" action="${o.action}" class="stack event-form call-form" enctype="multipart/form-data" novalidate>
${csrfField(view.csrf)}
<input type="hidden" name="languages" value="${v.languages.join(",")}">
<input type="hidden" name="demandRows" value="${String(rowCount)}">
<input type="hidden" name="seenVersion" value="${String(v.seenVersion)}">
<input type="hidden" name="seenUpdatedAt" value="${String(v.seenUpdatedAt)}">
<nav class="tabs" aria-label="${t(lang, "editor:event.languages")}">${v.languages.map((l) => html`<a href="#text-${l}">${l.toUpperCase()}</a>`)}</nav>
${texts}
${
  missing.length > 0 && editable
    ? html`<fieldset class="add-language"><legend>${t(lang, "editor:event.addLanguage")}</legend>
${select({ name: "addLanguage", label: t(lang, "editor:event.newLanguage"), value: missing[0], options: missing.map((l) => ({ value: l, label: languageName(l, lang) })) })}
${select({ name: "copyFrom", label: t(lang, "editor:event.copyFrom"), value: "", options: [{ value: "", label: t(lang, "editor:event.copyNothing") }, ...v.languages.map((l) => ({ value: l, label: languageName(l, lang) }))] })}
<button type="submit" name="intent" value="addLanguage">${t(lang, "editor:event.addLanguageButton")}</button></fieldset>`
    : ""
}
${editable && v.demands.length < 29 ? html`<p><button type="submit" name="intent" value="addDemand">${t(lang, "editor:call.addDemand")}</button></p>` : ""}
<fieldset><legend>${t(lang, "editor:call.deadline")}</legend>
<p class="hint">${t(lang, "editor:call.deadlineHint")}</p>
<div class="row">${input({ name: "deadlineDate", label: t(lang, "editor:call.deadlineDate"), type: "date", value: v.deadlineDate, error: problemOf(p, "deadlineDate") })}
${input({ name: "deadlineTime", label: t(lang, "editor:call.deadlineTime"), type: "time", value: v.deadlineTime })}</div>
${zoneSelect(lang, v.timezone, problemOf(p, "timezone"))}
</fieldset>
<fieldset${problemOf(p, "relatedEvents") ? html` class="has-error"` : ""}><legend>${t(lang, "editor:call.events")}</legend>
<p class="hint">${t(lang, "editor:call.eventsHint")}</p>
${problemOf(p, "relatedEvents") ? html`<p class="error">${problemOf(p, "relatedEvents")}</p>` : ""}
${
  o.events.length === 0 && v.relatedEvents.length === 0
    ? html`<p class="muted">${t(lang, "editor:call.noEvents")}</p>`
    : html`${o.events.map((e) => checkbox({ name: `event.${e.id}`, label: `${e.name} — ${e.when}`, checked: chosen.has(e.id) }))}${v.relatedEvents
        .filter((id) => !known.has(id))
        .map((id) => checkbox({ name: `event.${id}`, label: t(lang, "editor:call.otherEvent"), checked: true }))}`
}
</fieldset>
${imageFieldset(lang, v, problemOf(p, "image"), o.uploadMB)}
<div class="buttons">${saveButtons}</div>
</form>
${o.extra ?? ""}`;
  return editorPage({ view, title: o.title, body, path: o.path, done: o.done });
}

/** The other things an editor can do with a stored call: links to each step's confirmation, the history. */
export function callActionsSection(lang: string, call: CallView, publicPath: string | undefined): SafeHtml {
  return html`<section class="card danger-zone" aria-labelledby="more-actions"><h2 id="more-actions">${t(lang, "editor:event.otherActions")}</h2>
<ul class="links">${publicPath ? html`<li><a href="${publicPath}">${t(lang, "editor:dashboard.publicPage")}</a></li>` : ""}
${call.version > 0 ? html`<li><a href="${editorPaths.callVersions(call.id)}">${t(lang, "editor:call.history")}</a></li><li><a href="${editorPaths.callSignatures(call.id)}">${t(lang, "editor:cosign.link")}</a></li>` : ""}
${nextActions[call.status].map((a) => html`<li><a href="${editorPaths.callAction(call.id, a)}">${t(lang, `editor:call.action.${a}`)}</a></li>`)}</ul></section>`;
}

/** Every step that changes a call's status asks first, saying what it does. */
export function callConfirmPage(view: EditorView, o: { kind: CallAction; call: CallView; problem?: string | undefined }): string {
  const { lang } = view;
  const name = callTitle(o.call, lang);
  const title = t(lang, `editor:call.confirm.${o.kind}Title`, { name });
  const body = html`<h1>${title}</h1>
${o.problem ? errorSummary(lang, undefined, o.problem) : ""}
<p>${t(lang, `editor:call.confirm.${o.kind}Text`)}</p>
<form method="post" action="${editorPaths.callAction(o.call.id, o.kind)}" class="stack">${csrfField(view.csrf)}
<input type="hidden" name="confirm" value="yes">
<div class="buttons"><a href="${editorPaths.call(o.call.id)}">${t(lang, "editor:event.confirm.back")}</a>
<button type="submit" class="${o.kind === "delete" || o.kind === "withdraw" ? "danger" : "primary"}">${t(lang, `editor:call.confirm.${o.kind}Button`)}</button></div>
</form>`;
  return editorPage({ view, title, body, path: editorPaths.callAction(o.call.id, o.kind) });
}

/** The exact text of a call (or a version) in every language: what signers read and what editors check. */
export function callTextAllLanguages(lang: string, text: CallText, primary: string): SafeHtml {
  const languages = [...new Set([primary, ...Object.keys(text.title)])].filter((l) => l in text.title || l in text.body);
  return html`${languages.map((l) => {
    const pitch = text.pitch?.[l];
    return html`<section class="card call-text" lang="${l}" aria-labelledby="text-${l}-title">
<p class="muted" lang="${lang}">${languageName(l, lang)}</p>
<h2 id="text-${l}-title">${text.title[l] ?? ""}</h2>
${pitch ? html`<p class="pitch">${pitch}</p>` : ""}
<div class="description">${raw(text.body[l] ?? "")}</div>
${text.demands.length > 0 ? html`<ol>${text.demands.map((d) => html`<li>${d[l] ?? html`<span class="muted" lang="${lang}">${t(lang, "editor:call.missingTranslation")}</span>`}</li>`)}</ol>` : ""}
</section>`;
  })}`;
}

/** The history of a call for its editors: every version (those of the consultation too) with its diff. */
export function callHistoryPage(view: EditorView, o: { call: CallView; versions: readonly CallVersionView[]; language: string }): string {
  const { lang } = view;
  const { call } = o;
  const languages = [...new Set([call.collective.primaryLanguage, ...Object.keys(call.title)])];
  const title = t(lang, "call:page.versionsTitle", { title: callTitle(call, lang) });
  const items = versionHistoryItems({ call, versions: o.versions, lang, language: o.language, readHref: (n) => `${editorPaths.callVersions(call.id)}/${n}` });
  const body = html`<p><a href="${editorPaths.call(call.id)}">← ${callTitle(call, lang)}</a></p>
<h1>${title}</h1>
<nav aria-label="${t(lang, "editor:call.diffLanguage")}"><p>${t(lang, "editor:call.diffLanguage")}: ${languages.map((l, i) =>
    html`${i > 0 ? " · " : ""}${l === o.language ? html`<strong>${languageName(l, lang)}</strong>` : html`<a href="${editorPaths.callVersions(call.id)}?language=${l}">${languageName(l, lang)}</a>`}`,
  )}</p></nav>
<p class="muted">${t(lang, "call:page.legend")}</p>
<ol class="event-list" reversed>${items}</ol>`;
  return editorPage({ view, title, body, path: editorPaths.callVersions(call.id) });
}

/** One version's exact text in every language. */
export function callVersionEditorPage(view: EditorView, o: { call: CallView; version: CallVersionView }): string {
  const { lang } = view;
  const title = t(lang, "call:page.versionHeading", { version: o.version.version });
  const body = html`<p><a href="${editorPaths.callVersions(o.call.id)}">← ${t(lang, "editor:call.history")}</a></p>
<h1>${callTitle(o.call, lang)} — ${title}</h1>
<p class="muted">${t(lang, "call:page.savedOn", { date: when(o.version.createdAt, lang) })}</p>
${callTextAllLanguages(lang, o.version, o.call.collective.primaryLanguage)}`;
  return editorPage({ view, title, body, path: `${editorPaths.callVersions(o.call.id)}/${o.version.version}` });
}
