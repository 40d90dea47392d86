import type { JoinPolicy } from "../../../modules/cosign/join-request.entity.ts";
import type { JoinRequestView, SentJoinView } from "../../../modules/cosign/join-requests.service.ts";
import { t } from "../../../shared/i18n.ts";
import { html, type SafeHtml } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { buttonForm, csrfField, errorSummary, input } from "./forms.ts";

const when = (instant: Temporal.Instant, lang: string) =>
  new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(instant.epochMilliseconds));

/**
 * On a call's co-signatures page: how requests to sign it are approved (automatic or by hand), and the
 * pending requests with approve and refuse. Requests are private: only the call's editors see them.
 */
export function joinRequestsSection(lang: string, csrf: string, o: { callId: string; open: boolean; policy: JoinPolicy; requests: readonly JoinRequestView[] }): SafeHtml {
  const pending = o.requests.filter((r) => r.state === "pending");
  const decided = o.requests.filter((r) => r.state !== "pending");
  const option = (value: JoinPolicy) =>
    html`<label><input type="radio" name="policy" value="${value}"${o.policy === value ? html` checked` : ""}> ${t(lang, `editor:join.policy.${value}`)}</label>`;
  return html`<section class="card" aria-labelledby="join-requests"><h2 id="join-requests">${t(lang, "editor:join.title")}</h2>
<p>${t(lang, o.open ? "editor:join.intro" : "editor:join.notOpen")}</p>
<form method="post" action="${editorPaths.callJoinPolicy(o.callId)}" class="stack">${csrfField(csrf)}
<fieldset><legend>${t(lang, "editor:join.policyLegend")}</legend>${option("manual")}<br>${option("automatic")}</fieldset>
<div class="buttons"><button type="submit">${t(lang, "editor:join.policySave")}</button></div>
</form>
${
  pending.length === 0
    ? html`<p class="muted">${t(lang, "editor:join.nonePending")}</p>`
    : html`<ul class="join-requests">${pending.map(
        (r) => html`<li><strong class="who">${r.requester.name ?? r.requester.apId}</strong> <span class="muted">${r.requester.apId}</span><br>
<span class="muted">${t(lang, "editor:join.asked", { version: r.version, languages: r.languages.map((l) => languageName(l, lang)).join(", "), date: when(r.createdAt, lang) })}</span>
<div class="buttons">${buttonForm({ action: editorPaths.callJoinDecision(o.callId, r.id, "approve"), csrf, label: t(lang, "editor:join.approve") })}${buttonForm({ action: editorPaths.callJoinDecision(o.callId, r.id, "refuse"), csrf, label: t(lang, "editor:join.refuse"), danger: true })}</div></li>`,
      )}</ul>`
}
${
  decided.length === 0
    ? ""
    : html`<ul class="join-requests decided">${decided.map((r) => html`<li>${r.requester.name ?? r.requester.apId} — ${t(lang, `editor:join.state.${r.state}`)}</li>`)}</ul>`
}</section>`;
}

/** On a collective's invitations page: ask to sign an open call of another server, and the requests sent. */
export function askToJoinSection(lang: string, csrf: string, o: { slug: string; sent: readonly SentJoinView[]; call?: string | undefined; problem?: string | undefined; detail?: string | undefined }): SafeHtml {
  return html`<section class="card" aria-labelledby="ask-to-join"><h2 id="ask-to-join">${t(lang, "editor:join.askTitle")}</h2>
${o.problem ? errorSummary(lang, [{ field: "call", message: o.problem }]) : ""}
<form method="post" action="${editorPaths.joins(o.slug)}" class="stack">${csrfField(csrf)}
${input({ name: "call", label: t(lang, "editor:join.callLabel"), value: o.call, hint: t(lang, "editor:join.callHint"), error: o.problem, required: true })}
${o.detail ? html`<p class="muted" lang="en">${o.detail}</p>` : ""}
<div class="buttons"><button type="submit" class="primary">${t(lang, "editor:join.askButton")}</button></div>
</form>
${
  o.sent.length === 0
    ? html`<p class="muted">${t(lang, "editor:join.noneSent")}</p>`
    : html`<ul class="joins">${o.sent.map(
        (s) => html`<li><a href="${s.callApId}">${s.callApId}</a> — <strong>${t(lang, `editor:join.sentState.${s.state}`)}</strong><br>
<span class="muted">${t(lang, "editor:join.sentAt", { version: s.version, languages: s.languages.map((l) => languageName(l, lang)).join(", "), date: when(s.signedAt, lang) })}</span></li>`,
      )}</ul>`
}</section>`;
}
