import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { interfaceLanguages } from "../../../shared/language.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { checkbox, csrfField, errorSummary, input, problemOf, select, textarea } from "./forms.ts";

export const languageName = (code: string, lang: string) => {
  try {
    return new Intl.DisplayNames([lang], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
};

export function newCollectivePage(
  view: EditorView,
  o: { values: { slug?: string; name?: string; summary?: string; language?: string; manual?: boolean }; problems?: readonly FieldProblem[] },
): string {
  const { lang } = view;
  const v = o.values;
  const body = html`<h1>${t(lang, "editor:collective.create")}</h1>
${errorSummary(lang, o.problems)}
<form method="post" action="${editorPaths.newCollective}" class="stack">${csrfField(view.csrf)}
${input({ name: "slug", label: t(lang, "editor:collective.slug"), value: v.slug, required: true, hint: t(lang, "editor:collective.slugHint"), error: problemOf(o.problems, "slug"), attrs: html` autocapitalize="none" spellcheck="false"` })}
${select({ name: "language", label: t(lang, "editor:collective.language"), value: v.language, options: interfaceLanguages.map((l) => ({ value: l, label: languageName(l, lang) })), error: problemOf(o.problems, "language", "primaryLanguage") })}
${input({ name: "name", label: t(lang, "editor:collective.name"), value: v.name, required: true, error: problemOf(o.problems, "name") })}
${textarea({ name: "summary", label: t(lang, "editor:collective.summary"), value: v.summary, error: problemOf(o.problems, "summary") })}
${checkbox({ name: "manual", label: t(lang, "editor:collective.manual"), checked: v.manual ?? false })}
<button type="submit" class="primary">${t(lang, "editor:collective.create")}</button>
</form>`;
  return editorPage({ view, title: t(lang, "editor:collective.create"), body, path: editorPaths.newCollective });
}
