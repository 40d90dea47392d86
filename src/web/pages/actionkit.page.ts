import type { PartnerKitListed } from "../../modules/actionkit/partner-kits.ts";
import { blank, fillTemplate } from "../../modules/actionkit/actionkit-template.ts";
import { type ActionKitView, type KitCount, type KitField, kitLanguages } from "../../modules/actionkit/actionkit.types.ts";
import { t } from "../../shared/i18n.ts";
import { interfaceLanguages } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { actionKitScriptPath } from "../actionkit-assets.ts";
import { html, raw, type SafeHtml } from "../html.ts";
import { langAttr, localized } from "./event.page.ts";
import { layout } from "./layout.ts";

const languageName = (code: string, lang: string) => new Intl.DisplayNames([lang], { type: "language" }).of(code) ?? code;
export const countryName = (code: string, lang: string) => new Intl.DisplayNames([lang], { type: "region" }).of(code) ?? code;

const paragraphs = (text: string) => text.split(/\n{2,}/).map((p) => html`<p>${p}</p>`);

/** The interface language of a kit's page: the kit's language when we translate it, else the visitor's. */
export function pageLanguage(kitLang: string, visitorLang: string): string {
  const base = kitLang.split("-")[0] ?? kitLang;
  return (interfaceLanguages as readonly string[]).includes(base) ? base : visitorLang;
}

/** The letter with blanks: what the page shows without JavaScript, to print and fill by hand. */
export function letterWithBlanks(body: string, fields: readonly KitField[], kitLang: string): string {
  const labels = new Map(fields.map((f) => [f.name, f.label[kitLang] ?? Object.values(f.label)[0]]));
  return fillTemplate(body, (name) => blank(labels.get(name)));
}

function fieldInput(field: KitField, kitLang: string, lang: string): SafeHtml {
  const id = `kit-field-${field.name}`;
  const label = field.label[kitLang] ?? "";
  const hint = field.hint?.[kitLang];
  const described = [hint ? `${id}-hint` : "", `kit-error-${field.name}`].filter(Boolean).join(" ");
  const common = html`id="${id}" name="${field.name}" autocomplete="off" aria-describedby="${described}"${field.required ? html` required aria-required="true"` : ""}`;
  const input =
    field.kind === "multiline"
      ? html`<textarea ${common} rows="4"></textarea>`
      : html`<input ${common} type="${field.kind === "number" ? "text" : field.kind}"${field.kind === "number" ? html` inputmode="numeric"` : ""}>`;
  return html`<div class="field"><label for="${id}">${label} <span class="muted">(${t(lang, field.required ? "actionkit:page.required" : "actionkit:page.optional")})</span></label>
${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ""}${input}<p class="error" id="kit-error-${field.name}" hidden>${t(lang, "actionkit:page.fieldMissing")}</p></div>`;
}

/**
 * The public page of a kit in one of its languages: what it is for, the steps, the form (shown by the
 * page script; there is no <form>: nothing can be submitted), the letters with blanks (without
 * JavaScript, to print), the opt-in counter and the count. `kitLang` is one of the kit's languages.
 */
export function actionKitPage(opts: { kit: ActionKitView; kitLang: string; lang: string; count: KitCount; urls: Urls }): string {
  const { kit, kitLang, lang, count, urls } = opts;
  const primary = kit.collective.primaryLanguage;
  const text = (map: Readonly<Record<string, string>>) => map[kitLang] ?? "";
  const collective = localized(kit.collective.name, [kitLang, lang], primary, kitLang);
  const contentLang = kitLang !== lang ? kitLang : undefined;
  const others = kitLanguages(kit, primary).filter((l) => l !== kitLang);
  const data = {
    lang: kitLang,
    countUrl: urls.actionKitCount(kit.id, kitLang).href,
    fields: kit.fields.map((f) => ({ name: f.name, kind: f.kind, required: f.required })),
    letters: kit.letters.map((l) => ({ key: l.key, title: text(l.title), body: text(l.body) })),
    text: { missing: t(lang, "actionkit:page.missing"), downloaded: t(lang, "actionkit:page.downloaded"), copied: t(lang, "actionkit:page.copied") },
  };
  const body = html`<article${langAttr(contentLang)}>
<h1>${text(kit.title)}</h1>
<p class="muted"${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.by")} <a href="${urls.collective(kit.collective.slug).pathname}"${langAttr(collective?.lang)}>${collective?.text ?? kit.collective.slug}</a> · <a href="${urls.countryKits(kit.country).pathname}">${countryName(kit.country, lang)}</a> · ${t(lang, "actionkit:page.version", { version: kit.version })}</p>
${kit.origin ? html`<p class="muted"${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.adoptedFrom")} <a href="${kit.origin.url ?? kit.origin.apId}" rel="nofollow noopener">${kit.origin.actorName ?? new URL(kit.origin.actorApId).host}</a></p>` : ""}
<div class="privacy" role="note"${langAttr(contentLang ? lang : undefined)}><p><strong>${t(lang, "actionkit:page.privacyTitle")}</strong> ${t(lang, "actionkit:page.privacy")}</p><p class="kit-noscript">${t(lang, "actionkit:page.noScript")}</p></div>
${paragraphs(text(kit.explanation))}
<dl><dt${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.institution")}</dt><dd>${text(kit.institution)}</dd>
<dt${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.legalBasis")}</dt><dd>${text(kit.legalBasis)}</dd></dl>
${kit.steps.length > 0 ? html`<h2${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.steps")}</h2><ol>${kit.steps.map((s) => html`<li>${text(s)}</li>`)}</ol>` : ""}
<section id="kit-form" class="no-print card" hidden aria-labelledby="kit-form-title">
<h2 id="kit-form-title"${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.form")}</h2>
${kit.fields.map((f) => fieldInput(f, kitLang, lang))}
<div class="field check"${langAttr(contentLang ? lang : undefined)}><input type="checkbox" id="kit-count-me"><label for="kit-count-me">${t(lang, "actionkit:page.countMe", { host: urls.origin.host })}</label></div>
${kit.letters.map(
    (l) => html`<h3>${text(l.title)}</h3>
<p class="buttons"${langAttr(contentLang ? lang : undefined)}><button type="button" class="primary" id="kit-pdf-${l.key}">${t(lang, "actionkit:page.pdf")}</button> <button type="button" id="kit-copy-${l.key}">${t(lang, "actionkit:page.copy")}</button></p>
<div class="field"><label for="kit-output-${l.key}"${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.text")}</label><textarea class="letter-text" id="kit-output-${l.key}" readonly></textarea></div>`,
  )}
<p id="kit-status" role="status" aria-live="polite"${langAttr(contentLang ? lang : undefined)}></p>
</section>
<section aria-labelledby="kit-letters">
<h2 id="kit-letters"${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.letters")}</h2>
<p class="muted no-print"${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.lettersHint")}</p>
${kit.letters.map((l) => html`<h3>${text(l.title)}</h3><pre class="letter" data-letter="${l.key}">${letterWithBlanks(text(l.body), kit.fields, kitLang)}</pre>`)}
</section>
<p class="no-print"${langAttr(contentLang ? lang : undefined)} id="kit-count">${t(lang, "actionkit:page.count", { count: new Intl.NumberFormat(lang).format(count.total) })}</p>
${others.length > 0 ? html`<p class="no-print"${langAttr(contentLang ? lang : undefined)}>${t(lang, "actionkit:page.otherLanguages")} ${others.map((l, i) => html`${i > 0 ? ", " : ""}<a href="${urls.actionKitPage(kit.id, l).pathname}" hreflang="${l}" lang="${l}">${languageName(l, l)}</a>`)}</p>` : ""}
</article>
<script type="application/json" id="kit-data">${raw(JSON.stringify(data).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026"))}</script>`;
  return layout({ lang, title: text(kit.title), body, path: urls.actionKitPage(kit.id, kitLang).pathname, head: html`<script type="module" src="${actionKitScriptPath}"></script>` });
}

/** A list of kits (a collective's, a country's). */
export function actionKitsList(opts: {
  kits: readonly ActionKitView[];
  partnerKits?: readonly PartnerKitListed[];
  /** Links to the next page of each list, when there is one. */
  moreKits?: string | undefined;
  morePartnerKits?: string | undefined;
  lang: string;
  wanted: readonly string[];
  urls: Urls;
  title: string;
  path: string;
}): string {
  const { kits, lang, wanted, urls } = opts;
  const items = kits.map((k) => {
    const title = localized(k.title, wanted, k.collective.primaryLanguage, lang);
    const name = localized(k.collective.name, wanted, k.collective.primaryLanguage, lang);
    return html`<li><a href="${urls.actionKit(k.id).pathname}"${langAttr(title?.lang)}>${title?.text ?? ""}</a> <span class="muted">· ${countryName(k.country, lang)} · <span${langAttr(name?.lang)}>${name?.text ?? k.collective.slug}</span>${k.origin ? html` (${t(lang, "actionkit:page.adopted")})` : ""}</span></li>`;
  });
  // Partners' kits stay on their own server: a link to their page there, marked with the partner's name.
  const partnerItems = (opts.partnerKits ?? []).map((k) => {
    const title = localized(k.title, wanted, Object.keys(k.title)[0] ?? lang, lang);
    return html`<li class="partner-kit"><a href="${k.url}"${langAttr(title?.lang)}>${title?.text ?? ""}</a> <span class="muted">· ${k.country ? countryName(k.country, lang) : ""} · ${t(lang, "actionkit:page.partnerKitBy", { name: k.authorName ?? new URL(k.authorApId).host })}</span></li>`;
  });
  const more = (href: string | undefined) => (href ? html`<p><a rel="next" href="${href}">${t(lang, "actionkit:page.more")}</a></p>` : "");
  const partners = partnerItems.length > 0 ? html`<h2>${t(lang, "actionkit:page.fromPartners")}</h2><ul class="event-list">${partnerItems}</ul>${more(opts.morePartnerKits)}` : "";
  const body = html`<h1>${opts.title}</h1>${items.length > 0 ? html`<ul class="event-list">${items}</ul>${more(opts.moreKits)}` : html`<p>${t(lang, "actionkit:page.none")}</p>`}${partners}`;
  return layout({ lang, title: opts.title, body, path: opts.path });
}
