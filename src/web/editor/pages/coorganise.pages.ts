import type { CoorganisedView, CoorganizerInvitationView, CoorganizerView } from "../../../modules/coorganise/coorganise.types.ts";
import type { EventWording } from "../../../modules/event/event-summary.ts";
import type { EventData } from "../../../modules/event/event.types.ts";
import { t } from "../../../shared/i18n.ts";
import { pickLanguage } from "../../../shared/language.ts";
import { html, type SafeHtml } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { csrfField, errorSummary, input } from "./forms.ts";

const when = (instant: Temporal.Instant, lang: string) =>
  new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(instant.epochMilliseconds));

const who = (p: { apId: string; name: string | null }) => p.name ?? p.apId;

/** What an invited collective's editors see of a co-organised event, for the list and its page. */
export type CoorganisedState = "invited" | "reconfirm" | "coorganising" | "unconfirmed" | "declined" | "expired" | "withdrawn" | "deleted" | "ended";

export function coorganisedState(c: CoorganisedView): CoorganisedState {
  const latest = c.requests[0];
  if (c.deleted) return "deleted";
  if (latest?.state === "pending") return latest.purpose === "reconfirm" || c.coorganising ? "reconfirm" : "invited";
  // Still listed by its older stamp, but the change of time or place it was asked to confirm was declined
  // or let expire: the host shows it as awaiting reconfirmation (ADR 0026), so must its own editors.
  if (c.coorganising && unconfirmedChange(c)) return "unconfirmed";
  if (c.coorganising) return "coorganising";
  if (latest?.state === "declined" || latest?.state === "expired" || latest?.state === "withdrawn") return latest.state;
  return "ended";
}

/** The newest request, a reconfirmation declined or expired, for essentials other than those of the newest accepted stamp. */
function unconfirmedChange(c: CoorganisedView): CoorganisedView["requests"][number] | undefined {
  const latest = c.requests[0];
  if (latest?.purpose !== "reconfirm" || (latest.state !== "declined" && latest.state !== "expired")) return undefined;
  const accepted = c.requests.find((r) => r.state === "accepted");
  return accepted && accepted.digest !== latest.digest ? latest : undefined;
}

/** Why an invitation or a reconfirmation is no longer open: when it expired, or what the decline of a change means. */
function lapsedNote(lang: string, c: CoorganisedView, state: CoorganisedState): SafeHtml | "" {
  const latest = c.requests[0];
  if (!latest) return "";
  if (state === "expired") return html`<p class="notice lapsed">${t(lang, "coorganise:partner.expiredOn", { date: when(latest.expiresAt, lang) })}</p>`;
  if (state !== "unconfirmed") return "";
  return html`<p class="notice lapsed">${
    latest.state === "expired" ? t(lang, "coorganise:partner.unconfirmedExpired", { date: when(latest.expiresAt, lang) }) : t(lang, "coorganise:partner.unconfirmedDeclined")
  }</p>`;
}

/** A confirmed, destructive step: a form whose hidden `confirm` says the button was pressed. */
function confirmedForm(action: string, csrf: string, o: { title: string; hint: string; button: string; danger?: boolean }): SafeHtml {
  return html`<form method="post" action="${action}" class="stack card">${csrfField(csrf)}
<input type="hidden" name="confirm" value="yes">
<h2>${o.title}</h2>
<p class="hint">${o.hint}</p>
<div class="buttons"><button type="submit" class="${o.danger === false ? "primary" : "danger"}">${o.button}</button></div>
</form>`;
}

/** The host's co-organisers of an event: invite a partner collective, see each invitation and co-organiser with its state. */
export function eventCoorganizersPage(
  view: EditorView,
  o: {
    eventId: string;
    title: string;
    invitable: boolean;
    invitations: readonly CoorganizerInvitationView[];
    coorganizers: readonly CoorganizerView[];
    partner?: string | undefined;
    expires?: string | undefined;
    problem?: string | undefined;
    detail?: string | undefined;
    done?: string | undefined;
  },
): string {
  const { lang, csrf } = view;
  const pageTitle = t(lang, "coorganise:host.title", { title: o.title });
  // A superseded stamp was replaced by the same collective's newer one: only the newest row counts.
  const shown = o.coorganizers.filter((c) => c.state !== "superseded");
  const body = html`<p><a href="${editorPaths.event(o.eventId)}">← ${o.title}</a></p>
<h1>${pageTitle}</h1>
<p>${t(lang, "coorganise:host.intro")}</p>
${o.problem ? errorSummary(lang, [{ field: "partner", message: o.problem }]) : ""}
${
  o.invitable
    ? html`<form method="post" action="${editorPaths.eventCoorganizers(o.eventId)}" class="stack card">${csrfField(csrf)}
<h2>${t(lang, "coorganise:host.invite")}</h2>
${input({ name: "partner", label: t(lang, "coorganise:host.partner"), value: o.partner, hint: t(lang, "coorganise:host.partnerHint"), error: o.problem, required: true })}
${o.detail ? html`<p class="muted" lang="en">${o.detail}</p>` : ""}
${input({ name: "expires", label: t(lang, "coorganise:host.expires"), type: "date", value: o.expires, hint: t(lang, "coorganise:host.expiresHint") })}
<div class="buttons"><button type="submit" class="primary">${t(lang, "coorganise:host.inviteButton")}</button></div>
</form>`
    : html`<p class="notice">${t(lang, "coorganise:host.notInvitable")}</p>${o.detail ? html`<p class="muted" lang="en">${o.detail}</p>` : ""}`
}
<section class="card" aria-labelledby="coorganizers"><h2 id="coorganizers">${t(lang, "coorganise:host.coorganizers")}</h2>
${
  shown.length === 0
    ? html`<p class="muted">${t(lang, "coorganise:host.noCoorganizers")}</p>`
    : html`<ul class="coorganizers">${shown.map(
        (c) => html`<li><strong class="who">${who(c.partner)}</strong> — <span class="state state-${c.state}">${t(lang, `coorganise:host.coorganizerState.${c.state}`)}</span><br>
<span class="muted">${c.revokedAt ? t(lang, "coorganise:host.withdrewOn", { date: when(c.revokedAt, lang) }) : t(lang, "coorganise:host.verifiedOn", { date: when(c.verifiedAt, lang) })}</span></li>`,
      )}</ul>`
}</section>
<section class="card" aria-labelledby="invitations"><h2 id="invitations">${t(lang, "coorganise:host.invitations")}</h2>
${
  o.invitations.length === 0
    ? html`<p class="muted">${t(lang, "coorganise:host.noInvitations")}</p>`
    : html`<ul class="invitations">${o.invitations.map(
        (i) => html`<li><strong class="who">${who(i.partner)}</strong> — <span class="state state-${i.state}">${t(lang, `coorganise:host.invitationState.${i.state}`)}</span>${
          i.purpose === "reconfirm" ? html` <span class="muted">(${t(lang, "coorganise:host.reconfirmation")})</span>` : ""
        }<br>
<span class="muted">${t(lang, "coorganise:host.invitedOn", { date: when(i.createdAt, lang), expires: when(i.expiresAt, lang) })}</span></li>`,
      )}</ul>`
}</section>`;
  return editorPage({ view, title: pageTitle, body, path: editorPaths.eventCoorganizers(o.eventId), done: o.done });
}

/** The event's exact time (its zone named) and place, as the host's origin serves them. */
function exactWhenWhere(lang: string, data: EventData, wording: EventWording): SafeHtml {
  const start = data.startsAt.toZonedDateTimeISO(data.timezone);
  const end = data.endsAt?.toZonedDateTimeISO(data.timezone);
  const exact = (z: Temporal.ZonedDateTime) => (data.allDay ? z.toPlainDate().toString() : z.toPlainDateTime().toString({ smallestUnit: "minute" }).replace("T", " "));
  const where = wording.formatEventWhere(data, lang);
  const place = data.location;
  const address = place ? [place.name, place.streetAddress, [place.postalCode, place.locality].filter(Boolean).join(" "), place.region, place.country].filter((p) => p && p !== "") : [];
  return html`<dl class="event-essentials">
<dt>${t(lang, "coorganise:partner.when")}</dt>
<dd><time datetime="${data.startsAt.toString()}">${wording.formatEventWhen(data, lang)}</time><br>
<span class="exact">${exact(start)}${end ? html` → ${exact(end)}` : ""} (${data.timezone})</span></dd>
<dt>${t(lang, "coorganise:partner.where")}</dt>
<dd>${where ?? t(lang, "coorganise:partner.noPlace")}${address.length > 0 ? html`<br><span class="address">${address.join(", ")}</span>` : ""}${
    data.onlineUrl ? html`<br><span class="online">${data.onlineUrl}</span>` : ""
  }</dd>
</dl>`;
}

const eventName = (c: CoorganisedView, lang: string) => pickLanguage(c.data.name, [lang], Object.keys(c.data.name)[0] ?? lang);

/** The events other servers' collectives asked this one to co-organise, newest first. */
export function coorganisedListPage(view: EditorView, o: { slug: string; name: string; items: readonly CoorganisedView[]; wording: EventWording; done?: string | undefined }): string {
  const { lang } = view;
  const title = t(lang, "coorganise:partner.listTitle");
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.name}</a></p>
<h1>${title}</h1>
<p>${t(lang, "coorganise:partner.listIntro")}</p>
${
  o.items.length === 0
    ? html`<p class="muted">${t(lang, "coorganise:partner.none")}</p>`
    : html`<ul class="events coorganised">${o.items.map((c) => {
        const name = eventName(c, lang);
        return html`<li><a href="${editorPaths.coorganised(o.slug, c.id)}"${name?.language ? html` lang="${name.language}"` : ""}>${name?.text ?? c.event.apId}</a><br>
<span class="muted">${t(lang, "coorganise:partner.from", { host: c.event.hostName ?? c.event.host })} · ${o.wording.formatEventWhen(c.data, lang)} · <strong>${t(lang, `coorganise:partner.state.${coorganisedState(c)}`)}</strong></span></li>`;
      })}</ul>`
}`;
  return editorPage({ view, title, body, path: editorPaths.coorganisedList(o.slug), done: o.done });
}

/** One co-organised event: its exact time and place, then accept (or reconfirm) or decline, or withdraw. */
export function coorganisedPage(view: EditorView, o: { slug: string; item: CoorganisedView; wording: EventWording; problem?: string | undefined; done?: string | undefined }): string {
  const { lang, csrf } = view;
  const c = o.item;
  const state = coorganisedState(c);
  const name = eventName(c, lang);
  const title = name?.text ?? c.event.apId;
  const open = c.requests[0]?.state === "pending" ? c.requests[0] : undefined;
  const live = c.requests.some((r) => r.state === "accepted");
  const answer = open
    ? html`<form method="post" action="${editorPaths.coorganisedAction(o.slug, c.id, "accept")}" class="stack card">${csrfField(csrf)}
<h2>${t(lang, state === "reconfirm" ? "coorganise:partner.reconfirmTitle" : "coorganise:partner.acceptTitle")}</h2>
<p class="hint">${t(lang, state === "reconfirm" ? "coorganise:partner.reconfirmHint" : "coorganise:partner.acceptHint")}</p>
<p class="muted">${t(lang, "coorganise:partner.until", { date: when(open.expiresAt, lang) })}</p>
<div class="buttons"><button type="submit" class="primary">${t(lang, state === "reconfirm" ? "coorganise:partner.reconfirmButton" : "coorganise:partner.acceptButton")}</button></div>
</form>
${confirmedForm(editorPaths.coorganisedAction(o.slug, c.id, "decline"), csrf, {
  title: t(lang, "coorganise:partner.declineTitle"),
  hint: t(lang, state === "reconfirm" ? "coorganise:partner.declineReconfirmHint" : "coorganise:partner.declineHint"),
  button: t(lang, "coorganise:partner.declineButton"),
})}`
    : "";
  const withdraw =
    live && !c.deleted
      ? confirmedForm(editorPaths.coorganisedAction(o.slug, c.id, "withdraw"), csrf, {
          title: t(lang, "coorganise:partner.withdrawTitle"),
          hint: t(lang, "coorganise:partner.withdrawHint"),
          button: t(lang, "coorganise:partner.withdrawButton"),
        })
      : "";
  const page = c.event.pageUrl ?? c.event.apId;
  const body = html`<p><a href="${editorPaths.coorganisedList(o.slug)}">← ${t(lang, "coorganise:partner.listTitle")}</a></p>
<h1${name?.language ? html` lang="${name.language}"` : ""}>${title}</h1>
<p>${t(lang, "coorganise:partner.from", { host: c.event.hostName ?? c.event.host })} · <strong class="state state-${state}">${t(lang, `coorganise:partner.state.${state}`)}</strong></p>
${lapsedNote(lang, c, state)}
${o.problem ? errorSummary(lang, undefined, o.problem) : ""}
<p>${t(lang, "coorganise:partner.readFirst")}</p>
${exactWhenWhere(lang, c.data, o.wording)}
<p><a href="${page}">${t(lang, "coorganise:partner.hostPage")}</a></p>
${c.coorganising ? html`<p class="hint followers-hint">${t(lang, "coorganise:partner.followersHint")}</p>` : ""}
${answer}
${withdraw}`;
  return editorPage({ view, title, body, path: editorPaths.coorganised(o.slug, c.id), done: o.done });
}
