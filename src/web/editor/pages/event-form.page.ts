import { allCountryCodes } from "../../../modules/event/event.schema.ts";
import { fill, paths } from "../../../shared/paths.ts";
import { eventCategories } from "../../../modules/event/event.types.ts";
import { categoryLabel } from "../../wording.ts";
import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { interfaceLanguages } from "../../../shared/language.ts";
import { html, type SafeHtml } from "../../html.ts";
import { weekdays } from "../../../modules/event/recurrence.ts";
import { dateTimeFormat } from "../../../shared/intl-cache.ts";
import type { EventFormValues } from "../event-form.ts";
import { languageName } from "./collective.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { checkbox, csrfField, errorSummary, input, problemOf, select, textarea } from "./forms.ts";

/** What followers will see, computed from the form as it stands. */
export interface EventPreview {
  /** The line Mastodon shows under the name, per language. */
  readonly summaries: readonly { language: string; name: string; line: string }[];
  /** For a published event: the note an edit sends (undefined: none would be sent). */
  readonly changeNote?: string | undefined;
}

let zones: readonly string[] | undefined;
const timeZones = () => (zones ??= Intl.supportedValuesOf("timeZone").filter((z) => z.includes("/") && !z.startsWith("Etc/")));

/** Repetition of the event (docs/adr/0027): the rule is read against the start date. */
function repeatFieldset(lang: string, v: EventFormValues, p: readonly FieldProblem[] | undefined): SafeHtml {
  const dayName = (i: number) => dateTimeFormat(lang, { weekday: "long", timeZone: "UTC" }).format(Date.UTC(2024, 0, 1 + i, 12));
  return html`<fieldset><legend>${t(lang, "editor:event.repeat")}</legend>
<p class="hint">${t(lang, "editor:event.repeatHint")}</p>
${select({
  name: "repeat",
  label: t(lang, "editor:event.repeatHow"),
  value: v.repeat,
  error: problemOf(p, "repeat"),
  options: [
    { value: "", label: t(lang, "editor:event.repeatNone") },
    { value: "weekly", label: t(lang, "editor:event.repeatWeekly") },
    { value: "monthlyDay", label: t(lang, "editor:event.repeatMonthlyDay") },
    { value: "monthlyWeekday", label: t(lang, "editor:event.repeatMonthlyWeekday") },
  ],
})}
${input({ name: "repeatInterval", label: t(lang, "editor:event.repeatInterval"), type: "number", value: v.repeatInterval })}
<fieldset><legend>${t(lang, "editor:event.repeatDays")}</legend>${weekdays.map((d, i) => checkboxOf(`repeatDays`, d, dayName(i), v.repeatDays.includes(d)))}</fieldset>
<div class="row">${input({ name: "repeatUntil", label: t(lang, "editor:event.repeatUntil"), type: "date", value: v.repeatUntil })}
${input({ name: "repeatCount", label: t(lang, "editor:event.repeatCount"), type: "number", value: v.repeatCount })}</div>
</fieldset>`;
}

function checkboxOf(name: string, value: string, label: string, checked: boolean): SafeHtml {
  const id = `${name}-${value}`;
  return html`<span class="check"><input id="${id}" name="${name}" type="checkbox" value="${value}"${checked ? html` checked` : ""}><label for="${id}">${label}</label></span>`;
}

export function zoneSelect(lang: string, value: string, error: string | undefined): SafeHtml {
  const regions = new Map<string, string[]>();
  for (const z of timeZones()) {
    const region = z.split("/")[0] as string;
    regions.set(region, [...(regions.get(region) ?? []), z]);
  }
  if (!timeZones().includes(value) && value) regions.set("", [value]);
  return html`<div class="field${error ? " has-error" : ""}"><label for="f-timezone">${t(lang, "editor:event.timezone")}</label>
${error ? html`<p class="error" id="f-timezone-error">${error}</p>` : ""}
<select id="f-timezone" name="timezone">${[...regions].map(
    ([region, list]) => html`<optgroup label="${region || "—"}">${list.map((z) => html`<option value="${z}"${z === value ? html` selected` : ""}>${z.replaceAll("_", " ")}</option>`)}</optgroup>`,
  )}</select></div>`;
}

/** The image: the current one (kept through every submit by its stored name), a file to choose, or none. */
export function imageFieldset(lang: string, v: Pick<EventFormValues, "image" | "imageAlt">, error: string | undefined, uploadMB: number): SafeHtml {
  const alt = v.imageAlt[lang] ?? Object.values(v.imageAlt).find((a) => a.trim() !== "") ?? "";
  return html`<fieldset class="image"><legend>${t(lang, "editor:event.image")}</legend>
${
  v.image
    ? html`<figure class="thumb"><img src="${fill(paths.media, { name: v.image })}" alt="${alt}" width="240"><figcaption class="muted">${t(lang, "editor:event.imageCurrent")}</figcaption></figure>
<input type="hidden" name="image" value="${v.image}">
${checkbox({ name: "removeImage", label: t(lang, "editor:event.imageRemove"), checked: false })}`
    : ""
}
<div class="field${error ? " has-error" : ""}"><label for="f-image">${t(lang, v.image ? "editor:event.imageReplace" : "editor:event.imageFile")}</label>
<p class="hint" id="f-image-hint">${t(lang, "editor:event.imageHint", { size: uploadMB })}</p>
${error ? html`<p class="error" id="f-image-error">${error}</p>` : ""}
<input id="f-image" name="imageFile" type="file" accept="image/jpeg,image/png,image/webp" aria-describedby="f-image-hint${error ? " f-image-error" : ""}"${error ? html` aria-invalid="true"` : ""}></div>
</fieldset>`;
}


export function eventFormPage(
  view: EditorView,
  o: {
    title: string;
    action: string;
    path: string;
    values: EventFormValues;
    primaryLanguage: string;
    published: boolean;
    problems?: readonly FieldProblem[];
    preview?: EventPreview | undefined;
    extra?: SafeHtml;
    back: string;
    done?: string | undefined;
    /** Largest image upload, in MB. */
    uploadMB: number;
    /** Translations older than the primary language's text. */
    staleTranslations?: readonly string[];
  },
): string {
  const { lang } = view;
  const v = o.values;
  const p = o.problems;
  const missing = interfaceLanguages.filter((l) => !v.languages.includes(l));
  const texts = v.languages.map(
    (l) => html`<fieldset class="language" id="text-${l}" lang="${l}">
<legend lang="${lang}">${languageName(l, lang)}${l === o.primaryLanguage ? html` <span class="muted">(${t(lang, "editor:event.primary")})</span>` : ""}</legend>
${o.staleTranslations?.includes(l) ? html`<p class="notice stale" lang="${lang}">${t(lang, "editor:event.staleTranslation", { language: languageName(o.primaryLanguage, lang) })}</p>` : ""}
${input({ name: `name.${l}`, label: t(lang, "editor:event.name"), value: v.name[l], required: l === o.primaryLanguage, error: problemOf(p, `name.${l}`), lang: l })}
${input({ name: `summary.${l}`, label: t(lang, "editor:event.summary"), value: v.summary[l], hint: t(lang, "editor:event.summaryHint"), error: problemOf(p, `summary.${l}`), lang: l })}
${textarea({ name: `description.${l}`, label: t(lang, "editor:event.description"), value: v.description[l], hint: t(lang, "editor:event.descriptionHint"), rows: 6, error: problemOf(p, `description.${l}`), lang: l })}
${input({ name: `imageAlt.${l}`, label: t(lang, "editor:event.imageAlt"), value: v.imageAlt[l], hint: t(lang, "editor:event.imageAltHint"), error: problemOf(p, `imageAlt.${l}`), lang: l })}
</fieldset>`,
  );
  const preview = o.preview
    ? html`<section class="card preview" aria-labelledby="preview" id="preview-box">
<h2 id="preview">${t(lang, "editor:event.previewTitle")}</h2>
<p class="hint">${t(lang, "editor:event.previewHint")}</p>
${o.preview.summaries.map(
  (s) => html`<div class="toot" lang="${s.language}"><p class="toot-name"><strong>${s.name}</strong></p><p class="toot-line">${s.line}</p></div>`,
)}
${
  o.published
    ? html`<h3>${t(lang, "editor:event.changeNoteTitle")}</h3>${
        o.preview.changeNote ? html`<pre class="toot note" lang="${o.primaryLanguage}">${o.preview.changeNote}</pre>` : html`<p class="muted">${t(lang, "editor:event.noChangeNote")}</p>`
      }`
    : ""
}
</section>`
    : "";
  const body = html`<p><a href="${o.back}">← ${t(lang, "editor:nav.dashboard")}</a></p>
<h1>${o.title}</h1>
${errorSummary(lang, p)}
${preview}
<form method="post" action="${o.action}" class="stack event-form" enctype="multipart/form-data" novalidate>
${csrfField(view.csrf)}
<input type="hidden" name="languages" value="${v.languages.join(",")}">
<nav class="tabs" aria-label="${t(lang, "editor:event.languages")}">${v.languages.map((l) => html`<a href="#text-${l}">${l.toUpperCase()}</a>`)}</nav>
${texts}
${
  missing.length > 0
    ? html`<fieldset class="add-language"><legend>${t(lang, "editor:event.addLanguage")}</legend>
${select({ name: "addLanguage", label: t(lang, "editor:event.newLanguage"), value: missing[0], options: missing.map((l) => ({ value: l, label: languageName(l, lang) })) })}
${select({ name: "copyFrom", label: t(lang, "editor:event.copyFrom"), value: "", options: [{ value: "", label: t(lang, "editor:event.copyNothing") }, ...v.languages.map((l) => ({ value: l, label: languageName(l, lang) }))] })}
<button type="submit" name="intent" value="addLanguage">${t(lang, "editor:event.addLanguageButton")}</button></fieldset>`
    : ""
}
<fieldset><legend>${t(lang, "editor:event.when")}</legend>
<div class="row">${input({ name: "startDate", label: t(lang, "editor:event.startDate"), type: "date", value: v.startDate, required: true, error: problemOf(p, "startDate") })}
${input({ name: "startTime", label: t(lang, "editor:event.startTime"), type: "time", value: v.startTime })}</div>
<div class="row">${input({ name: "endDate", label: t(lang, "editor:event.endDate"), type: "date", value: v.endDate, error: problemOf(p, "endDate") })}
${input({ name: "endTime", label: t(lang, "editor:event.endTime"), type: "time", value: v.endTime })}</div>
${checkbox({ name: "allDay", label: t(lang, "editor:event.allDay"), checked: v.allDay })}
${zoneSelect(lang, v.timezone, problemOf(p, "timezone"))}
</fieldset>
${repeatFieldset(lang, v, p)}
<fieldset><legend>${t(lang, "editor:event.where")}</legend>
<p class="hint">${t(lang, "editor:event.whereHint")}</p>
${input({ name: "placeName", label: t(lang, "editor:event.placeName"), value: v.placeName, error: problemOf(p, "placeName") })}
${input({ name: "street", label: t(lang, "editor:event.street"), value: v.street, error: problemOf(p, "street"), autocomplete: "street-address" })}
<div class="row">${input({ name: "postalCode", label: t(lang, "editor:event.postalCode"), value: v.postalCode, error: problemOf(p, "postalCode"), autocomplete: "postal-code" })}
${input({ name: "locality", label: t(lang, "editor:event.locality"), value: v.locality, error: problemOf(p, "locality") })}</div>
${select({
  name: "country",
  label: t(lang, "editor:event.country"),
  value: v.country,
  error: problemOf(p, "country"),
  options: [{ value: "", label: "—" }, ...allCountryCodes.map((c) => ({ value: c, label: new Intl.DisplayNames([lang], { type: "region" }).of(c) ?? c })).sort((a, b) => a.label.localeCompare(b.label, lang))],
})}
${input({ name: "onlineUrl", label: t(lang, "editor:event.onlineUrl"), type: "url", value: v.onlineUrl, error: problemOf(p, "onlineUrl"), hint: "https://…" })}
</fieldset>
${imageFieldset(lang, v, problemOf(p, "image"), o.uploadMB)}
<fieldset><legend>${t(lang, "editor:event.more")}</legend>
${select({ name: "category", label: t(lang, "editor:event.category"), value: v.category, error: problemOf(p, "category"), options: [{ value: "", label: "—" }, ...eventCategories.map((c) => ({ value: c, label: categoryLabel(c, lang) })).sort((a, b) => a.label.localeCompare(b.label, lang))] })}
${input({ name: "tags", label: t(lang, "editor:event.tags"), value: v.tags, hint: t(lang, "editor:event.tagsHint"), error: problemOf(p, "tags") })}
</fieldset>
<div class="buttons">
<button type="submit" name="intent" value="preview">${t(lang, "editor:event.preview")}</button>
${
  o.published
    ? html`<button type="submit" name="intent" value="save" class="primary">${t(lang, "editor:event.saveAndSend")}</button>`
    : html`<button type="submit" name="intent" value="draft">${t(lang, "editor:event.saveDraft")}</button>
<button type="submit" name="intent" value="publish" class="primary">${t(lang, "editor:event.publish")}</button>`
}
</div>
</form>
${o.extra ?? ""}`;
  return editorPage({ view, title: o.title, body, path: o.path, done: o.done });
}

/** A destructive step asks first: cancel (with a reason per language) or delete. */
export function confirmPage(
  view: EditorView,
  o: { kind: "cancel" | "delete"; action: string; back: string; name: string; languages: readonly string[]; path: string },
): string {
  const { lang } = view;
  const body = html`<h1>${t(lang, `editor:event.confirm.${o.kind}Title`, { name: o.name })}</h1>
<p>${t(lang, `editor:event.confirm.${o.kind}Text`)}</p>
<form method="post" action="${o.action}" class="stack">${csrfField(view.csrf)}
<input type="hidden" name="confirm" value="yes">
${o.kind === "cancel" ? o.languages.map((l) => input({ name: `reason.${l}`, label: `${t(lang, "editor:event.confirm.reason")} (${languageName(l, lang)})`, lang: l })) : ""}
<div class="buttons"><a href="${o.back}">${t(lang, "editor:event.confirm.back")}</a>
<button type="submit" class="danger">${t(lang, `editor:event.confirm.${o.kind}Button`)}</button></div>
</form>`;
  return editorPage({ view, title: t(lang, `editor:event.confirm.${o.kind}Title`, { name: o.name }), body, path: o.path });
}
