import type { Collective } from "../../modules/collective/collective.entity.ts";
import { paths } from "../../shared/paths.ts";
import { t } from "../../shared/i18n.ts";
import { pickLanguage } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { escapeHtml } from "../../shared/html.ts";
import { html, raw, type SafeHtml } from "../html.ts";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import { eventList } from "./calendar.page.ts";
import { subscribeBox } from "./event.page.ts";
import { layout } from "./layout.ts";

export function collectivePage(opts: {
  collective: Collective;
  followerCount: number;
  lang: string;
  wanted: readonly string[];
  urls: Urls;
  /** Extra sections (upcoming events…) rendered by their own modules. */
  sections?: readonly SafeHtml[];
  /** A link to the collective's editor pages, for a visitor who is signed in (never on a cached page). */
  manageUrl?: string;
}): string {
  const { collective: c, lang, urls } = opts;
  const name = pickLanguage(c.name, opts.wanted, c.primaryLanguage);
  const summary = c.summary ? pickLanguage(c.summary, opts.wanted, c.primaryLanguage) : undefined;
  const handle = `@${c.slug}@${urls.handleHost}`;
  // Only an avatar uploaded here: a page of this site loads nothing from another origin.
  const avatar = c.iconUrl && urls.mediaName(c.iconUrl) ? new URL(c.iconUrl).pathname : undefined;
  const body = html`
<div class="collective-head">${avatar ? html`<img class="avatar" src="${avatar}" alt="" width="96" height="96">` : ""}
<h1${name && name.language !== lang ? html` lang="${name.language}"` : ""}>${name?.text ?? c.slug}</h1></div>
${summary ? html`<p${summary.language !== lang ? html` lang="${summary.language}"` : ""}>${summary.text}</p>` : ""}
${opts.manageUrl ? html`<p><a class="manage" href="${opts.manageUrl}">${t(lang, "web:collective.manage")}</a></p>` : ""}
<section class="card" aria-labelledby="follow">
<h2 id="follow">${t(lang, "web:collective.follow")}</h2>
<p>${raw(escapeHtml(t(lang, "web:collective.handleLine", { handle: "\u0000" })).replace("\u0000", `<code>${escapeHtml(handle)}</code>`))}</p>
<p class="muted">${t(lang, "web:collective.followers", { count: opts.followerCount })}${
    c.manuallyApprovesFollowers ? html` · ${t(lang, "web:collective.manual")}` : ""
  }</p>
</section>
${opts.sections ?? []}`;
  return layout({ lang, title: name?.text ?? c.slug, body, path: urls.collective(c.slug).pathname });
}

export function homePage(opts: {
  collectives: readonly Collective[];
  upcoming: readonly PublishedEvent[];
  /** Recurring events' rules in words, by id. */
  rules?: ReadonlyMap<string, string>;
  lang: string;
  wanted: readonly string[];
  urls: Urls;
}): string {
  const { lang, urls } = opts;
  const items = opts.collectives.map((c) => {
    const name = pickLanguage(c.name, opts.wanted, c.primaryLanguage);
    const summary = c.summary ? pickLanguage(c.summary, opts.wanted, c.primaryLanguage) : undefined;
    return html`<li><a href="${urls.collective(c.slug).pathname}"${name && name.language !== lang ? html` lang="${name.language}"` : ""}>${name?.text ?? c.slug}</a> <span class="muted">@${c.slug}</span>${
      summary ? html`<br><span${summary.language !== lang ? html` lang="${summary.language}"` : ""}>${summary.text}</span>` : ""
    }</li>`;
  });
  const body = html`<h1>${t(lang, "web:site.name")}</h1>
<p class="muted">${t(lang, "web:site.tagline")}</p>
<section aria-labelledby="upcoming"><h2 id="upcoming">${t(lang, "web:event.upcoming")}</h2>
${opts.upcoming.length > 0 ? eventList(opts.upcoming, { lang, wanted: opts.wanted, urls, organizer: true, ...(opts.rules ? { rules: opts.rules } : {}) }) : html`<p>${t(lang, "web:event.noUpcoming")}</p>`}
<p><a href="${paths.calendar}">${t(lang, "web:home.allEvents")}</a></p></section>
<section aria-labelledby="collectives"><h2 id="collectives">${t(lang, "web:home.title")}</h2>
${items.length > 0 ? html`<ul class="collective-list">${items}</ul>` : html`<p>${t(lang, "web:home.empty")}</p>`}</section>
${items.length > 0 ? subscribeBox(lang, urls.instanceIcs()) : ""}`;
  return layout({ lang, title: t(lang, "web:home.title"), body, path: "/" });
}
