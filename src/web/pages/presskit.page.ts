import { embargoText, zipEntryName } from "../../modules/presskit/presskit-zip.ts";
import { kitLanguages, licenceNames, licenceUrls, type PressKitView } from "../../modules/presskit/presskit.types.ts";
import { escapeHtml } from "../../shared/html.ts";
import { t } from "../../shared/i18n.ts";
import { dateTimeFormat } from "../../shared/intl-cache.ts";
import type { Urls } from "../../shared/urls.ts";
import { html, raw, type SafeHtml } from "../html.ts";
import { langAttr, localized } from "./event.page.ts";
import { layout } from "./layout.ts";

const languageName = (code: string, lang: string) => {
  try {
    return new Intl.DisplayNames([lang], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
};

/** Where the kit's files and ZIP are reached: its public URLs, or those of a secret link. */
export interface KitAddresses {
  file(name: string): string;
  zip(lang: string): string;
  page: string;
}

export const publicAddresses = (kit: PressKitView, urls: Urls): KitAddresses => ({
  file: (name) => urls.pressKitFile(kit.id, name).pathname,
  zip: (lang) => urls.pressKitZip(kit.id, lang).pathname,
  page: urls.pressKit(kit.id).pathname,
});

export const previewAddresses = (token: string, urls: Urls): KitAddresses => ({
  file: (name) => urls.pressPreviewFile(token, name).pathname,
  zip: (lang) => urls.pressPreviewZip(token, lang).pathname,
  page: urls.pressPreview(token).pathname,
});

/**
 * A kit's page: the release in the visitor's language (or the nearest), the press contact, each file
 * with its caption, credit line and licence, and a ZIP per language. Through a secret link before the
 * embargo, a banner says until when it must not be published, and the page asks not to be indexed.
 */
export function pressKitPage(opts: { kit: PressKitView; lang: string; wanted: readonly string[]; urls: Urls; at: KitAddresses; preview?: { expiresAt: Temporal.Instant } }): string {
  const { kit, lang, wanted, urls, at } = opts;
  const primary = kit.collective.primaryLanguage;
  const pick = (map: Parameters<typeof localized>[0]) => localized(map, wanted, primary, lang);
  const title = pick(kit.title);
  const lead = pick(kit.lead);
  const body = pick(kit.body);
  const collective = pick(kit.collective.name);
  const contactLabel = pick(kit.contact.label);
  const banner =
    opts.preview && !kit.publishedAt && kit.embargoAt
      ? html`<p class="card" role="status"><strong>${t(lang, "presskit:preview", {
          when: embargoText(kit.embargoAt, kit.timezone, lang),
          expires: dateTimeFormat(lang, { dateStyle: "long", timeStyle: "short", timeZone: kit.timezone }).format(new Date(opts.preview.expiresAt.epochMilliseconds)),
        })}</strong></p>`
      : "";
  const files = kit.files.map((f, i) => {
    const caption = pick(f.caption);
    const licence = html`${licenceUrls[f.licence] ? html`<a href="${licenceUrls[f.licence] as string}" rel="license noopener noreferrer">${licenceNames[f.licence]}</a>` : licenceNames[f.licence]} (${t(lang, `presskit:licence.${f.licence}`)})`;
    const meta = html`<figcaption><span${langAttr(caption?.lang)}>${caption?.text ?? ""}</span><br><span class="muted">${t(lang, "presskit:credit")}: ${f.credit} · ${t(lang, "presskit:licenceLabel")}: ${licence}</span><br><a href="${at.file(f.name)}" download="${zipEntryName(f, i)}">${t(lang, "presskit:downloadFile")} (${t(lang, `presskit:kind.${f.kind}`)})</a></figcaption>`;
    return f.kind === "document"
      ? html`<li><figure>${meta}</figure></li>`
      : html`<li><figure><img src="${at.file(f.name)}" alt="${caption?.text ?? ""}"${langAttr(caption?.lang)}${f.width ? html` width="${String(f.width)}" height="${String(f.height ?? "")}"` : ""} loading="lazy">${meta}</figure></li>`;
  });
  const page = html`<article>
${banner}
<p class="muted">${raw(
    escapeHtml(t(lang, "presskit:by", { collective: "\u0000" })).replace("\u0000", html`<a href="${urls.collective(kit.collective.slug).pathname}"${langAttr(collective?.lang)}>${collective?.text ?? kit.collective.slug}</a>`.toString()),
  )}</p>
<h1${langAttr(title?.lang)}>${title?.text ?? ""}</h1>
${lead ? html`<p class="lead"${langAttr(lead.lang)}><strong>${lead.text}</strong></p>` : ""}
${body ? html`<div class="description"${langAttr(body.lang)}>${raw(body.text)}</div>` : ""}
<section aria-labelledby="contact"><h2 id="contact">${t(lang, "presskit:contact")}</h2>
<p>${contactLabel ? html`<span${langAttr(contactLabel.lang)}>${contactLabel.text}</span><br>` : ""}${kit.contact.email ? html`<a href="${`mailto:${kit.contact.email}`}">${kit.contact.email}</a><br>` : ""}${kit.contact.phone ? html`<a href="${`tel:${kit.contact.phone.replace(/[^+0-9]/g, "")}`}">${kit.contact.phone}</a>` : ""}</p></section>
${files.length > 0 ? html`<section aria-labelledby="files"><h2 id="files">${t(lang, "presskit:files")}</h2><ul class="press-files">${files}</ul></section>` : ""}
<ul class="links">${kitLanguages(kit).map((l) => html`<li><a href="${at.zip(l)}" hreflang="${l}">${t(lang, "presskit:download", { language: languageName(l, lang) })}</a></li>`)}</ul>
</article>`;
  const out = layout({ lang, title: title?.text ?? t(lang, "presskit:title"), body: page, path: at.page });
  return opts.preview ? out.replace('<meta name="referrer" content="no-referrer">', '<meta name="referrer" content="no-referrer">\n<meta name="robots" content="noindex, nofollow, noarchive">') : out;
}

/**
 * Published press kits in a list (a collective's page, a call's or an event's): each kit's page and its
 * ZIP per language. The caller passes published kits only (the service's lists never hold another).
 */
export function pressKitsSection(opts: { kits: readonly PressKitView[]; lang: string; wanted: readonly string[]; urls: Urls }): SafeHtml {
  const { lang, wanted, urls } = opts;
  return html`<section aria-labelledby="presskits"><h2 id="presskits">${t(lang, "presskit:pressKits")}</h2>
<ul class="event-list presskits">${opts.kits.map((kit) => {
    const title = localized(kit.title, wanted, kit.collective.primaryLanguage, lang);
    const when = kit.publishedAt ? dateTimeFormat(lang, { dateStyle: "long", timeZone: kit.timezone }).format(new Date(kit.publishedAt.epochMilliseconds)) : "";
    return html`<li><a href="${urls.pressKit(kit.id).pathname}"${langAttr(title?.lang)}>${title?.text ?? ""}</a> <span class="muted">${when}</span><br>
${kitLanguages(kit).map((l, i) => html`${i > 0 ? " · " : ""}<a href="${urls.pressKitZip(kit.id, l).pathname}" hreflang="${l}" type="application/zip">${t(lang, "presskit:zip", { language: languageName(l, lang) })}</a>`)}</li>`;
  })}</ul></section>`;
}
