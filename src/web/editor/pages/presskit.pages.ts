import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { dateTimeFormat } from "../../../shared/intl-cache.ts";
import { html, type SafeHtml } from "../../html.ts";
import type { KitFormValues } from "../presskit-form.ts";
import { editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { zoneSelect } from "./event-form.page.ts";
import { csrfField, errorSummary, input, problemOf, select, textarea } from "./forms.ts";

export interface PressKitRow {
  readonly title: string;
  readonly state: "draft" | "embargoed" | "published";
  readonly embargoAt?: Temporal.Instant | undefined;
  readonly timezone: string;
  /** Its page in the editor. */
  readonly edit: string;
  /** Its public page, once published. */
  readonly href?: string | undefined;
}

/** An instant as the editor reads it, in the kit's zone (named, so that nobody misreads the hour). */
export const kitTime = (lang: string, at: Temporal.Instant, zone: string): string =>
  `${dateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(new Date(at.epochMilliseconds))} (${zone.replaceAll("_", " ")})`;

/** A collective's press kits for its editors: drafts and embargoed ones too, each with its state. */
export function presskitListPage(view: EditorView, o: { slug: string; name: string; kits: readonly PressKitRow[]; done?: string | undefined }): string {
  const { lang } = view;
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.name}</a></p>
<h1>${t(lang, "editor:presskit.listTitle")}</h1>
<p class="actions"><a class="button primary" href="${editorPaths.newPresskit(o.slug)}">${t(lang, "presskit:editor.new")}</a></p>
${
  o.kits.length === 0
    ? html`<p class="muted">${t(lang, "editor:presskit.none")}</p>`
    : html`<ul class="events presskits">${o.kits.map(
        (k) => html`<li><a href="${k.edit}">${k.title}</a><br><span class="muted"><strong>${t(lang, `editor:presskit.${k.state}`)}</strong>${
          k.state === "embargoed" && k.embargoAt ? html` · ${t(lang, "editor:presskit.until", { date: kitTime(lang, k.embargoAt, k.timezone) })}` : ""
        }${k.href ? html` · <a href="${k.href}">${t(lang, "presskit:editor.publicPage")}</a>` : ""}</span></li>`,
      )}</ul>`
}`;
  return editorPage({ view, title: t(lang, "editor:presskit.listTitle"), body, path: editorPaths.presskits(o.slug), done: o.done });
}

/** A call or an event of the collective a kit may be about. */
export interface AboutChoice {
  readonly value: string;
  readonly label: string;
}

/** The release per language, the press contact, what the kit is about, the embargo. */
export function kitForm(
  view: EditorView,
  o: { action: string; values: KitFormValues; primaryLanguage: string; published: boolean; about: readonly AboutChoice[]; problems?: readonly FieldProblem[] | undefined; button: string },
): SafeHtml {
  const { lang } = view;
  const v = o.values;
  const p = o.problems;
  const texts = v.languages.map(
    (l) => html`<fieldset class="language" id="text-${l}" lang="${l}">
<legend lang="${lang}">${languageName(l, lang)}${l === o.primaryLanguage ? html` <span class="muted">(${t(lang, "editor:event.primary")})</span>` : ""}</legend>
${input({ name: `title.${l}`, label: t(lang, "presskit:editor.title"), value: v.title[l], error: problemOf(p, `title.${l}`), lang: l, attrs: html` maxlength="200"` })}
${textarea({ name: `lead.${l}`, label: t(lang, "presskit:editor.lead"), value: v.lead[l], hint: t(lang, "presskit:editor.leadHint"), rows: 3, error: problemOf(p, `lead.${l}`), lang: l })}
${textarea({ name: `body.${l}`, label: t(lang, "presskit:editor.body"), value: v.body[l], hint: t(lang, "presskit:editor.bodyHint"), rows: 8, error: problemOf(p, `body.${l}`), lang: l })}
${input({ name: `contactLabel.${l}`, label: t(lang, "presskit:editor.contactLabel"), value: v.contactLabel[l], hint: t(lang, "presskit:editor.contactLabelHint"), error: problemOf(p, `contactLabel.${l}`), lang: l })}
</fieldset>`,
  );
  return html`<form method="post" action="${o.action}" class="stack kit-form" novalidate>${csrfField(view.csrf)}
<input type="hidden" name="languages" value="${v.languages.join(",")}">
<p class="hint">${t(lang, "presskit:editor.languagesHint")}</p>
<nav class="tabs" aria-label="${t(lang, "editor:event.languages")}">${v.languages.map((l) => html`<a href="#text-${l}">${l.toUpperCase()}</a>`)}</nav>
${texts}
<fieldset><legend>${t(lang, "presskit:editor.contact")}</legend><p class="hint">${t(lang, "presskit:editor.contactHint")}</p>
${input({ name: "email", label: t(lang, "presskit:editor.email"), type: "email", value: v.email, error: problemOf(p, "email"), autocomplete: "off" })}
${input({ name: "phone", label: t(lang, "presskit:editor.phone"), type: "tel", value: v.phone, error: problemOf(p, "phone"), autocomplete: "off" })}</fieldset>
${select({ name: "about", label: t(lang, "presskit:editor.about"), value: v.about, error: problemOf(p, "about"), options: [{ value: "", label: t(lang, "presskit:editor.aboutNothing") }, ...o.about] })}
<fieldset><legend>${t(lang, "presskit:editor.embargo")}</legend>
${
  o.published
    ? html`<p class="hint">${t(lang, "presskit:editor.embargoPublished")}</p><input type="hidden" name="timezone" value="${v.timezone}">`
    : html`<p class="hint">${t(lang, "presskit:editor.embargoHint")}</p>
<div class="row">${input({ name: "embargoDate", label: t(lang, "presskit:editor.embargoDate"), type: "date", value: v.embargoDate, error: problemOf(p, "embargoDate") })}
${input({ name: "embargoTime", label: t(lang, "presskit:editor.embargoTime"), type: "time", value: v.embargoTime })}</div>
${zoneSelect(lang, v.timezone, problemOf(p, "timezone"))}`
}</fieldset>
<div class="buttons"><button type="submit" class="primary">${o.button}</button></div>
</form>`;
}

/** The form for a new kit. */
export function newKitPage(view: EditorView, o: { slug: string; values: KitFormValues; primaryLanguage: string; about: readonly AboutChoice[]; problems?: readonly FieldProblem[] }): string {
  const { lang } = view;
  const action = editorPaths.newPresskit(o.slug);
  const body = html`<p><a href="${editorPaths.presskits(o.slug)}">← ${t(lang, "editor:presskit.listTitle")}</a></p>
<h1>${t(lang, "presskit:editor.newTitle")}</h1>
${errorSummary(lang, o.problems)}
${kitForm(view, { action, values: o.values, primaryLanguage: o.primaryLanguage, published: false, about: o.about, problems: o.problems, button: t(lang, "presskit:editor.create") })}`;
  return editorPage({ view, title: t(lang, "presskit:editor.newTitle"), body, path: action });
}

/** Asks before publishing at once or deleting. */
export function kitConfirmPage(view: EditorView, o: { kind: "publish" | "delete"; id: string; title: string; published: boolean }): string {
  const { lang } = view;
  const action = editorPaths.presskitAction(o.id, o.kind);
  const text = o.kind === "delete" && o.published ? "deletePublishedText" : `${o.kind}Text`;
  const body = html`<p><a href="${editorPaths.presskit(o.id)}">← ${o.title}</a></p>
<h1>${t(lang, `presskit:editor.${o.kind}Title`, { title: o.title })}</h1>
<p>${t(lang, `presskit:editor.${text}`)}</p>
<form method="post" action="${action}">${csrfField(view.csrf)}<input type="hidden" name="confirm" value="yes">
<div class="buttons"><a href="${editorPaths.presskit(o.id)}">${t(lang, "editor:event.confirm.back")}</a>
<button type="submit" class="${o.kind === "delete" ? "danger" : "primary"}">${t(lang, `presskit:editor.${o.kind}Button`)}</button></div></form>`;
  return editorPage({ view, title: t(lang, `presskit:editor.${o.kind}Title`, { title: o.title }), body, path: action });
}
