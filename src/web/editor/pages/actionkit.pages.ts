import { type ActionKitView, type KitCountDetail, kitFieldKinds } from "../../../modules/actionkit/actionkit.types.ts";
import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { pickLanguage } from "../../../shared/language.ts";
import { html, type SafeHtml } from "../../html.ts";
import type { ActionKitFormValues } from "../actionkit-form.ts";
import { spareRows } from "../actionkit-form.ts";
import { editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { checkbox, csrfField, errorSummary, input, select, textarea } from "./forms.ts";

/** The problem of exactly this input (a row's text in another language has its own input). */
const problemOf = (problems: readonly FieldProblem[] | undefined, field: string) => problems?.find((p) => p.field === field)?.message;

/** Inputs of a new row in the kit's other languages (a kit is written in all its languages at once). */
function otherInputs(lang: string, others: readonly string[], name: string, label: string, values: Readonly<Record<string, string>> | undefined, problems: readonly FieldProblem[] | undefined, kind: "line" | "text", rows = 2): SafeHtml[] {
  return others.map((o) => {
    const opts = { name: `${name}.${o}`, label: `${label} (${languageName(o, lang)})`, value: values?.[o] ?? "", lang: o, error: problemOf(problems, `${name}.${o}`) };
    return kind === "line" ? input(opts) : textarea({ ...opts, rows });
  });
}

export const kitTitleIn = (kit: Pick<ActionKitView, "title" | "collective">, lang: string) => pickLanguage(kit.title, [lang], kit.collective.primaryLanguage);

/** Where an adopted kit comes from, linked to the original (kept whatever happens to it there). */
export function kitOriginNote(lang: string, origin: NonNullable<ActionKitView["origin"]>): SafeHtml {
  const name = origin.actorName ?? new URL(origin.actorApId).host;
  return html`<p class="muted">${t(lang, "actionkit:page.adoptedFrom")} <a href="${origin.url ?? origin.apId}" rel="nofollow noopener">${name}</a></p>`;
}

/** A collective's kits for its editors: drafts too, with their version, opt-in count and public pages. */
export function actionKitListPage(
  view: EditorView,
  o: { slug: string; name: string; kits: readonly { kit: ActionKitView; count: number; pages: readonly { lang: string; href: string }[] }[]; done?: string | undefined },
): string {
  const { lang } = view;
  const title = t(lang, "actionkit:editor.listTitle");
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.name}</a></p>
<h1>${title}</h1>
<p class="actions"><a class="button primary" href="${editorPaths.newActionkit(o.slug)}">${t(lang, "actionkit:editor.new")}</a> <a class="button" href="${editorPaths.adoptActionkit(o.slug)}">${t(lang, "actionkit:editor.adopt")}</a></p>
${
  o.kits.length === 0
    ? html`<p class="muted">${t(lang, "actionkit:page.none")}</p>`
    : html`<ul class="events actionkits">${o.kits.map(({ kit, count, pages }) => {
        const kitTitle = kitTitleIn(kit, lang);
        return html`<li><a href="${editorPaths.actionkit(kit.id)}"${kitTitle && kitTitle.language !== lang ? html` lang="${kitTitle.language}"` : ""}>${kitTitle?.text ?? "—"}</a><br><span class="muted"><strong>${t(lang, kit.published ? "actionkit:editor.published" : "actionkit:editor.draft")}</strong> · ${kit.country} · ${t(lang, "actionkit:page.version", { version: kit.version })}${
          kit.published ? html` · ${t(lang, "actionkit:editor.count", { count })} · ${pages.map((p, i) => html`${i > 0 ? " " : ""}<a href="${p.href}" hreflang="${p.lang}">${p.lang.toUpperCase()}</a>`)}` : ""
        }${kit.origin ? html` · ${t(lang, "actionkit:page.adopted")}` : ""}</span></li>`;
      })}</ul>`
}`;
  return editorPage({ view, title, body, path: editorPaths.actionkits(o.slug), done: o.done });
}

const reportTime = (lang: string, at: Temporal.Instant) =>
  new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(at.epochMilliseconds));

/**
 * A published kit's count for its editors: per language, counted here and reported by other servers;
 * then each server that reported, with its copies' letters and the time (UTC) of its last report.
 */
export function kitCountSection(lang: string, count: KitCountDetail): SafeHtml {
  const perLanguage =
    count.languages.length === 0
      ? html`<p class="muted">${t(lang, "actionkit:editor.countNone")}</p>`
      : html`<table class="kit-count"><thead><tr><th scope="col">${t(lang, "actionkit:editor.countLanguage")}</th><th scope="col">${t(lang, "actionkit:editor.countHere")}</th><th scope="col">${t(lang, "actionkit:editor.countOtherServers")}</th></tr></thead>
<tbody>${count.languages.map((l) => html`<tr data-language="${l.language}"><th scope="row">${languageName(l.language, lang)}</th><td>${String(l.here)}</td><td>${String(l.otherServers)}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row">${t(lang, "actionkit:editor.countTotal")}</th><td>${String(count.total - count.otherServers)}</td><td>${String(count.otherServers)}</td></tr></tfoot></table>`;
  const servers =
    count.servers.length === 0
      ? html`<p class="muted">${t(lang, "actionkit:editor.countNoServers")}</p>`
      : html`<table class="kit-servers"><thead><tr><th scope="col">${t(lang, "actionkit:editor.countServer")}</th><th scope="col">${t(lang, "actionkit:editor.countLetters")}</th><th scope="col">${t(lang, "actionkit:editor.countCopies")}</th><th scope="col">${t(lang, "actionkit:editor.countLastReport")}</th></tr></thead>
<tbody>${count.servers.map(
          (s) =>
            html`<tr data-server="${s.server}"><th scope="row">${s.server}</th><td>${String(s.total)} <span class="muted">(${Object.entries(s.byLanguage)
              .map(([l, n]) => `${l.toUpperCase()} ${n}`)
              .join(", ")})</span></td><td>${String(s.copies)}</td><td><time datetime="${s.lastReportAt.toString()}">${reportTime(lang, s.lastReportAt)} UTC</time></td></tr>`,
        )}</tbody></table>`;
  return html`<section class="card" id="kit-count"><h2>${t(lang, "actionkit:editor.countTitle")}</h2>
${perLanguage}
<h3>${t(lang, "actionkit:editor.countServers")}</h3>
<p class="hint">${t(lang, "actionkit:editor.countServersHint")}</p>
${servers}</section>`;
}

type Rows = { stored: number; others: readonly string[] };

function stepRows(lang: string, v: ActionKitFormValues, problems: readonly FieldProblem[] | undefined, r: Rows): SafeHtml[] {
  const rows: ActionKitFormValues["steps"] = [...v.steps, ...Array.from({ length: spareRows.steps }, () => ({ text: "", remove: false }))];
  return rows.map((s, i) => {
    const label = t(lang, "actionkit:editor.step", { n: i + 1 });
    return html`<div class="row">${textarea({ name: `steps.${i}.text`, label, value: s.text, lang: v.language, rows: 2, error: problemOf(problems, `steps.${i}.text`) })}${
      i < r.stored
        ? checkbox({ name: `steps.${i}.remove`, label: t(lang, "actionkit:editor.removeStep"), checked: s.remove })
        : otherInputs(lang, r.others, `steps.${i}.text`, label, s.others?.text, problems, "text")
    }</div>`;
  });
}

function fieldRows(lang: string, v: ActionKitFormValues, problems: readonly FieldProblem[] | undefined, r: Rows): SafeHtml[] {
  const blank = { name: "", kind: "text", required: false, label: "", hint: "", remove: false };
  const rows: ActionKitFormValues["fields"] = [...v.fields, ...Array.from({ length: spareRows.fields }, () => blank)];
  const kinds = kitFieldKinds.map((k) => ({ value: k, label: t(lang, `actionkit:editor.kind.${k}`) }));
  return rows.map(
    (f, i) => html`<fieldset class="card"><legend>${t(lang, "actionkit:editor.fieldN", { n: i + 1 })}${f.name ? html` <code>{{${f.name}}}</code>` : ""}</legend>
${input({ name: `fields.${i}.name`, label: t(lang, "actionkit:editor.fieldName"), value: f.name, hint: i === 0 ? t(lang, "actionkit:editor.fieldNameHint", { example: "{{file_number}}" }) : undefined, error: problemOf(problems, `fields.${i}.name`), attrs: html` maxlength="40" autocomplete="off"` })}
${input({ name: `fields.${i}.label`, label: t(lang, "actionkit:editor.fieldLabel"), value: f.label, lang: v.language, error: problemOf(problems, `fields.${i}.label`) })}
${i < r.stored ? "" : otherInputs(lang, r.others, `fields.${i}.label`, t(lang, "actionkit:editor.fieldLabel"), f.others?.label, problems, "line")}
${input({ name: `fields.${i}.hint`, label: t(lang, "actionkit:editor.fieldHint"), value: f.hint, lang: v.language, error: problemOf(problems, `fields.${i}.hint`) })}
${i < r.stored ? "" : otherInputs(lang, r.others, `fields.${i}.hint`, t(lang, "actionkit:editor.fieldHint"), f.others?.hint, problems, "line")}
${select({ name: `fields.${i}.kind`, label: t(lang, "actionkit:editor.fieldKind"), value: f.kind, options: kinds, error: problemOf(problems, `fields.${i}.kind`) })}
${checkbox({ name: `fields.${i}.required`, label: t(lang, "actionkit:editor.fieldRequired"), checked: f.required })}
${i < r.stored ? checkbox({ name: `fields.${i}.remove`, label: t(lang, "actionkit:editor.removeField"), checked: f.remove }) : ""}</fieldset>`,
  );
}

function letterRows(lang: string, v: ActionKitFormValues, problems: readonly FieldProblem[] | undefined, r: Rows): SafeHtml[] {
  const rows: ActionKitFormValues["letters"] = [...v.letters, ...Array.from({ length: spareRows.letters }, () => ({ key: "", title: "", body: "", remove: false }))];
  return rows.map(
    (l, i) => html`<fieldset class="card"><legend>${t(lang, "actionkit:editor.letterN", { n: i + 1 })}</legend>
${input({ name: `letters.${i}.key`, label: t(lang, "actionkit:editor.letterKey"), value: l.key, hint: t(lang, "actionkit:editor.letterKeyHint"), error: problemOf(problems, `letters.${i}.key`), attrs: html` maxlength="40" autocomplete="off"` })}
${input({ name: `letters.${i}.title`, label: t(lang, "actionkit:editor.letterTitle"), value: l.title, lang: v.language, error: problemOf(problems, `letters.${i}.title`) })}
${i < r.stored ? "" : otherInputs(lang, r.others, `letters.${i}.title`, t(lang, "actionkit:editor.letterTitle"), l.others?.title, problems, "line")}
${textarea({ name: `letters.${i}.body`, label: t(lang, "actionkit:editor.letterBody"), value: l.body, lang: v.language, rows: 14, hint: t(lang, "actionkit:editor.letterBodyHint", { example: "{{name}}" }), error: problemOf(problems, `letters.${i}.body`) })}
${i < r.stored ? checkbox({ name: `letters.${i}.remove`, label: t(lang, "actionkit:editor.removeLetter"), checked: l.remove }) : otherInputs(lang, r.others, `letters.${i}.body`, t(lang, "actionkit:editor.letterBody"), l.others?.body, problems, "text", 10)}</fieldset>`,
  );
}

/** The form to write a kit, or to change or translate one, in one language at a time. */
export function actionKitFormPage(
  view: EditorView,
  o: {
    title: string;
    action: string;
    slug: string;
    values: ActionKitFormValues;
    /** The languages to write in, each with the address of the form in it. */
    languages: readonly { lang: string; href: string; written: boolean }[];
    kit?: ActionKitView | undefined;
    /** The kit's public pages, once published. */
    pages?: readonly { lang: string; href: string }[];
    /** Its count, here and on other servers, once published. */
    count?: KitCountDetail | undefined;
    problems?: readonly FieldProblem[] | undefined;
    message?: string | undefined;
    done?: string | undefined;
  },
): string {
  const { lang } = view;
  const v = o.values;
  const L = v.language;
  const others = Object.keys(o.kit?.title ?? {}).filter((l) => l !== L);
  const stored = { steps: { stored: o.kit?.steps.length ?? 0, others }, fields: { stored: o.kit?.fields.length ?? 0, others }, letters: { stored: o.kit?.letters.length ?? 0, others } };
  const switcher = html`<nav class="languages" aria-label="${t(lang, "actionkit:editor.writeIn")}"><p>${t(lang, "actionkit:editor.writeIn")} ${o.languages.map(
    (l, i) =>
      html`${i > 0 ? " · " : ""}${l.lang === L ? html`<strong aria-current="page">${languageName(l.lang, lang)}</strong>` : html`<a href="${l.href}" hreflang="${l.lang}">${languageName(l.lang, lang)}</a>`}${
        l.written ? "" : html` <span class="muted">(${t(lang, "actionkit:editor.notWritten")})</span>`
      }`,
  )}</p></nav>`;
  const outside = o.kit
    ? html`<section class="card"><h2>${t(lang, "actionkit:editor.outside")}</h2>
${
  o.kit.published && o.pages
    ? html`<ul class="links">${o.pages.map((p) => html`<li><a href="${p.href}" hreflang="${p.lang}">${t(lang, "actionkit:editor.publicPage", { language: p.lang.toUpperCase() })}</a></li>`)}</ul>`
    : html`<p class="muted">${t(lang, "actionkit:editor.draftHint")}</p>`
}
<p><a class="button danger" href="${editorPaths.actionkitDelete(o.kit.id)}">${t(lang, "actionkit:editor.delete")}</a></p></section>`
    : "";
  const body = html`<p><a href="${editorPaths.actionkits(o.slug)}">← ${t(lang, "actionkit:editor.listTitle")}</a></p>
<h1>${o.title}</h1>
${o.kit?.origin ? kitOriginNote(lang, o.kit.origin) : ""}
${o.kit ? html`<p class="muted">${t(lang, o.kit.published ? "actionkit:editor.published" : "actionkit:editor.draft")} · ${t(lang, "actionkit:page.version", { version: o.kit.version })}</p>` : ""}
${o.kit?.published && o.count ? kitCountSection(lang, o.count) : ""}
${switcher}
${errorSummary(lang, o.problems, o.message)}
<form method="post" action="${o.action}" class="stack">${csrfField(view.csrf)}
<input type="hidden" name="language" value="${L}">
<input type="hidden" name="seenVersion" value="${String(v.seenVersion)}">
<input type="hidden" name="seenAt" value="${String(v.seenAt)}">
<p class="hint">${t(lang, "actionkit:editor.languageHint", { language: languageName(L, lang) })}</p>
${input({ name: "title", label: t(lang, "actionkit:editor.title"), value: v.title, lang: L, error: problemOf(o.problems, "title"), attrs: html` maxlength="200"` })}
${textarea({ name: "explanation", label: t(lang, "actionkit:editor.explanation"), value: v.explanation, lang: L, rows: 6, hint: t(lang, "actionkit:editor.explanationHint"), error: problemOf(o.problems, "explanation") })}
${input({ name: "country", label: t(lang, "actionkit:page.country"), value: v.country, hint: t(lang, "actionkit:editor.countryHint"), error: problemOf(o.problems, "country"), attrs: html` maxlength="2" autocomplete="off"` })}
${input({ name: "institution", label: t(lang, "actionkit:page.institution"), value: v.institution, lang: L, hint: t(lang, "actionkit:editor.institutionHint"), error: problemOf(o.problems, "institution") })}
${input({ name: "legalBasis", label: t(lang, "actionkit:page.legalBasis"), value: v.legalBasis, lang: L, hint: t(lang, "actionkit:editor.legalBasisHint"), error: problemOf(o.problems, "legalBasis") })}
<fieldset><legend>${t(lang, "actionkit:page.steps")}</legend><p class="hint">${t(lang, "actionkit:editor.stepsHint")}</p>${stepRows(lang, v, o.problems, stored.steps)}</fieldset>
<fieldset><legend>${t(lang, "actionkit:editor.fields")}</legend><p class="hint">${t(lang, "actionkit:editor.fieldsHint")}</p>${fieldRows(lang, v, o.problems, stored.fields)}</fieldset>
<fieldset><legend>${t(lang, "actionkit:editor.letters")}</legend>${letterRows(lang, v, o.problems, stored.letters)}</fieldset>
${o.kit?.published ? "" : checkbox({ name: "published", label: t(lang, "actionkit:editor.publish"), checked: v.published, hint: t(lang, "actionkit:editor.publishHint") })}
<button type="submit" class="primary">${t(lang, "actionkit:editor.save")}</button></form>
${outside}`;
  return editorPage({ view, title: o.title, body, path: o.action, done: o.done });
}

/** Asks before deleting a kit (its pages answer "gone", and other servers are told). */
export function actionKitDeletePage(view: EditorView, o: { kit: ActionKitView }): string {
  const { lang } = view;
  const title = kitTitleIn(o.kit, lang)?.text ?? "—";
  const body = html`<p><a href="${editorPaths.actionkit(o.kit.id)}">← ${title}</a></p>
<h1>${t(lang, "actionkit:editor.deleteTitle")}</h1>
<blockquote>${title}</blockquote>
<p>${t(lang, o.kit.published ? "actionkit:editor.deleteHintPublished" : "actionkit:editor.deleteHintDraft")}</p>
<form method="post" action="${editorPaths.actionkitDelete(o.kit.id)}">${csrfField(view.csrf)}<input type="hidden" name="confirm" value="yes">
<button type="submit" class="danger">${t(lang, "actionkit:editor.deleteButton")}</button></form>`;
  return editorPage({ view, title: t(lang, "actionkit:editor.deleteTitle"), body, path: editorPaths.actionkitDelete(o.kit.id) });
}
