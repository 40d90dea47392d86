import type { PartnerSlogans } from "../../../modules/slogan/slogan.types.ts";
import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { pickLanguage } from "../../../shared/language.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { csrfField, errorSummary, input, problemOf } from "./forms.ts";

/**
 * Adopting a partner's slogan: the published slogans of the partners the collective follows (here or on
 * their servers), each with its origin and a button, and a field for the address of any partner's slogan.
 * An adopted slogan becomes a draft of the collective that names and links the original.
 */
export function adoptSloganPage(
  view: EditorView,
  o: {
    slug: string;
    name: string;
    partners: readonly PartnerSlogans[];
    /** Originals already adopted: their URL → our slogan's id. */
    adopted: ReadonlyMap<string, string>;
    url?: string | undefined;
    problems?: readonly FieldProblem[] | undefined;
  },
): string {
  const { lang } = view;
  const action = editorPaths.adoptSlogan(o.slug);
  let n = 0;
  const groups = o.partners.map((p) => {
    const title = p.partner.name ?? p.partner.handle ?? new URL(p.partner.actorApId).host;
    const body = p.unreadable
      ? html`<p class="muted">${t(lang, "editor:slogan.partnerUnreadable")}</p>`
      : p.slogans.length === 0
        ? html`<p class="muted">${t(lang, "editor:slogan.partnerNone")}</p>`
        : html`<ul class="events slogans">${p.slogans.map((s) => {
            const line = pickLanguage(s.text, [lang], Object.keys(s.text)[0] ?? lang);
            const id = `partner-slogan-${++n}`;
            const ours = o.adopted.get(s.apId.href);
            return html`<li><span id="${id}"${line ? html` lang="${line.language}"` : ""}>${line?.text ?? "—"}</span>${
              s.tags.length > 0 ? html` <span class="muted">${s.tags.map((tag) => `#${tag}`).join(" ")}</span>` : ""
            }<br><a href="${(s.url ?? s.apId).href}" rel="nofollow noopener">${t(lang, "editor:slogan.original")}</a> · ${
              ours
                ? html`<strong>${t(lang, "editor:slogan.adopted")}</strong> · <a href="${editorPaths.slogan(ours)}">${t(lang, "editor:slogan.ourCopy")}</a>`
                : html`<form method="post" action="${action}" class="inline">${csrfField(view.csrf)}<input type="hidden" name="url" value="${s.apId.href}"><button type="submit" aria-describedby="${id}">${t(lang, "editor:slogan.adoptButton")}</button></form>`
            }</li>`;
          })}</ul>`;
    return html`<section class="card"><h2>${title}</h2>${body}</section>`;
  });
  const body = html`<p><a href="${editorPaths.slogans(o.slug)}">← ${t(lang, "editor:slogan.listTitle")}</a></p>
<h1>${t(lang, "editor:slogan.adoptTitle")}</h1>
<p>${t(lang, "editor:slogan.adoptHint")}</p>
${errorSummary(lang, o.problems)}
${o.partners.length === 0 ? html`<p class="muted">${t(lang, "editor:slogan.noPartners")} <a href="${editorPaths.partners(o.slug)}">${t(lang, "editor:slogan.partnersLink")}</a></p>` : groups}
<section class="card"><h2>${t(lang, "editor:slogan.adoptByUrl")}</h2>
<form method="post" action="${action}" class="stack">${csrfField(view.csrf)}
${input({ name: "url", label: t(lang, "editor:slogan.adoptUrl"), value: o.url ?? "", type: "url", hint: t(lang, "editor:slogan.adoptUrlHint"), error: problemOf(o.problems, "url") })}
<button type="submit" class="primary">${t(lang, "editor:slogan.adoptButton")}</button></form></section>`;
  return editorPage({ view, title: t(lang, "editor:slogan.adoptTitle"), body, path: action });
}
