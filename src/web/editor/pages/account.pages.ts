import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { buttonForm, csrfField, errorSummary, input, problemOf } from "./forms.ts";

export function loginPage(view: EditorView, o: { email?: string; next?: string | undefined; message?: string; done?: string | undefined }): string {
  const { lang } = view;
  const body = html`<h1>${t(lang, "editor:login.title")}</h1>
${errorSummary(lang, undefined, o.message)}
<form method="post" action="${editorPaths.login}" class="stack">
${csrfField(view.csrf)}
${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ""}
${input({ name: "email", label: t(lang, "editor:login.email"), type: "email", value: o.email, required: true, autocomplete: "username" })}
${input({ name: "password", label: t(lang, "editor:login.password"), type: "password", required: true, autocomplete: "current-password" })}
<button type="submit" class="primary">${t(lang, "editor:login.submit")}</button>
</form>
<p><a href="${editorPaths.forgot}">${t(lang, "editor:login.forgot")}</a></p>`;
  return editorPage({ view, title: t(lang, "editor:login.title"), body, path: editorPaths.login, done: o.done });
}

export function secondFactorPage(view: EditorView, o: { next?: string | undefined; message?: string }): string {
  const { lang } = view;
  const body = html`<h1>${t(lang, "editor:totp.loginTitle")}</h1>
${errorSummary(lang, undefined, o.message)}
<form method="post" action="${editorPaths.secondFactor}" class="stack">
${csrfField(view.csrf)}
${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ""}
${input({ name: "code", label: t(lang, "editor:totp.code"), hint: t(lang, "editor:totp.codeHint"), required: true, autocomplete: "one-time-code", attrs: html` inputmode="text" autocapitalize="none" spellcheck="false"` })}
<button type="submit" class="primary">${t(lang, "editor:login.submit")}</button>
</form>`;
  return editorPage({ view, title: t(lang, "editor:totp.loginTitle"), body, path: editorPaths.secondFactor });
}

export function accountPage(
  view: EditorView,
  o: { totp?: { enabled: boolean; recoveryCodesLeft: number }; problems?: readonly FieldProblem[]; done?: string | undefined },
): string {
  const { lang, csrf } = view;
  const body = html`<h1>${t(lang, "editor:account.title")}</h1>
<section class="card" aria-labelledby="pw">
<h2 id="pw">${t(lang, "editor:account.password")}</h2>
${errorSummary(lang, o.problems)}
<form method="post" action="${editorPaths.password}" class="stack">
${csrfField(csrf)}
<input type="text" name="username" value="${view.email ?? ""}" autocomplete="username" hidden>
${input({ name: "current", label: t(lang, "editor:account.current"), type: "password", required: true, autocomplete: "current-password", error: problemOf(o.problems, "current") })}
${input({ name: "password", label: t(lang, "editor:account.new"), type: "password", required: true, autocomplete: "new-password", hint: t(lang, "editor:account.passwordHint"), error: problemOf(o.problems, "password") })}
<button type="submit">${t(lang, "editor:account.change")}</button>
</form>
<p class="hint">${t(lang, "editor:account.changeEndsOthers")}</p>
</section>
${
  o.totp
    ? html`<section class="card" aria-labelledby="totp">
<h2 id="totp">${t(lang, "editor:totp.title")}</h2>
${
  o.totp.enabled
    ? html`<p>${t(lang, "editor:totp.on", { count: o.totp.recoveryCodesLeft })}</p>
<form method="post" action="${editorPaths.totpDisable}" class="stack">${csrfField(csrf)}
${input({ name: "password", label: t(lang, "editor:account.current"), type: "password", required: true, autocomplete: "current-password", error: problemOf(o.problems, "disable") })}
<button type="submit" class="danger">${t(lang, "editor:totp.disable")}</button></form>`
    : html`<p>${t(lang, "editor:totp.off")}</p><p><a href="${editorPaths.totp}">${t(lang, "editor:totp.enable")}</a></p>`
}
</section>`
    : ""
}
<section class="card" aria-labelledby="sessions">
<h2 id="sessions">${t(lang, "editor:account.sessions")}</h2>
<p>${t(lang, "editor:account.everywhereHint")}</p>
${buttonForm({ action: editorPaths.logoutEverywhere, csrf, label: t(lang, "editor:account.everywhere"), danger: true })}
</section>`;
  return editorPage({ view, title: t(lang, "editor:account.title"), body, path: editorPaths.account, done: o.done });
}
