import { diffText } from "../../../modules/call/call-diff.ts";
import type { InvitationView, PreviousSignature, ReceivedInvitationView, SignatureView } from "../../../modules/cosign/cosign.types.ts";
import { htmlToPlainText } from "../../../modules/ical/plain-text.ts";
import { t } from "../../../shared/i18n.ts";
import { html, raw, type SafeHtml } from "../../html.ts";
import { diffHtml } from "../../pages/call.page.ts";
import { editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { checkbox, csrfField, errorSummary, input } from "./forms.ts";

const when = (instant: Temporal.Instant, lang: string) =>
  new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(instant.epochMilliseconds));

const who = (p: { apId: string; name: string | null }) => p.name ?? p.apId;

/** The initiator's view of a call's co-signing: invite a partner to sign the current version, see each answer and signature. */
export function callSignaturesPage(
  view: EditorView,
  o: {
    callId: string;
    title: string;
    version: number;
    invitable: boolean;
    invitations: readonly InvitationView[];
    signatures: readonly SignatureView[];
    partner?: string;
    expires?: string;
    problem?: string | undefined;
    detail?: string | undefined;
    /** Why a withdrawal was refused, shown above the invitations. */
    withdrawProblem?: string | undefined;
    done?: string | undefined;
    /** Join requests (pages/join.pages.ts). */
    joins?: SafeHtml | undefined;
  },
): string {
  const { lang, csrf } = view;
  const pageTitle = t(lang, "editor:cosign.title", { title: o.title });
  const body = html`<p><a href="${editorPaths.call(o.callId)}">← ${o.title}</a></p>
<h1>${pageTitle}</h1>
<p>${t(lang, "editor:cosign.intro")}</p>
${o.problem ? errorSummary(lang, [{ field: "partner", message: o.problem }]) : ""}
${
  o.invitable
    ? html`<form method="post" action="${editorPaths.callSignatures(o.callId)}" class="stack card">${csrfField(csrf)}
<h2>${t(lang, "editor:cosign.invite", { version: o.version })}</h2>
${input({ name: "partner", label: t(lang, "editor:cosign.partner"), value: o.partner, hint: t(lang, "editor:cosign.partnerHint"), error: o.problem, required: true })}
${o.detail ? html`<p class="muted" lang="en">${o.detail}</p>` : ""}
${input({ name: "expires", label: t(lang, "editor:cosign.expires"), type: "date", value: o.expires, hint: t(lang, "editor:cosign.expiresHint") })}
<div class="buttons"><button type="submit" class="primary">${t(lang, "editor:cosign.inviteButton")}</button></div>
</form>`
    : html`<p class="notice">${t(lang, "editor:cosign.notInvitable")}</p>`
}
<section class="card" aria-labelledby="signatures"><h2 id="signatures">${t(lang, "editor:cosign.signatures")}</h2>
${
  o.signatures.length === 0
    ? html`<p class="muted">${t(lang, "editor:cosign.noSignatures")}</p>`
    : html`<ul class="signatures">${o.signatures.map(
        (s) => html`<li><strong class="who">${who(s.signer)}</strong> — <span class="state state-${s.state}">${t(lang, `editor:cosign.signatureState.${s.state}`)}</span><br>
<span class="muted">${t(lang, "editor:cosign.signedVersion", { version: s.version, languages: s.languages.map((l) => languageName(l, lang)).join(", "), date: when(s.verifiedAt, lang) })}</span>${
          s.unreachableSince && (s.state === "current" || s.state === "pending")
            ? html`<br><span class="unreachable"><time datetime="${s.unreachableSince.toString()}">${t(lang, "editor:cosign.unreachableSince", { date: when(s.unreachableSince, lang) })}</time></span>`
            : ""
        }</li>`,
      )}</ul>`
}</section>
<section class="card" aria-labelledby="invitations"><h2 id="invitations">${t(lang, "editor:cosign.invitations")}</h2>
${o.withdrawProblem ? html`<p class="notice" role="alert">${o.withdrawProblem}</p>` : ""}
${
  o.invitations.length === 0
    ? html`<p class="muted">${t(lang, "editor:cosign.noInvitations")}</p>`
    : html`<ul class="invitations">${o.invitations.map(
        (i) => html`<li><strong class="who">${who(i.partner)}</strong> — <span class="state state-${i.state}">${t(lang, `editor:cosign.invitationState.${i.state}`)}</span><br>
<span class="muted">${t(lang, "editor:cosign.invitedFor", { version: i.version, date: when(i.createdAt, lang), expires: when(i.expiresAt, lang) })}</span>${
          i.state === "invited"
            ? html`<form method="post" action="${editorPaths.invitationWithdraw(o.callId, i.id)}" class="inline">${csrfField(csrf)}<button type="submit" class="secondary">${t(lang, "editor:cosign.withdrawButton")}</button></form>`
            : ""
        }</li>`,
      )}</ul>`
}</section>
${o.joins ?? ""}`;
  return editorPage({ view, title: pageTitle, body, path: editorPaths.callSignatures(o.callId), done: o.done });
}

/** The invitations a collective received, newest first. */
export function receivedListPage(view: EditorView, o: { slug: string; name: string; items: readonly ReceivedInvitationView[]; done?: string | undefined; joins?: SafeHtml | undefined }): string {
  const { lang } = view;
  const title = t(lang, "editor:cosign.receivedTitle");
  const firstTitle = (r: ReceivedInvitationView) => Object.values(r.texts)[0]?.title ?? r.call.apId;
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.name}</a></p>
<h1>${title}</h1>
<p>${t(lang, "editor:cosign.receivedIntro")}</p>
${
  o.items.length === 0
    ? html`<p class="muted">${t(lang, "editor:cosign.noneReceived")}</p>`
    : html`<ul class="events invitations">${o.items.map(
        (r) => html`<li><a href="${editorPaths.received(o.slug, r.id)}" lang="${Object.keys(r.texts)[0] ?? lang}">${firstTitle(r)}</a><br>
<span class="muted">${t(lang, "editor:cosign.from", { initiator: r.call.initiatorName ?? r.call.initiator })} · <strong>${t(lang, r.reconfirmation && r.state === "pending" ? "editor:cosign.reconfirmState" : `editor:cosign.receivedState.${r.state}`)}</strong> · ${t(lang, "editor:cosign.until", { date: when(r.expiresAt, lang) })}</span></li>`,
      )}</ul>`
}
${o.joins ?? ""}`;
  return editorPage({ view, title, body, path: editorPaths.receivedList(o.slug), done: o.done });
}

/** The exact text in each language, as it would be signed, with its fingerprint (invitations and requests to sign). */
export function signableTextSections(
  lang: string,
  o: { languages: readonly string[]; texts: ReceivedInvitationView["texts"]; digests: readonly { language: string; digest: string }[]; authoritative: readonly string[] },
): SafeHtml[] {
  return o.languages.map((l) => {
    const text = o.texts[l];
    if (!text) return html``;
    return html`<section class="card call-text" lang="${l}" aria-labelledby="text-${l}-title">
<p class="muted" lang="${lang}">${languageName(l, lang)}${o.authoritative.includes(l) ? html` · ${t(lang, "editor:cosign.authoritative")}` : ""}</p>
<h2 id="text-${l}-title">${text.title}</h2>
${text.pitch ? html`<p class="pitch">${text.pitch}</p>` : ""}
<div class="description">${raw(text.bodyHtml)}</div>
${text.demands.length > 0 ? html`<ol>${text.demands.map((d) => html`<li>${d}</li>`)}</ol>` : ""}
<p class="muted digest" lang="${lang}">${t(lang, "editor:cosign.digest")} <code>${o.digests.find((d) => d.language === l)?.digest ?? ""}</code></p>
</section>`;
  });
}

/**
 * A reconfirmation: the collective signed an older version; for each language it covered whose text
 * changed, what changed (title, presentation, text, demands), word by word.
 */
function reconfirmSection(lang: string, previous: PreviousSignature, texts: ReceivedInvitationView["texts"]): SafeHtml {
  const fields = (x: ReceivedInvitationView["texts"][string] | undefined): Record<string, string> => ({
    title: x?.title ?? "",
    pitch: x?.pitch ?? "",
    body: htmlToPlainText(x?.bodyHtml ?? ""),
    demands: (x?.demands ?? []).map((d, i) => `${i + 1}. ${d}`).join("\n"),
  });
  const names = (ls: readonly string[]) => ls.map((l) => languageName(l, lang)).join(", ");
  return html`<section class="card reconfirm" aria-labelledby="reconfirm"><h2 id="reconfirm">${t(lang, "editor:cosign.reconfirmTitle")}</h2>
<p>${t(lang, previous.changed.length > 0 ? "editor:cosign.reconfirmIntro" : "editor:cosign.reconfirmUnchanged", { version: previous.version, languages: names(previous.changed), signed: names(previous.languages) })}</p>
${previous.changed.map((l) => {
  const before = fields(previous.texts[l]);
  const after = fields(texts[l]);
  const changed = Object.keys(after).filter((f) => before[f] !== after[f]);
  return html`<h3>${languageName(l, lang)}</h3>
<dl lang="${l}" class="reconfirm-diff">${changed.map((f) => html`<dt lang="${lang}">${t(lang, `call:page.field.${f}`)}</dt><dd>${diffHtml(diffText(before[f] ?? "", after[f] ?? ""))}</dd>`)}</dl>`;
})}
<p class="muted">${t(lang, "call:page.legend")}</p></section>`;
}

/** One invitation: the exact text in each language it may sign, then sign (chosen languages) or decline. */
export function receivedPage(
  view: EditorView,
  o: { slug: string; invitation: ReceivedInvitationView; revoked?: boolean; problem?: string | undefined; done?: string | undefined },
): string {
  const { lang, csrf } = view;
  const r = o.invitation;
  const languages = r.digests.map((d) => d.language);
  const title = Object.values(r.texts)[0]?.title ?? r.call.apId;
  const texts = signableTextSections(lang, { languages, texts: r.texts, digests: r.digests, authoritative: r.authoritativeLanguages });
  const answerable = r.state === "pending";
  const body = html`<p><a href="${editorPaths.receivedList(o.slug)}">← ${t(lang, "editor:cosign.receivedTitle")}</a></p>
<h1 lang="${languages[0] ?? lang}">${title}</h1>
<p>${t(lang, "editor:cosign.from", { initiator: r.call.initiatorName ?? r.call.initiator })} · ${t(lang, "editor:cosign.versionOf", { version: r.version })} · <strong>${t(lang, `editor:cosign.receivedState.${r.state}`)}</strong></p>
<p class="muted">${t(lang, "editor:cosign.until", { date: when(r.expiresAt, lang) })}${r.deadline ? html` · ${t(lang, "editor:cosign.deadline", { date: r.deadline })}` : ""}</p>
${o.problem ? errorSummary(lang, undefined, o.problem) : ""}
${answerable && r.previous ? reconfirmSection(lang, r.previous, r.texts) : ""}
<p>${t(lang, "editor:cosign.readFirst")}</p>
${texts}
${
  answerable
    ? html`<form method="post" action="${editorPaths.receivedAction(o.slug, r.id, "sign")}" class="stack card">${csrfField(csrf)}
<h2>${t(lang, "editor:cosign.signTitle")}</h2>
<fieldset><legend>${t(lang, "editor:cosign.signLanguages")}</legend>
${languages.map((l) => checkbox({ name: `language.${l}`, label: languageName(l, lang), checked: r.previous ? r.previous.languages.includes(l) : true }))}</fieldset>
<p class="hint">${t(lang, "editor:cosign.signHint")}</p>
<div class="buttons"><button type="submit" class="primary">${t(lang, r.previous ? "editor:cosign.reconfirmButton" : "editor:cosign.signButton")}</button></div>
</form>
<form method="post" action="${editorPaths.receivedAction(o.slug, r.id, "decline")}" class="stack card">${csrfField(csrf)}
<input type="hidden" name="confirm" value="yes">
<h2>${t(lang, "editor:cosign.declineTitle")}</h2>
<p class="hint">${t(lang, "editor:cosign.declineHint")}</p>
<div class="buttons"><button type="submit" class="danger">${t(lang, "editor:cosign.declineButton")}</button></div>
</form>`
    : r.stamp && o.revoked
      ? html`<p class="notice">${t(lang, "editor:cosign.revokedNotice")}</p>`
      : r.stamp
        ? html`<p class="notice">${t(lang, "editor:cosign.signedNotice")}</p>
<form method="post" action="${editorPaths.receivedAction(o.slug, r.id, "revoke")}" class="stack card">${csrfField(csrf)}
<input type="hidden" name="confirm" value="yes">
<h2>${t(lang, "editor:cosign.revokeTitle")}</h2>
<p class="hint">${t(lang, "editor:cosign.revokeHint")}</p>
<div class="buttons"><button type="submit" class="danger">${t(lang, "editor:cosign.revokeButton")}</button></div>
</form>`
        : ""
}`;
  return editorPage({ view, title, body, path: editorPaths.received(o.slug, r.id), done: o.done });
}
