import { categoryLabel, formatEventWhen } from "../wording.ts";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import type { SloganView } from "../../modules/slogan/slogan.types.ts";
import { t } from "../../shared/i18n.ts";
import { dateTimeFormat, displayNames } from "../../shared/intl-cache.ts";
import { pickLanguage, type LanguageMap } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { html, raw, type SafeHtml } from "../html.ts";
import { layout } from "./layout.ts";
import { slogansSection } from "./slogan.page.ts";

/** Text in the visitor's language by the fallback chain, with a `lang` attribute when it differs from the page's. */
export function localized(map: LanguageMap | undefined, wanted: readonly string[], primary: string, pageLang: string) {
  const picked = map ? pickLanguage(map, wanted, primary) : undefined;
  if (!picked) return undefined;
  return { text: picked.text, lang: picked.language !== pageLang ? picked.language : undefined };
}

/** When it ends, in the event's zone: the time alone on the same day, else the full date and time. */
function endText(e: PublishedEvent, lang: string): string | undefined {
  if (!e.endsAt) return undefined;
  if (e.allDay) return undefined; // formatEventWhen already gives the date range
  const start = e.startsAt.toZonedDateTimeISO(e.timezone);
  const end = e.endsAt.toZonedDateTimeISO(e.timezone);
  const at = new Date(e.endsAt.epochMilliseconds);
  if (start.toPlainDate().equals(end.toPlainDate())) {
    return dateTimeFormat(lang, { timeStyle: "short", timeZone: e.timezone }).format(at);
  }
  return dateTimeFormat(lang, { dateStyle: "full", timeStyle: "short", timeZone: e.timezone }).format(at);
}

function countryName(code: string, lang: string): string {
  try {
    return displayNames([lang], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

export const langAttr = (lang: string | undefined) => (lang ? html` lang="${lang}"` : "");

function mapLink(event: PublishedEvent): string | undefined {
  const p = event.location;
  if (!p) return undefined;
  if (p.latitude !== undefined && p.longitude !== undefined) {
    return `https://www.openstreetmap.org/?mlat=${p.latitude}&mlon=${p.longitude}#map=17/${p.latitude}/${p.longitude}`;
  }
  const query = [p.streetAddress, p.postalCode, p.locality, p.country].filter(Boolean).join(", ");
  return query ? `https://www.openstreetmap.org/search?query=${encodeURIComponent(query)}` : undefined;
}

/** Subscribe links for a feed: webcal:// for calendar apps, https:// and a copyable address. */
export function subscribeBox(lang: string, feed: URL): SafeHtml {
  const webcal = feed.href.replace(/^https?:/, "webcal:");
  return html`<section class="card" aria-labelledby="subscribe">
<h2 id="subscribe">${t(lang, "web:feed.title")}</h2>
<p><a href="${webcal}">${t(lang, "web:feed.webcal")}</a> · <a href="${feed.href}">${t(lang, "web:feed.https")}</a></p>
<p><label>${t(lang, "web:feed.copy")}<br><input type="text" readonly value="${feed.href}" size="50"></label></p>
</section>`;
}

/** The public page of an event, server-rendered, readable without JavaScript. */
export function eventPage(opts: {
  event: PublishedEvent;
  lang: string;
  wanted: readonly string[];
  urls: Urls;
  slogans?: readonly SloganView[];
  sections?: readonly SafeHtml[];
  /** Collectives of other servers that co-organise it (FEDERATION.md "Co-organised events"), listed after the host. */
  coorganizers?: readonly { readonly apId: string; readonly name: string | null }[];
}): string {
  const { event: e, lang, wanted, urls } = opts;
  const coorganizers = opts.coorganizers ?? [];
  const primary = e.organizer.primaryLanguage;
  const name = localized(e.name, wanted, primary, lang);
  const summary = localized(e.summary, wanted, primary, lang);
  const description = localized(e.description, wanted, primary, lang);
  const reason = localized(e.statusReason, wanted, primary, lang);
  const organizer = localized(e.organizer.name, wanted, primary, lang);
  const place = e.location;
  const map = mapLink(e);
  // Only our own uploads: a page of this site loads nothing from another origin.
  const image = e.image && urls.mediaName(e.image.url) ? { url: e.image.url, alt: localized(e.image.alt, wanted, primary, lang) } : undefined;
  const status =
    e.status !== "scheduled"
      ? html`<p class="card" role="status"><strong>${t(lang, `web:event.status_${e.status}`)}</strong>${
          reason ? html` — <span${langAttr(reason.lang)}>${t(lang, "web:event.reason", { reason: reason.text })}</span>` : ""
        }</p>`
      : "";
  const address = place
    ? html`<address>${[place.name, place.streetAddress, [place.postalCode, place.locality].filter(Boolean).join(" "), place.region, place.country ? countryName(place.country, lang) : undefined]
        .filter((x): x is string => Boolean(x))
        .map((line, i) => html`${i > 0 ? html`<br>` : ""}${line}`)}</address>`
    : "";
  const body = html`
<article>
<h1${langAttr(name?.lang)}>${name?.text ?? ""}</h1>
${status}
${image ? html`<figure class="event-image"><img src="${new URL(image.url).pathname}" alt="${image.alt?.text ?? ""}"${langAttr(image.alt?.lang)}></figure>` : ""}
${summary ? html`<p${langAttr(summary.lang)}>${summary.text}</p>` : ""}
<dl>
<dt>${t(lang, "web:event.when")}</dt>
<dd><time datetime="${e.startsAt.toString()}">${formatEventWhen(e, lang)}</time>${
    endText(e, lang) ? html` – <time datetime="${e.endsAt?.toString() ?? ""}">${endText(e, lang)}</time>` : ""
  }</dd>
<dt>${t(lang, "web:event.where")}</dt>
<dd>${address}${map ? html`<a href="${map}" rel="noopener noreferrer">${t(lang, "web:event.map")}</a>` : ""}${
    e.onlineUrl ? html`${place ? html`<br>` : ""}<a href="${e.onlineUrl}" rel="nofollow noopener noreferrer">${t(lang, "web:event.joinOnline")}</a>` : ""
  }</dd>
<dt>${t(lang, "web:event.organizedBy")}</dt>
<dd><a href="${urls.collective(e.organizer.slug).pathname}"${langAttr(organizer?.lang)}>${organizer?.text ?? e.organizer.slug}</a>${
    coorganizers.length > 0
      ? html`<br><span class="coorganizers">${t(lang, "web:event.withCoorganizers")} ${coorganizers.map(
          (c, i) => html`${i > 0 ? ", " : ""}<a href="${c.apId}" rel="noopener noreferrer">${c.name ?? new URL(c.apId).host}</a>`,
        )}</span>`
      : ""
  }</dd>
${e.category ? html`<dt>${t(lang, "web:event.category")}</dt><dd>${categoryLabel(e.category, lang)}</dd>` : ""}
${e.tags.length > 0 ? html`<dt>${t(lang, "web:event.tags")}</dt><dd>${e.tags.map((tag) => `#${tag}`).join(" ")}</dd>` : ""}
${
  e.links.length > 0
    ? html`<dt>${t(lang, "web:event.links")}</dt><dd><ul>${e.links.map((l) => html`<li><a href="${l.url}" rel="nofollow noopener noreferrer">${l.title ?? l.url}</a></li>`)}</ul></dd>`
    : ""
}
${e.contact ? html`<dt>${t(lang, "web:event.contact")}</dt><dd>${e.contact.includes("@") && !e.contact.includes("/") ? html`<a href="mailto:${e.contact}">${e.contact}</a>` : html`<a href="${e.contact}" rel="nofollow noopener noreferrer">${e.contact}</a>`}</dd>` : ""}
</dl>
${description ? html`<div class="description"${langAttr(description.lang)}>${raw(description.text)}</div>` : ""}
<p><a href="${urls.eventIcs(e.id).pathname}">${t(lang, "web:event.addToCalendar")}</a></p>
${opts.slogans && opts.slogans.length > 0 ? slogansSection({ slogans: opts.slogans, lang, wanted, urls }) : ""}
${opts.sections ?? []}
</article>
${subscribeBox(lang, urls.collectiveIcs(e.organizer.slug))}`;
  return layout({ lang, title: name?.text ?? "", body, path: urls.event(e.id).pathname });
}
