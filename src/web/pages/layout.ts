import { interfaceLanguages } from "../../shared/language.ts";
import { t } from "../../shared/i18n.ts";
import { html, type SafeHtml } from "../html.ts";

const style = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header,main,footer{max-width:46rem;margin:0 auto;padding:1rem}
header{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:.5rem}
a{color:#0645ad}h1{line-height:1.2}
.muted{color:#555}.card{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem;margin:1rem 0}
nav[aria-label] a{margin-left:.5rem}code{background:#eee;padding:.1rem .3rem;border-radius:.2rem}
:focus-visible{outline:3px solid #f90;outline-offset:2px}
`;

/**
 * The page frame: language attribute, title, a language switcher that works without JavaScript.
 * `path` is the page's canonical path, built from the URL table; links are never built from the request's
 * path (`//evil.example/x` would become a link off-site). Without it the switcher links are query-only
 * (`?lang=de`), which stay on the same page of the same origin whatever the request was.
 */
export function layout(opts: { lang: string; title: string; body: SafeHtml; path?: string }): string {
  const switcher = interfaceLanguages.map(
    (l) => html` <a href="${`${opts.path ?? ""}?lang=${l}`}" hreflang="${l}" lang="${l}"${l === opts.lang ? html` aria-current="true"` : ""}>${l.toUpperCase()}</a>`,
  );
  return `<!doctype html>${html`<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${opts.title} · ${t(opts.lang, "web:site.name")}</title>
<style>${style}</style>
</head>
<body>
<header><a href="/">${t(opts.lang, "web:site.name")}</a>
<nav aria-label="${t(opts.lang, "web:nav.language")}">${switcher}</nav></header>
<main>${opts.body}</main>
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
