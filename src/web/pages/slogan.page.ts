import { placardFormats } from "../../modules/slogan/placard.service.ts";
import { languagesOf, type SloganView } from "../../modules/slogan/slogan.types.ts";
import { t } from "../../shared/i18n.ts";
import type { Urls } from "../../shared/urls.ts";
import { html, type SafeHtml } from "../html.ts";
import { langAttr, localized } from "./event.page.ts";
import { layout } from "./layout.ts";

const languageName = (code: string, lang: string) => new Intl.DisplayNames([lang], { type: "language" }).of(code) ?? code;

/** Where an adopted slogan comes from, linked to its original. */
function originLine(slogan: SloganView, lang: string): SafeHtml | string {
  if (!slogan.origin) return "";
  const name = slogan.origin.actorName ?? new URL(slogan.origin.actorApId).host;
  return html`<p class="muted">${t(lang, "slogan:page.adoptedFrom")} <a href="${slogan.origin.url ?? slogan.origin.apId}" rel="nofollow noopener">${name}</a></p>`;
}

/** The public page of a slogan: in every language, its placards to print and its share images. */
export function sloganPage(opts: { slogan: SloganView; lang: string; wanted: readonly string[]; urls: Urls }): string {
  const { slogan, lang, wanted, urls } = opts;
  const primary = slogan.collective.primaryLanguage;
  const main = localized(slogan.text, wanted, primary, lang);
  const collective = localized(slogan.collective.name, wanted, primary, lang);
  const callTitle = slogan.call ? localized(slogan.call.title, wanted, primary, lang) : undefined;
  const eventName = slogan.event ? localized(slogan.event.name, wanted, primary, lang) : undefined;
  const languages = languagesOf(slogan);
  const first = languages[0] ?? primary;
  const body = html`<article>
<h1 class="slogan"${langAttr(main?.lang)}>${main?.text ?? ""}</h1>
<p class="muted">${t(lang, "slogan:page.by")} <a href="${urls.collective(slogan.collective.slug).pathname}"${langAttr(collective?.lang)}>${collective?.text ?? slogan.collective.slug}</a></p>
${originLine(slogan, lang)}
${slogan.call ? html`<p>${t(lang, "slogan:page.forCall")} <a href="${slogan.call.apId.pathname}"${langAttr(callTitle?.lang)}>${callTitle?.text ?? ""}</a></p>` : ""}
${slogan.event ? html`<p>${t(lang, "slogan:page.forEvent")} <a href="${slogan.event.apId.pathname}"${langAttr(eventName?.lang)}>${eventName?.text ?? ""}</a></p>` : ""}
${slogan.tags.length > 0 ? html`<p class="muted">${slogan.tags.map((tag) => `#${tag}`).join(" ")}</p>` : ""}
<figure><img src="${urls.sloganShareImage(slogan.id, first, slogan.version).pathname}" width="1200" height="630" alt="${slogan.text[first] ?? ""}" lang="${first}"></figure>
<section aria-labelledby="placards"><h2 id="placards">${t(lang, "slogan:page.placards")}</h2>
<p class="muted">${t(lang, "slogan:page.placardsHint")}</p>
<ul class="event-list">${languages.map(
    (code) => html`<li><span lang="${code}">${slogan.text[code] ?? ""}</span> <span class="muted">(${languageName(code, lang)})</span><br>
${placardFormats.map((format) => html`<a href="${urls.sloganPlacard(slogan.id, code, ...(format.split("-") as [string, string])).pathname}" type="application/pdf">${t(lang, `slogan:format.${format}`)}</a> · `)}<a href="${urls.sloganShareImage(slogan.id, code, slogan.version).pathname}" type="image/png">${t(lang, "slogan:page.shareImage")}</a></li>`,
  )}</ul></section>
</article>`;
  return layout({ lang, title: main?.text ?? "", body, path: urls.slogan(slogan.id).pathname });
}

/** A list of slogans (a collective's page, a call's page). */
export function slogansSection(opts: { slogans: readonly SloganView[]; lang: string; wanted: readonly string[]; urls: Urls }): SafeHtml {
  const { lang, wanted, urls } = opts;
  return html`<section aria-labelledby="slogans"><h2 id="slogans">${t(lang, "slogan:page.slogans")}</h2>
<ul class="event-list">${opts.slogans.map((s) => {
    const text = localized(s.text, wanted, s.collective.primaryLanguage, lang);
    return html`<li><a href="${urls.slogan(s.id).pathname}"${langAttr(text?.lang)}>${text?.text ?? ""}</a>${s.origin ? html` <span class="muted">(${t(lang, "slogan:page.adopted")})</span>` : ""}</li>`;
  })}</ul></section>`;
}
