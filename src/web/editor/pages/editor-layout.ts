import { t } from "../../../shared/i18n.ts";
import { html, type SafeHtml } from "../../html.ts";
import { layout } from "../../pages/layout.ts";
import { editorPaths } from "../paths.ts";
import { buttonForm } from "./forms.ts";

/** What every editor page needs: the interface language, the form token and who is logged in. */
export interface EditorView {
  readonly lang: string;
  readonly csrf: string;
  /** The logged-in account's email, when there is one. */
  readonly email: string | undefined;
}

/** Outcomes shown after a redirect (`?done=<key>`): only these keys, each a translation. */
export const doneKeys = [
  "loggedOut",
  "passwordChanged",
  "loggedOutEverywhere",
  "saved",
  "published",
  "cancelled",
  "deleted",
  "invited",
  "approved",
  "rejected",
  "totpEnabled",
  "totpDisabled",
  "memberRemoved",
  "roleChanged",
  "resetLink",
  "created",
  "resetSent",
  "settingsSaved",
  "consulted",
  "opened",
  "closedCall",
  "withdrawn",
  "followed",
  "alreadyFollowed",
  "relayOn",
  "relayOff",
  "unfollowed",
  "blocked",
  "alreadyBlocked",
  "unblocked",
  "invitedToSign",
  "invitationWithdrawn",
  "signed",
  "declined",
  "revoked",
  "joinPolicySaved",
  "joinApproved",
  "joinRefused",
  "joinRequested",
] as const;

export function doneMessage(lang: string, value: unknown): string | undefined {
  return typeof value === "string" && (doneKeys as readonly string[]).includes(value) ? t(lang, `editor:done.${value}`) : undefined;
}

/** An editor page: the site's frame with the editor's navigation and, after a redirect, what was done. */
export function editorPage(o: { view: EditorView; title: string; body: SafeHtml; path: string; done?: string | undefined }): string {
  const { lang, csrf, email } = o.view;
  const nav = email
    ? html`<nav class="editor-nav" aria-label="${t(lang, "editor:nav.label")}">
<a href="${editorPaths.home}">${t(lang, "editor:nav.dashboard")}</a>
<a href="${editorPaths.account}">${t(lang, "editor:nav.account")}</a>
<span class="muted">${email}</span>
${buttonForm({ action: editorPaths.logout, csrf, label: t(lang, "editor:nav.logout") })}
</nav>`
    : "";
  const body = html`${nav}${o.done ? html`<p class="notice" role="status">${o.done}</p>` : ""}${o.body}`;
  return layout({ lang, title: o.title, body, path: o.path });
}
