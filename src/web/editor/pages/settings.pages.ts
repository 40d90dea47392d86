import type { FieldProblem } from "../../../shared/errors.ts";
import { fill, paths } from "../../../shared/paths.ts";
import { t } from "../../../shared/i18n.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { checkbox, csrfField, errorSummary, input, problemOf, select, textarea } from "./forms.ts";

/** The settings form as values: whatever was typed stays through a form with problems. */
export interface SettingsValues {
  readonly languages: readonly string[];
  readonly primaryLanguage: string;
  readonly name: Readonly<Record<string, string>>;
  readonly summary: Readonly<Record<string, string>>;
  readonly manual: boolean;
  /** Stored name of the avatar (an upload of ours), or "". */
  readonly avatar: string;
}

export function settingsPage(
  view: EditorView,
  o: { slug: string; title: string; values: SettingsValues; problems?: readonly FieldProblem[]; done?: string | undefined; uploadMB: number },
): string {
  const { lang } = view;
  const v = o.values;
  const p = o.problems;
  const action = editorPaths.settings(o.slug);
  const texts = v.languages.map(
    (l) => html`<fieldset lang="${l}"><legend lang="${lang}">${languageName(l, lang)}</legend>
${input({ name: `name.${l}`, label: t(lang, "editor:collective.name"), value: v.name[l], error: problemOf(p, `name.${l}`), lang: l })}
${textarea({ name: `summary.${l}`, label: t(lang, "editor:collective.summary"), value: v.summary[l], error: problemOf(p, `summary.${l}`), lang: l, rows: 3 })}
</fieldset>`,
  );
  const avatarError = problemOf(p, "avatar");
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.title}</a></p>
<h1>${t(lang, "editor:settings.title")}</h1>
<p>${t(lang, "editor:settings.intro")}</p>
${errorSummary(lang, p)}
<form method="post" action="${action}" class="stack" enctype="multipart/form-data" novalidate>
${csrfField(view.csrf)}
<input type="hidden" name="languages" value="${v.languages.join(",")}">
<fieldset><legend>${t(lang, "editor:settings.languages")}</legend>
<p class="hint">${t(lang, "editor:settings.languagesHint")}</p>
${select({ name: "primaryLanguage", label: t(lang, "editor:collective.language"), value: v.primaryLanguage, options: v.languages.map((l) => ({ value: l, label: languageName(l, lang) })), error: problemOf(p, "primaryLanguage") })}
</fieldset>
${texts}
<fieldset><legend>${t(lang, "editor:settings.avatar")}</legend>
${
  v.avatar
    ? html`<figure class="thumb"><img src="${fill(paths.media, { name: v.avatar })}" alt="" width="96"><figcaption class="muted">${t(lang, "editor:settings.avatarCurrent")}</figcaption></figure>
<input type="hidden" name="avatar" value="${v.avatar}">
${checkbox({ name: "removeAvatar", label: t(lang, "editor:settings.avatarRemove"), checked: false })}`
    : ""
}
<div class="field${avatarError ? " has-error" : ""}"><label for="f-avatar">${t(lang, "editor:settings.avatarFile")}</label>
<p class="hint" id="f-avatar-hint">${t(lang, "editor:event.imageHint", { size: o.uploadMB })}</p>
${avatarError ? html`<p class="error" id="f-avatar-error">${avatarError}</p>` : ""}
<input id="f-avatar" name="avatarFile" type="file" accept="image/jpeg,image/png,image/webp" aria-describedby="f-avatar-hint${avatarError ? " f-avatar-error" : ""}"${avatarError ? html` aria-invalid="true"` : ""}></div>
</fieldset>
<fieldset><legend>${t(lang, "editor:settings.followers")}</legend>
${checkbox({ name: "manual", label: t(lang, "editor:collective.manual"), checked: v.manual, hint: t(lang, "editor:settings.manualHint") })}
</fieldset>
<div class="buttons"><button type="submit" class="primary">${t(lang, "editor:settings.save")}</button></div>
</form>`;
  return editorPage({ view, title: t(lang, "editor:settings.title"), body, path: action, done: o.done });
}
