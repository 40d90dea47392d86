import type { PartnerKits } from "../../../modules/actionkit/actionkit.types.ts";
import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { pickLanguage } from "../../../shared/language.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { csrfField, errorSummary, input, problemOf } from "./forms.ts";

/**
 * Adopting a partner's action kit: the published kits of the partners the collective follows (here or
 * on their servers), each with its country, a link to the original and a button, and a field for the
 * address of any partner's kit. An adopted kit becomes a draft of the collective that names its origin.
 */
export function adoptActionKitPage(
  view: EditorView,
  o: {
    slug: string;
    partners: readonly PartnerKits[];
    /** Originals already adopted: their URL → our kit's id. */
    adopted: ReadonlyMap<string, string>;
    url?: string | undefined;
    problems?: readonly FieldProblem[] | undefined;
  },
): string {
  const { lang } = view;
  const action = editorPaths.adoptActionkit(o.slug);
  let n = 0;
  const groups = o.partners.map((p) => {
    const title = p.partner.name ?? p.partner.handle ?? new URL(p.partner.actorApId).host;
    const body = p.unreadable
      ? html`<p class="muted">${t(lang, "actionkit:editor.partnerUnreadable")}</p>`
      : p.kits.length === 0
        ? html`<p class="muted">${t(lang, "actionkit:editor.partnerNone")}</p>`
        : html`<ul class="events actionkits">${p.kits.map((k) => {
            const name = pickLanguage(k.title, [lang], Object.keys(k.title)[0] ?? lang);
            const id = `partner-kit-${++n}`;
            const ours = o.adopted.get(k.apId.href);
            return html`<li><span id="${id}"${name ? html` lang="${name.language}"` : ""}>${name?.text ?? "—"}</span> <span class="muted">${k.country} · ${Object.keys(k.title)
              .map((l) => l.toUpperCase())
              .join(" ")}</span><br><a href="${k.apId.href}" rel="nofollow noopener">${t(lang, "actionkit:editor.original")}</a> · ${
              ours
                ? html`<strong>${t(lang, "actionkit:page.adopted")}</strong> · <a href="${editorPaths.actionkit(ours)}">${t(lang, "actionkit:editor.ourCopy")}</a>`
                : html`<form method="post" action="${action}" class="inline">${csrfField(view.csrf)}<input type="hidden" name="url" value="${k.apId.href}"><button type="submit" aria-describedby="${id}">${t(lang, "actionkit:editor.adoptButton")}</button></form>`
            }</li>`;
          })}</ul>`;
    return html`<section class="card"><h2>${title}</h2>${body}</section>`;
  });
  const body = html`<p><a href="${editorPaths.actionkits(o.slug)}">← ${t(lang, "actionkit:editor.listTitle")}</a></p>
<h1>${t(lang, "actionkit:editor.adopt")}</h1>
<p>${t(lang, "actionkit:editor.adoptHint")}</p>
${errorSummary(lang, o.problems)}
${o.partners.length === 0 ? html`<p class="muted">${t(lang, "actionkit:editor.noPartners")} <a href="${editorPaths.partners(o.slug)}">${t(lang, "actionkit:editor.partnersLink")}</a></p>` : groups}
<section class="card"><h2>${t(lang, "actionkit:editor.adoptByUrl")}</h2>
<form method="post" action="${action}" class="stack">${csrfField(view.csrf)}
${input({ name: "url", label: t(lang, "actionkit:editor.adoptUrl"), value: o.url ?? "", type: "url", hint: t(lang, "actionkit:editor.adoptUrlHint"), error: problemOf(o.problems, "url") })}
<button type="submit" class="primary">${t(lang, "actionkit:editor.adoptButton")}</button></form></section>`;
  return editorPage({ view, title: t(lang, "actionkit:editor.adopt"), body, path: action });
}
