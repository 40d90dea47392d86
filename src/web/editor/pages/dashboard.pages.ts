import { t } from "../../../shared/i18n.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";

export function homePage(
  view: EditorView,
  o: { collectives: readonly { slug: string; name: string; role: string }[]; done?: string | undefined },
): string {
  const { lang } = view;
  const body = html`<h1>${t(lang, "editor:home.title")}</h1>
${
  o.collectives.length > 0
    ? html`<ul class="cards">${o.collectives.map(
        (c) => html`<li class="card"><a href="${editorPaths.collective(c.slug)}">${c.name}</a> <span class="muted">@${c.slug} · ${t(lang, `editor:role.${c.role}`)}</span></li>`,
      )}</ul>`
    : html`<p>${t(lang, "editor:home.none")}</p>`
}`;
  return editorPage({ view, title: t(lang, "editor:home.title"), body, path: editorPaths.home, done: o.done });
}
