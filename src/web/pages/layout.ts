import { interfaceLanguages } from "../../shared/language.ts";
import { paths } from "../../shared/paths.ts";
import { t } from "../../shared/i18n.ts";
import { stylesheetPath } from "../assets.ts";
import { html, type SafeHtml } from "../html.ts";

/**
 * The page frame: language attribute, title, a language switcher that works without JavaScript.
 * `path` is the page's canonical path, built from the URL table; links are never built from the request's
 * path (`//evil.example/x` would become a link off-site). Without it the switcher links are query-only
 * (`?lang=de`), which stay on the same page of the same origin whatever the request was. `head`: more
 * elements of the head (a page's own script, served from here).
 */
export function layout(opts: { lang: string; title: string; body: SafeHtml; path?: string; head?: SafeHtml }): string {
  const switcher = interfaceLanguages.map(
    (l) => html` <a href="${`${opts.path ?? ""}?lang=${l}`}" hreflang="${l}" lang="${l}"${l === opts.lang ? html` aria-current="true"` : ""}>${l.toUpperCase()}</a>`,
  );
  return `<!doctype html>${html`<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${opts.title} · ${t(opts.lang, "web:site.name")}</title>
<link rel="stylesheet" href="${stylesheetPath}">
${opts.head ?? ""}</head>
<body>
<a class="skip" href="#main">${t(opts.lang, "web:nav.skip")}</a>
<header><nav class="site" aria-label="${t(opts.lang, "web:nav.site")}"><a href="${paths.home}">${t(opts.lang, "web:site.name")}</a> <a href="${paths.calendar}">${t(opts.lang, "web:nav.calendar")}</a> <a href="${paths.instanceAgenda}">${t(opts.lang, "web:nav.agenda")}</a></nav>
<nav class="languages" aria-label="${t(opts.lang, "web:nav.language")}">${switcher}</nav></header>
<main id="main">${opts.body}</main>
</body>
</html>`}`;
}

/** An error page; it takes no path: whatever was requested, its links stay on this site. */
export function errorPage(lang: string, status: 404 | 410 | 500): string {
  const key = status === 404 ? "notFound" : status === 410 ? "gone" : "generic";
  const message = t(lang, `web:error.${key}`);
  return layout({
    lang,
    title: String(status),
    body: html`<h1>${message}</h1><p><a href="/">${t(lang, "web:error.back")}</a></p>`,
  });
}
