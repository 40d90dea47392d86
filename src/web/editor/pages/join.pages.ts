import type { JoinPolicy } from "../../../modules/cosign/join-request.entity.ts";
import type { SignableTexts, TextDigest } from "../../../modules/cosign/call-digest.ts";
import type { JoinRequestView, SentJoinView } from "../../../modules/cosign/join-requests.service.ts";
import type { PartnerCallListed } from "../../../modules/call/partner-calls.service.ts";
import { t } from "../../../shared/i18n.ts";
import { pickLanguage } from "../../../shared/language.ts";
import { html, type SafeHtml } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { signableTextSections } from "./cosign.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { buttonForm, checkbox, csrfField, errorSummary, input } from "./forms.ts";

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

/** The requests a collective sent, newest first, with where each stands. */
function sentList(lang: string, sent: readonly SentJoinView[]): SafeHtml {
  return sent.length === 0
    ? html`<p class="muted">${t(lang, "editor:join.noneSent")}</p>`
    : html`<ul class="joins">${sent.map(
        (s) => html`<li><a href="${s.callApId}">${s.callApId}</a> — <strong>${t(lang, `editor:join.sentState.${s.state}`)}</strong><br>
<span class="muted">${t(lang, "editor:join.sentAt", { version: s.version, languages: s.languages.map((l) => languageName(l, lang)).join(", "), date: when(s.signedAt, lang) })}</span></li>`,
      )}</ul>`;
}

/** Where the collective stands with a partner's call, when it asked or signed already. */
export type PartnerCallAnswer = "pending" | "listed" | "signed";

/**
 * The open calls of the partners the collective follows (as their servers sent them), each with a
 * "request to sign" button that reads its exact text first (the GET of the join screen); a call the
 * collective already asked to sign, or signed, says so instead.
 */
function partnerCallsSection(lang: string, o: { slug: string; calls: readonly PartnerCallListed[]; answers: ReadonlyMap<string, PartnerCallAnswer> }): SafeHtml {
  return html`<section class="card" aria-labelledby="partner-calls"><h2 id="partner-calls">${t(lang, "editor:join.partnerCalls.title")}</h2>
<p>${t(lang, "editor:join.partnerCalls.intro")}</p>
${
  o.calls.length === 0
    ? html`<p class="muted">${t(lang, "editor:join.partnerCalls.none")}</p>`
    : html`<ul class="partner-calls">${o.calls.map((c) => {
        const title = pickLanguage(c.title, [lang], c.language);
        const answer = o.answers.get(c.apId);
        return html`<li><a href="${c.url}"${title?.language && title.language !== "und" ? html` lang="${title.language}"` : ""}>${title?.text ?? c.apId}</a><br>
<span class="muted">${t(lang, "editor:join.partnerCalls.by", { partner: c.author.name ?? c.author.apId })}${c.deadline ? html` · ${t(lang, "editor:join.partnerCalls.deadline", { date: when(c.deadline, lang) })}` : ""}</span>
${
  answer
    ? html`<br><strong class="answer">${t(lang, answer === "signed" ? "editor:join.partnerCalls.signed" : `editor:join.sentState.${answer}`)}</strong>`
    : html`<form method="get" action="${editorPaths.joinNew(o.slug)}" class="inline"><input type="hidden" name="call" value="${c.apId}"><button type="submit">${t(lang, "editor:join.partnerCalls.request")}</button></form>`
}</li>`;
      })}</ul>`
}</section>`;
}

/** The form that reads a call by its address (GET: nothing is sent before the text is shown). */
function callAddressForm(lang: string, o: { slug: string; call?: string | undefined; problem?: string | undefined; detail?: string | undefined }): SafeHtml {
  return html`${o.problem ? errorSummary(lang, [{ field: "call", message: o.problem }]) : ""}
<form method="get" action="${editorPaths.joinNew(o.slug)}" class="stack">
${input({ name: "call", label: t(lang, "editor:join.callLabel"), value: o.call, hint: t(lang, "editor:join.callHint"), error: o.problem, required: true })}
${o.detail ? html`<p class="muted" lang="en">${o.detail}</p>` : ""}
<div class="buttons"><button type="submit" class="primary">${t(lang, "editor:join.readButton")}</button></div>
</form>`;
}

/** On a collective's invitations page: ask to sign an open call of another server, and the requests sent. */
export function askToJoinSection(lang: string, _csrf: string, o: { slug: string; sent: readonly SentJoinView[]; call?: string | undefined; problem?: string | undefined; detail?: string | undefined }): SafeHtml {
  return html`<section class="card" aria-labelledby="ask-to-join"><h2 id="ask-to-join">${t(lang, "editor:join.askTitle")}</h2>
<p><a href="${editorPaths.joinNew(o.slug)}#partner-calls">${t(lang, "editor:join.partnerCalls.link")}</a></p>
${callAddressForm(lang, o)}
${sentList(lang, o.sent)}</section>`;
}

/** A call of another server read for signing: what the request to sign would cover. */
export interface CallToSign {
  readonly call: string;
  readonly initiatorName: string | null;
  readonly initiator: string;
  readonly version: number;
  readonly languages: readonly string[];
  readonly authoritative: readonly string[];
  readonly texts: SignableTexts;
  readonly digests: readonly TextDigest[];
}

/**
 * "Request to sign": the address of a partner's open call; once read, its exact text in every language
 * it can be signed in, the languages to sign, and the button that sends the request. Then the requests sent.
 */
export function askToJoinPage(
  view: EditorView,
  o: {
    slug: string;
    name: string;
    sent: readonly SentJoinView[];
    /** The open calls of followed partners, shown while no call is being read. */
    partnerCalls?: { readonly calls: readonly PartnerCallListed[]; readonly answers: ReadonlyMap<string, PartnerCallAnswer> } | undefined;
    call?: string | undefined;
    read?: CallToSign | undefined;
    chosen?: readonly string[] | undefined;
    problem?: string | undefined;
    detail?: string | undefined;
    done?: string | undefined;
  },
): string {
  const { lang, csrf } = view;
  const title = t(lang, "editor:join.askTitle");
  const r = o.read;
  const body = html`<p><a href="${editorPaths.receivedList(o.slug)}">← ${t(lang, "editor:cosign.receivedTitle")}</a> · ${o.name}</p>
<h1>${title}</h1>
<p>${t(lang, "editor:join.askIntro")}</p>
${!r && o.partnerCalls ? partnerCallsSection(lang, { slug: o.slug, ...o.partnerCalls }) : ""}
${!r && o.partnerCalls ? html`<h2>${t(lang, "editor:join.partnerCalls.byAddress")}</h2>` : ""}
${callAddressForm(lang, { slug: o.slug, call: o.call, problem: r ? undefined : o.problem, detail: r ? undefined : o.detail })}
${
  r
    ? html`<h2 lang="${r.languages[0] ?? lang}">${r.texts[r.languages[0] ?? ""]?.title ?? r.call}</h2>
<p>${t(lang, "editor:cosign.from", { initiator: r.initiatorName ?? r.initiator })} · ${t(lang, "editor:cosign.versionOf", { version: r.version })}</p>
${o.problem ? errorSummary(lang, undefined, o.detail ? `${o.problem} (${o.detail})` : o.problem) : ""}
<p>${t(lang, "editor:cosign.readFirst")}</p>
${signableTextSections(lang, { languages: r.languages, texts: r.texts, digests: r.digests, authoritative: r.authoritative })}
<form method="post" action="${editorPaths.joins(o.slug)}" class="stack card">${csrfField(csrf)}
<input type="hidden" name="call" value="${r.call}"><input type="hidden" name="version" value="${r.version}">
<h2>${t(lang, "editor:join.sendTitle")}</h2>
<fieldset><legend>${t(lang, "editor:cosign.signLanguages")}</legend>
${r.languages.map((l) => checkbox({ name: `language.${l}`, label: languageName(l, lang), checked: o.chosen ? o.chosen.includes(l) : true }))}</fieldset>
<p class="hint">${t(lang, "editor:join.sendHint")}</p>
<div class="buttons"><button type="submit" class="primary">${t(lang, "editor:join.askButton")}</button></div>
</form>`
    : ""
}
<section class="card" aria-labelledby="sent-requests"><h2 id="sent-requests">${t(lang, "editor:join.sentTitle")}</h2>
${sentList(lang, o.sent)}</section>`;
  return editorPage({ view, title, body, path: editorPaths.joinNew(o.slug), done: o.done });
}
