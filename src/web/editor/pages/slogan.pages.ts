import { sloganLanguages } from "../../../modules/slogan/slogan.types.ts";
import type { SloganView } from "../../../modules/slogan/slogan.types.ts";
import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { pickLanguage } from "../../../shared/language.ts";
import { html, type SafeHtml } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { checkbox, csrfField, errorSummary, input, problemOf, select } from "./forms.ts";

/** What the slogan form holds: one line per language (empty = not written), tags as typed, draft or not. */
export interface SloganFormValues {
  readonly text: Readonly<Record<string, string>>;
  readonly tags: string;
  /** The id of the call or event it belongs to, "" for none. */
  readonly call: string;
  readonly event: string;
  readonly published: boolean;
  /** The version the form was opened at (a save over someone else's is refused). */
  readonly seenVersion: number;
}

export const sloganLine = (s: Pick<SloganView, "text" | "collective">, lang: string) => pickLanguage(s.text, [lang], s.collective.primaryLanguage)?.text ?? "";

/** The collective's calls and events a slogan may belong to (select options). */
export interface AttachChoices {
  readonly calls: { value: string; label: string }[];
  readonly events: { value: string; label: string }[];
}

/** Where an adopted slogan comes from, linked to the original (kept whatever happens to it there). */
export function originNote(lang: string, origin: NonNullable<SloganView["origin"]>): SafeHtml {
  const name = origin.actorName ?? new URL(origin.actorApId).host;
  return html`<p class="muted">${t(lang, "editor:slogan.origin")} <a href="${origin.url ?? origin.apId}" rel="nofollow noopener">${name}</a></p>`;
}

/** A placard's address (the public site serves it for published slogans). */
export type PlacardLinks = readonly { readonly label: string; readonly href: string }[];

/** A collective's slogans for its editors: drafts too, newest first. */
export function sloganListPage(view: EditorView, o: { slug: string; name: string; slogans: readonly SloganView[]; done?: string | undefined }): string {
  const { lang } = view;
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.name}</a></p>
<h1>${t(lang, "editor:slogan.listTitle")}</h1>
<p class="actions"><a class="button primary" href="${editorPaths.newSlogan(o.slug)}">${t(lang, "editor:slogan.new")}</a> <a class="button" href="${editorPaths.adoptSlogan(o.slug)}">${t(lang, "editor:slogan.adopt")}</a></p>
${
  o.slogans.length === 0
    ? html`<p class="muted">${t(lang, "editor:slogan.none")}</p>`
    : html`<ul class="events slogans">${o.slogans.map(
        (s) => html`<li><a href="${editorPaths.slogan(s.id)}">${sloganLine(s, lang) || "—"}</a><br><span class="muted"><strong>${t(
          lang,
          s.published ? "editor:slogan.published" : "editor:slogan.draft",
        )}</strong>${s.origin ? html` · ${t(lang, "editor:slogan.adopted")}` : ""}${s.tags.length > 0 ? html` · ${s.tags.map((tag) => `#${tag}`).join(" ")}` : ""}</span></li>`,
      )}</ul>`
}`;
  return editorPage({ view, title: t(lang, "editor:slogan.listTitle"), body, path: editorPaths.slogans(o.slug), done: o.done });
}

/** The form to write or change a slogan; with the slogan, its public page, placards and deletion. */
export function sloganFormPage(
  view: EditorView,
  o: {
    title: string;
    action: string;
    back: string;
    values: SloganFormValues;
    primaryLanguage: string;
    choices: AttachChoices;
    slogan?: SloganView | undefined;
    placards?: PlacardLinks;
    publicUrl?: string | undefined;
    problems?: readonly FieldProblem[] | undefined;
    message?: string | undefined;
    done?: string | undefined;
  },
): string {
  const { lang } = view;
  const languages = [o.primaryLanguage, ...sloganLanguages.filter((l) => l !== o.primaryLanguage)].filter((l) => (sloganLanguages as readonly string[]).includes(l));
  const lines = languages.map((l) =>
    input({
      name: `text.${l}`,
      label: languageName(l, lang),
      value: o.values.text[l] ?? "",
      lang: l,
      error: problemOf(o.problems, `text.${l}`) ?? (l === languages[0] ? problemOf(o.problems, "text") : undefined),
      attrs: html` maxlength="200"`,
    }),
  );
  const extra = o.slogan
    ? html`<section class="card"><h2>${t(lang, "editor:slogan.outside")}</h2>
${
  o.slogan.published && o.publicUrl
    ? html`<p><a href="${o.publicUrl}">${t(lang, "editor:slogan.publicPage")}</a></p>
<p>${t(lang, "editor:slogan.placards")}</p><ul class="links">${(o.placards ?? []).map((p) => html`<li><a href="${p.href}">${p.label}</a></li>`)}</ul>`
    : html`<p class="muted">${t(lang, "editor:slogan.draftHint")}</p>`
}
<p><a class="button danger" href="${editorPaths.sloganDelete(o.slogan.id)}">${t(lang, "editor:slogan.delete")}</a></p></section>`
    : "";
  const body = html`<p><a href="${o.back}">← ${t(lang, "editor:slogan.listTitle")}</a></p>
<h1>${o.title}</h1>
${o.slogan?.origin ? originNote(lang, o.slogan.origin) : ""}
${errorSummary(lang, o.problems, o.message)}
<form method="post" action="${o.action}" class="stack">${csrfField(view.csrf)}
<input type="hidden" name="seenVersion" value="${String(o.values.seenVersion)}">
<fieldset><legend>${t(lang, "editor:slogan.text")}</legend><p class="hint">${t(lang, "editor:slogan.textHint")}</p>${lines}</fieldset>
${input({ name: "tags", label: t(lang, "editor:slogan.tags"), value: o.values.tags, hint: t(lang, "editor:slogan.tagsHint"), error: problemOf(o.problems, "tags") })}
<fieldset><legend>${t(lang, "editor:slogan.belongsTo")}</legend><p class="hint">${t(lang, "editor:slogan.belongsToHint")}</p>
${select({ name: "call", label: t(lang, "editor:slogan.call"), value: o.values.call, error: problemOf(o.problems, "call"), options: [{ value: "", label: t(lang, "editor:slogan.noCall") }, ...o.choices.calls] })}
${select({ name: "event", label: t(lang, "editor:slogan.event"), value: o.values.event, error: problemOf(o.problems, "event"), options: [{ value: "", label: t(lang, "editor:slogan.noEvent") }, ...o.choices.events] })}
</fieldset>
${checkbox({ name: "published", label: t(lang, "editor:slogan.publish"), checked: o.values.published, hint: t(lang, "editor:slogan.publishHint") })}
<button type="submit" class="primary">${t(lang, "editor:slogan.save")}</button></form>
${extra}`;
  return editorPage({ view, title: o.title, body, path: o.action, done: o.done });
}

/** Asks before deleting a slogan (its placards and its post on other servers go too). */
export function sloganDeletePage(view: EditorView, o: { slogan: SloganView }): string {
  const { lang } = view;
  const body = html`<p><a href="${editorPaths.slogan(o.slogan.id)}">← ${sloganLine(o.slogan, lang) || "—"}</a></p>
<h1>${t(lang, "editor:slogan.deleteTitle")}</h1>
<blockquote>${sloganLine(o.slogan, lang)}</blockquote>
<p>${t(lang, "editor:slogan.deleteHint")}</p>
<form method="post" action="${editorPaths.sloganDelete(o.slogan.id)}">${csrfField(view.csrf)}<input type="hidden" name="confirm" value="yes">
<button type="submit" class="danger">${t(lang, "editor:slogan.deleteButton")}</button></form>`;
  return editorPage({ view, title: t(lang, "editor:slogan.deleteTitle"), body, path: editorPaths.sloganDelete(o.slogan.id) });
}
