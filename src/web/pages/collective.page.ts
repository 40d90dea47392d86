import type { Collective } from "../../modules/collective/collective.entity.ts";
import { t } from "../../shared/i18n.ts";
import { pickLanguage } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { escapeHtml } from "../../shared/html.ts";
import { html, raw, type SafeHtml } from "../html.ts";
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

export function homePage(opts: { collectives: readonly Collective[]; lang: string; wanted: readonly string[]; urls: Urls }): string {
  const items = opts.collectives.map((c) => {
    const name = pickLanguage(c.name, opts.wanted, c.primaryLanguage);
    return html`<li><a href="${opts.urls.collective(c.slug).pathname}">${name?.text ?? c.slug}</a> <span class="muted">@${c.slug}</span></li>`;
  });
  const body = html`<h1>${t(opts.lang, "web:home.title")}</h1>
<p class="muted">${t(opts.lang, "web:site.tagline")}</p>
${items.length > 0 ? html`<ul>${items}</ul>` : html`<p>${t(opts.lang, "web:home.empty")}</p>`}
${items.length > 0 ? subscribeBox(opts.lang, opts.urls.instanceIcs()) : ""}`;
  return layout({ lang: opts.lang, title: t(opts.lang, "web:home.title"), body, path: "/" });
}
