import type { BlockView } from "../../../modules/moderation/block.service.ts";
import type { PartnerView } from "../../../modules/partner/partner.types.ts";
import { t } from "../../../shared/i18n.ts";
import { html, type SafeHtml } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { buttonForm, checkbox, csrfField, errorSummary, input } from "./forms.ts";

const dateTime = (lang: string, d: Date) => new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(d);

/** How a partner is named on the page: its handle, else its actor's URL. */
export const partnerLabel = (p: PartnerView) => (p.handle ? `@${p.handle.replace(/^@/, "")}` : p.actorApId);

/** A collective's partners: follow one by handle or URL, see each one's state, relay or not, unfollow. */
export function partnersPage(
  view: EditorView,
  o: {
    slug: string;
    name: string;
    partners: readonly PartnerView[];
    actor?: string;
    relay?: boolean;
    problem?: string | undefined;
    detail?: string | undefined;
    done?: string | undefined;
  },
): string {
  const { lang, csrf } = view;
  const rows = o.partners.map(
    (p) => html`<li class="card partner">
<p><strong class="who">${p.name ?? partnerLabel(p)}</strong>${p.name ? html` <span class="muted who">${partnerLabel(p)}</span>` : ""}</p>
<p><span class="state state-${p.state}">${t(lang, `editor:partners.state.${p.state}`)}</span> · ${t(lang, "editor:partners.since", { date: dateTime(lang, p.since) })}${
      p.lastActivityAt ? html` · ${t(lang, "editor:partners.lastActivity", { date: dateTime(lang, p.lastActivityAt) })}` : ""
    }</p>
<p>${t(lang, p.relay ? "editor:partners.relayOn" : "editor:partners.relayOff")}</p>
<div class="buttons">${buttonForm({
      action: editorPaths.partner(o.slug, p.id, "relay"),
      csrf,
      label: t(lang, p.relay ? "editor:partners.relayStop" : "editor:partners.relayStart"),
      hidden: { relay: p.relay ? "0" : "1" },
    })}
<a href="${editorPaths.partner(o.slug, p.id, "unfollow")}">${t(lang, "editor:partners.unfollow")}</a></div>
</li>`,
  );
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.name}</a></p>
<h1>${t(lang, "editor:partners.title")}</h1>
<p>${t(lang, "editor:partners.intro")}</p>
${o.problem ? errorSummary(lang, [{ field: "actor", message: o.problem }]) : ""}
<form method="post" action="${editorPaths.partners(o.slug)}" class="stack card">${csrfField(csrf)}
<h2>${t(lang, "editor:partners.follow")}</h2>
${input({ name: "actor", label: t(lang, "editor:partners.actor"), value: o.actor, hint: t(lang, "editor:partners.actorHint"), error: o.problem, required: true })}
${o.detail ? html`<p class="muted" lang="en">${o.detail}</p>` : ""}
${checkbox({ name: "relay", label: t(lang, "editor:partners.relay"), checked: o.relay === true, hint: t(lang, "editor:partners.relayHint") })}
<div class="buttons"><button type="submit" class="primary">${t(lang, "editor:partners.followButton")}</button></div>
</form>
<h2>${t(lang, "editor:partners.list")}</h2>
${rows.length > 0 ? html`<ul class="cards partners">${rows}</ul>` : html`<p class="muted">${t(lang, "editor:partners.none")}</p>`}`;
  return editorPage({ view, title: t(lang, "editor:partners.title"), body, path: editorPaths.partners(o.slug), done: o.done });
}

/** Unfollowing asks first: what goes with it. */
export function unfollowPage(view: EditorView, o: { slug: string; partner: PartnerView }): string {
  const { lang } = view;
  const title = t(lang, "editor:partners.unfollowTitle", { name: o.partner.name ?? partnerLabel(o.partner) });
  const body = html`<h1>${title}</h1>
<p>${t(lang, "editor:partners.unfollowText")}</p>
<form method="post" action="${editorPaths.partner(o.slug, o.partner.id, "unfollow")}" class="stack">${csrfField(view.csrf)}
<input type="hidden" name="confirm" value="yes">
<div class="buttons"><a href="${editorPaths.partners(o.slug)}">${t(lang, "editor:event.confirm.back")}</a>
<button type="submit" class="danger">${t(lang, "editor:partners.unfollowButton")}</button></div>
</form>`;
  return editorPage({ view, title, body, path: editorPaths.partner(o.slug, o.partner.id, "unfollow") });
}

/** What a new block took away, as the page says it. */
export interface PurgeCounts {
  readonly followers: number;
  readonly partners: number;
  readonly partnerEvents: number;
}

/** Blocks of a collective (its owners) or of the instance (its admin): add, see, lift. */
export function blocksPage(
  view: EditorView,
  o: {
    scope: { slug: string; name: string } | "instance";
    blocks: readonly BlockView[];
    configured?: readonly string[];
    target?: string;
    reason?: string;
    problem?: string | undefined;
    purged?: PurgeCounts | undefined;
    done?: string | undefined;
  },
): string {
  const { lang, csrf } = view;
  const instance = o.scope === "instance";
  const action = o.scope === "instance" ? editorPaths.instanceBlocks : editorPaths.blocks(o.scope.slug);
  const removeAction = (id: string) => (o.scope === "instance" ? editorPaths.instanceBlock(id) : editorPaths.block(o.scope.slug, id));
  const title = t(lang, instance ? "editor:blocks.instanceTitle" : "editor:blocks.title");
  const purged: SafeHtml | "" = o.purged
    ? html`<p class="notice">${t(lang, "editor:blocks.purged", { followers: o.purged.followers, partners: o.purged.partners, events: o.purged.partnerEvents })}</p>`
    : "";
  const rows = o.blocks.map(
    (b) => html`<li class="card block"><p><strong class="who">${b.target}</strong> <span class="muted">${t(lang, `editor:blocks.kind.${b.kind}`)}</span></p>
${b.reason ? html`<p>${b.reason}</p>` : ""}
${b.createdAt ? html`<p class="muted">${t(lang, "editor:blocks.since", { date: dateTime(lang, b.createdAt) })}</p>` : ""}
${b.id ? buttonForm({ action: removeAction(b.id), csrf, label: t(lang, "editor:blocks.remove"), hidden: { confirm: "yes" } }) : ""}</li>`,
  );
  const body = html`<p><a href="${o.scope === "instance" ? editorPaths.home : editorPaths.collective(o.scope.slug)}">← ${o.scope === "instance" ? t(lang, "editor:nav.dashboard") : o.scope.name}</a></p>
<h1>${title}</h1>
<p>${t(lang, instance ? "editor:blocks.instanceIntro" : "editor:blocks.intro")}</p>
${purged}
${o.problem ? errorSummary(lang, [{ field: "target", message: o.problem }]) : ""}
<form method="post" action="${action}" class="stack card">${csrfField(csrf)}
<h2>${t(lang, "editor:blocks.add")}</h2>
${input({ name: "target", label: t(lang, "editor:blocks.target"), value: o.target, hint: t(lang, "editor:blocks.targetHint"), error: o.problem, required: true })}
${input({ name: "reason", label: t(lang, "editor:blocks.reason"), value: o.reason, hint: t(lang, "editor:blocks.reasonHint") })}
<div class="buttons"><button type="submit" class="danger">${t(lang, "editor:blocks.addButton")}</button></div>
</form>
<h2>${t(lang, "editor:blocks.list")}</h2>
${rows.length > 0 ? html`<ul class="cards blocks">${rows}</ul>` : html`<p class="muted">${t(lang, "editor:blocks.none")}</p>`}
${
  o.configured && o.configured.length > 0
    ? html`<h2>${t(lang, "editor:blocks.configured")}</h2><p class="muted">${t(lang, "editor:blocks.configuredHint")}</p><ul>${o.configured.map((d) => html`<li>${d}</li>`)}</ul>`
    : ""
}`;
  return editorPage({ view, title, body, path: action, done: o.done });
}
