import { t } from "../../../shared/i18n.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { csrfField, errorSummary, input } from "./forms.ts";

/** Step one: the secret for the app (a link that opens it on a phone, or the key to type), then a code. */
export function totpSetupPage(view: EditorView, o: { secret: string; uri: string }, message?: string): string {
  const { lang } = view;
  const grouped = o.secret.match(/.{1,4}/g)?.join(" ") ?? o.secret;
  const body = html`<h1>${t(lang, "editor:totp.enable")}</h1>
${errorSummary(lang, undefined, message)}
<ol class="steps">
<li>${t(lang, "editor:totp.step1")} <a href="${o.uri}">${t(lang, "editor:totp.openApp")}</a></li>
<li>${t(lang, "editor:totp.step2")}<br><code class="secret" translate="no">${grouped}</code></li>
<li>${t(lang, "editor:totp.step3")}</li>
</ol>
<form method="post" action="${editorPaths.totp}" class="stack">
${csrfField(view.csrf)}
<input type="hidden" name="secret" value="${o.secret}">
${input({ name: "code", label: t(lang, "editor:totp.code"), required: true, autocomplete: "one-time-code", attrs: html` inputmode="numeric" pattern="[0-9 ]{6,7}"` })}
<button type="submit" class="primary">${t(lang, "editor:totp.confirm")}</button>
</form>`;
  return editorPage({ view, title: t(lang, "editor:totp.enable"), body, path: editorPaths.totp });
}

/** Shown once, right after the second factor is turned on. */
export function recoveryCodesPage(view: EditorView, codes: readonly string[]): string {
  const { lang } = view;
  const body = html`<h1>${t(lang, "editor:totp.codesTitle")}</h1>
<p class="notice" role="status">${t(lang, "editor:done.totpEnabled")}</p>
<p>${t(lang, "editor:totp.codesHint")}</p>
<ul class="codes" translate="no">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a href="${editorPaths.account}">${t(lang, "editor:nav.account")}</a></p>`;
  return editorPage({ view, title: t(lang, "editor:totp.codesTitle"), body, path: editorPaths.totp });
}
