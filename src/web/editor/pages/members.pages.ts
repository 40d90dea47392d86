import type { MemberView } from "../../../modules/account/membership.service.ts";
import type { AuditView } from "../../../modules/audit/audit.service.ts";
import { t } from "../../../shared/i18n.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { buttonForm, csrfField, errorSummary, input, select } from "./forms.ts";

const dateTime = (lang: string, d: Date) => new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(d);

export function membersPage(
  view: EditorView,
  o: {
    slug: string;
    name: string;
    members: readonly MemberView[];
    pending: readonly { email: string; role: string; expiresAt: Date }[];
    isOwner: boolean;
    me: string;
    done?: string | undefined;
    link?: { url: string; email: string; kind: "invitation" | "reset"; mailed: boolean };
    problem?: string;
  },
): string {
  const { lang, csrf } = view;
  const roles = [
    { value: "editor", label: t(lang, "editor:role.editor") },
    { value: "owner", label: t(lang, "editor:role.owner") },
  ];
  const linkBox = o.link
    ? html`<section class="notice" role="status" aria-labelledby="newlink">
<h2 id="newlink">${t(lang, o.link.kind === "invitation" ? "editor:done.invited" : "editor:done.resetLink")}</h2>
<p>${t(lang, o.link.mailed ? "editor:members.mailed" : "editor:members.passOn", { email: o.link.email })}</p>
<p><label>${t(lang, "editor:members.link")}<br><input type="text" readonly value="${o.link.url}" class="wide" id="new-link"></label></p>
</section>`
    : "";
  const rows = o.members.map(
    (m) => html`<li class="member"><span class="who">${m.email}</span>
<span class="muted">${t(lang, `editor:role.${m.role}`)}</span>
${
  o.isOwner
    ? html`<form method="post" action="${`${editorPaths.members(o.slug)}/${m.userId}/role`}" class="inline">${csrfField(csrf)}
<label class="visually-hidden" for="role-${m.userId}">${t(lang, "editor:members.role")}</label>
<select name="role" id="role-${m.userId}">${roles.map((r) => html`<option value="${r.value}"${r.value === m.role ? html` selected` : ""}>${r.label}</option>`)}</select>
<button type="submit">${t(lang, "editor:members.changeRole")}</button></form>
${m.userId !== o.me ? buttonForm({ action: `${editorPaths.members(o.slug)}/${m.userId}/reset-link`, csrf, label: t(lang, "editor:members.resetLink") }) : ""}
${buttonForm({ action: `${editorPaths.members(o.slug)}/${m.userId}/remove`, csrf, label: t(lang, m.userId === o.me ? "editor:members.leave" : "editor:members.remove"), danger: true })}`
    : m.userId === o.me
      ? buttonForm({ action: `${editorPaths.members(o.slug)}/${m.userId}/remove`, csrf, label: t(lang, "editor:members.leave"), danger: true })
      : ""
}</li>`,
  );
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.name}</a></p>
<h1>${t(lang, "editor:members.title")}</h1>
${linkBox}
<ul class="members">${rows}</ul>
${
  o.isOwner
    ? html`<section class="card" aria-labelledby="invite">
<h2 id="invite">${t(lang, "editor:members.invite")}</h2>
${errorSummary(lang, undefined, o.problem)}
<form method="post" action="${`${editorPaths.members(o.slug)}/invite`}" class="stack">${csrfField(csrf)}
${input({ name: "email", label: t(lang, "editor:login.email"), type: "email", required: true })}
${select({ name: "role", label: t(lang, "editor:members.role"), value: "editor", options: roles })}
<button type="submit" class="primary">${t(lang, "editor:members.createInvitation")}</button></form>
${
  o.pending.length > 0
    ? html`<h3>${t(lang, "editor:members.pending")}</h3><ul>${o.pending.map(
        (p) => html`<li>${p.email} · ${t(lang, `editor:role.${p.role}`)} · <span class="muted">${t(lang, "editor:members.until", { date: dateTime(lang, p.expiresAt) })}</span></li>`,
      )}</ul>`
    : ""
}
</section>`
    : ""
}`;
  return editorPage({ view, title: t(lang, "editor:members.title"), body, path: editorPaths.members(o.slug), done: o.done });
}

export function auditPage(view: EditorView, o: { slug: string; entries: readonly AuditView[] }): string {
  const { lang } = view;
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← @${o.slug}</a></p>
<h1 id="audit-title">${t(lang, "editor:audit.title")}</h1>
<p class="hint">${t(lang, "editor:audit.hint")}</p>
${
  o.entries.length === 0
    ? html`<p>${t(lang, "editor:audit.empty")}</p>`
    : html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="audit-title"><table><thead><tr><th scope="col">${t(lang, "editor:audit.when")}</th><th scope="col">${t(lang, "editor:audit.who")}</th><th scope="col">${t(lang, "editor:audit.what")}</th><th scope="col">${t(lang, "editor:audit.subject")}</th></tr></thead>
<tbody>${o.entries.map(
        (e) => html`<tr><td>${dateTime(lang, e.at)}</td><td>${e.actor === "cli" ? t(lang, "editor:audit.operator") : e.actor === "worker" ? t(lang, "editor:audit.worker") : e.actor}</td><td>${t(lang, `editor:audit.actions.${e.action}`)}</td><td>${e.detail ? html`${e.detail} <span class="muted">${e.subject}</span>` : e.subject}</td></tr>`,
      )}</tbody></table></div>`
}`;
  return editorPage({ view, title: t(lang, "editor:audit.title"), body, path: editorPaths.audit(o.slug) });
}
