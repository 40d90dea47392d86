import type { Collective } from "../../../modules/collective/collective.entity.ts";
import { fill, paths } from "../../../shared/paths.ts";
import type { EventView } from "../../../modules/event/event.service.ts";
import { formatEventWhen } from "../../wording.ts";
import type { FollowerView } from "../../../modules/follower/follower.service.ts";
import { t } from "../../../shared/i18n.ts";
import { pickLanguage } from "../../../shared/language.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { buttonForm } from "./forms.ts";

export function homePage(
  view: EditorView,
  o: { collectives: readonly { slug: string; name: string; role: string }[]; canCreate: boolean; canBlock?: boolean; done?: string | undefined },
): string {
  const { lang } = view;
  const body = html`<h1>${t(lang, "editor:home.title")}</h1>
${
  o.collectives.length > 0
    ? html`<ul class="cards">${o.collectives.map(
        (c) => html`<li class="card"><a href="${editorPaths.collective(c.slug)}">${c.name}</a> <span class="muted">@${c.slug} · ${t(lang, `editor:role.${c.role}`)}</span></li>`,
      )}</ul>`
    : html`<p>${t(lang, "editor:home.none")}</p>`
}
${o.canCreate ? html`<p><a class="button" href="${editorPaths.newCollective}">${t(lang, "editor:collective.create")}</a></p>` : ""}
${o.canBlock ? html`<p><a href="${editorPaths.instanceBlocks}">${t(lang, "editor:blocks.instanceTitle")}</a></p>` : ""}`;
  return editorPage({ view, title: t(lang, "editor:home.title"), body, path: editorPaths.home, done: o.done });
}

function eventList(lang: string, items: readonly EventView[], empty: string) {
  if (items.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<ul class="events">${items.map((v) => {
    const e = v.event;
    const name = pickLanguage(e.name, [lang], e.organizer.primaryLanguage)?.text ?? "";
    return html`<li><a href="${editorPaths.event(e.id)}">${name}</a><br><span class="muted">${formatEventWhen(e, lang)}${
      e.status !== "scheduled" ? html` · <strong>${t(lang, `web:event.status_${e.status}`)}</strong>` : ""
    }</span></li>`;
  })}</ul>`;
}

export function collectiveDashboard(
  view: EditorView,
  o: {
    collective: Collective;
    name: string;
    isOwner: boolean;
    followerCount: number;
    requests: readonly FollowerView[];
    upcoming: readonly EventView[];
    drafts: readonly EventView[];
    done?: string | undefined;
  },
): string {
  const { lang, csrf } = view;
  const slug = o.collective.slug;
  const body = html`<h1>${o.name} <span class="muted">@${slug}</span></h1>
<p class="actions"><a class="button primary" href="${editorPaths.newEvent(slug)}">${t(lang, "editor:dashboard.newEvent")}</a>
<a href="${fill(paths.actor, { identifier: slug })}">${t(lang, "editor:dashboard.publicPage")}</a></p>
<section class="card" aria-labelledby="upcoming"><h2 id="upcoming">${t(lang, "editor:dashboard.upcoming")}</h2>
${eventList(lang, o.upcoming, t(lang, "editor:dashboard.noUpcoming"))}</section>
<section class="card" aria-labelledby="drafts"><h2 id="drafts">${t(lang, "editor:dashboard.drafts")}</h2>
${eventList(lang, o.drafts, t(lang, "editor:dashboard.noDrafts"))}</section>
<section class="card" aria-labelledby="followers"><h2 id="followers">${t(lang, "editor:dashboard.followers")}</h2>
<p>${t(lang, "web:collective.followers", { count: o.followerCount })}</p>
${
  o.requests.length > 0
    ? html`<h3>${t(lang, "editor:dashboard.requests")}</h3><ul class="requests">${o.requests.map(
        (f) => html`<li><span class="who">${f.handle ?? f.actorApId}</span>
${buttonForm({ action: editorPaths.followers(slug), csrf, label: t(lang, "editor:dashboard.approve"), hidden: { actor: f.actorApId, decision: "approve" } })}
${buttonForm({ action: editorPaths.followers(slug), csrf, label: t(lang, "editor:dashboard.reject"), danger: true, hidden: { actor: f.actorApId, decision: "reject" } })}</li>`,
      )}</ul>`
    : o.isOwner && o.collective.manuallyApprovesFollowers
      ? html`<p class="muted">${t(lang, "editor:dashboard.noRequests")}</p>`
      : ""
}</section>
<nav class="card" aria-label="${t(lang, "editor:dashboard.more")}"><ul class="links">
<li><a href="${editorPaths.calls(slug)}">${t(lang, "editor:call.listTitle")}</a></li>
<li><a href="${editorPaths.slogans(slug)}">${t(lang, "editor:slogan.listTitle")}</a></li>
<li><a href="${editorPaths.presskits(slug)}">${t(lang, "editor:presskit.listTitle")}</a></li>
<li><a href="${editorPaths.actionkits(slug)}">${t(lang, "actionkit:editor.listTitle")}</a></li>
<li><a href="${editorPaths.partners(slug)}">${t(lang, "editor:partners.title")}</a></li>
<li><a href="${editorPaths.receivedList(slug)}">${t(lang, "editor:cosign.receivedTitle")}</a></li>
<li><a href="${editorPaths.coorganisedList(slug)}">${t(lang, "coorganise:partner.listTitle")}</a></li>
<li><a href="${editorPaths.members(slug)}">${t(lang, "editor:members.title")}</a></li>
${o.isOwner ? html`<li><a href="${editorPaths.settings(slug)}">${t(lang, "editor:settings.title")}</a></li><li><a href="${editorPaths.audit(slug)}">${t(lang, "editor:audit.title")}</a></li><li><a href="${editorPaths.blocks(slug)}">${t(lang, "editor:blocks.title")}</a></li>` : ""}
</ul><p class="muted">${t(lang, "editor:dashboard.later")}</p></nav>`;
  return editorPage({ view, title: o.name, body, path: editorPaths.collective(slug), done: o.done });
}
