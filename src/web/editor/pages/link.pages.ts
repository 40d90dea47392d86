import type { InvitationView } from "../../../modules/account/account-link.service.ts";
import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { csrfField, errorSummary, input, problemOf } from "./forms.ts";

const newPasswordFields = (lang: string, problems?: readonly FieldProblem[]) => html`
${input({ name: "password", label: t(lang, "editor:account.new"), type: "password", required: true, autocomplete: "new-password", hint: t(lang, "editor:account.passwordHint"), error: problemOf(problems, "password") })}
${input({ name: "confirm", label: t(lang, "editor:links.confirm"), type: "password", required: true, autocomplete: "new-password", error: problemOf(problems, "confirm") })}`;

export function invitationPage(
  view: EditorView,
  o: { token: string; invitation: InvitationView; name: string; loggedInAs: string | undefined; problems?: readonly FieldProblem[] },
): string {
  const { lang } = view;
  const inv = o.invitation;
  const intro = t(lang, "editor:links.invited", { name: o.name, role: t(lang, `editor:role.${inv.role}`), email: inv.email });
  const action = editorPaths.invitation(o.token);
  let form: ReturnType<typeof html>;
  if (!inv.accountExists) {
    form = html`<form method="post" action="${action}" class="stack">${csrfField(view.csrf)}
<input type="text" name="username" value="${inv.email}" autocomplete="username" hidden>
${newPasswordFields(lang, o.problems)}
<button type="submit" class="primary">${t(lang, "editor:links.createAccount")}</button></form>`;
  } else if (o.loggedInAs === inv.email) {
    form = html`<form method="post" action="${action}">${csrfField(view.csrf)}<button type="submit" class="primary">${t(lang, "editor:links.accept")}</button></form>`;
  } else {
    form = html`<p>${t(lang, "editor:links.loginFirst", { email: inv.email })}</p>
<p><a class="button" href="${`${editorPaths.login}?next=${encodeURIComponent(action)}`}">${t(lang, "editor:login.title")}</a></p>`;
  }
  const body = html`<h1>${t(lang, "editor:links.invitationTitle")}</h1>
<p>${intro}</p>
${errorSummary(lang, o.problems)}
${form}`;
  return editorPage({ view, title: t(lang, "editor:links.invitationTitle"), body, path: action });
}

export function resetPage(view: EditorView, o: { token: string; email: string; problems?: readonly FieldProblem[] }): string {
  const { lang } = view;
  const body = html`<h1>${t(lang, "editor:links.resetTitle")}</h1>
<p>${t(lang, "editor:links.resetFor", { email: o.email })}</p>
${errorSummary(lang, o.problems)}
<form method="post" action="${editorPaths.reset(o.token)}" class="stack">${csrfField(view.csrf)}
<input type="text" name="username" value="${o.email}" autocomplete="username" hidden>
${newPasswordFields(lang, o.problems)}
<button type="submit" class="primary">${t(lang, "editor:account.change")}</button></form>`;
  return editorPage({ view, title: t(lang, "editor:links.resetTitle"), body, path: editorPaths.reset(o.token) });
}

export function forgotPage(view: EditorView, o: { canMail: boolean }): string {
  const { lang } = view;
  const body = o.canMail
    ? html`<h1>${t(lang, "editor:login.forgot")}</h1><p>${t(lang, "editor:links.forgotMail")}</p>
<form method="post" action="${editorPaths.forgot}" class="stack">${csrfField(view.csrf)}
${input({ name: "email", label: t(lang, "editor:login.email"), type: "email", required: true, autocomplete: "username" })}
<button type="submit" class="primary">${t(lang, "editor:links.sendLink")}</button></form>`
    : html`<h1>${t(lang, "editor:login.forgot")}</h1><p>${t(lang, "editor:links.forgotNoMail")}</p>`;
  return editorPage({ view, title: t(lang, "editor:login.forgot"), body, path: editorPaths.forgot });
}
