import { t } from "../../../shared/i18n.ts";
import { dateTimeFormat } from "../../../shared/intl-cache.ts";
import { html } from "../../html.ts";
import { editorPaths } from "../paths.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";

export interface PressKitRow {
  readonly title: string;
  readonly state: "draft" | "embargoed" | "published";
  readonly embargoAt?: Temporal.Instant | undefined;
  readonly timezone: string;
  /** Its public page, once published. */
  readonly href?: string | undefined;
}

/** A collective's press kits for its editors: drafts and embargoed ones too, each with its state. */
export function presskitListPage(view: EditorView, o: { slug: string; name: string; kits: readonly PressKitRow[] }): string {
  const { lang } = view;
  const when = (at: Temporal.Instant, zone: string) => dateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(new Date(at.epochMilliseconds));
  const body = html`<p><a href="${editorPaths.collective(o.slug)}">← ${o.name}</a></p>
<h1>${t(lang, "editor:presskit.listTitle")}</h1>
<p class="muted">${t(lang, "editor:presskit.writeHint")}</p>
${
  o.kits.length === 0
    ? html`<p class="muted">${t(lang, "editor:presskit.none")}</p>`
    : html`<ul class="events presskits">${o.kits.map(
        (k) => html`<li>${k.href ? html`<a href="${k.href}">${k.title}</a>` : k.title}<br><span class="muted"><strong>${t(lang, `editor:presskit.${k.state}`)}</strong>${
          k.state === "embargoed" && k.embargoAt ? html` · ${t(lang, "editor:presskit.until", { date: when(k.embargoAt, k.timezone) })}` : ""
        }</span></li>`,
      )}</ul>`
}`;
  return editorPage({ view, title: t(lang, "editor:presskit.listTitle"), body, path: editorPaths.presskits(o.slug) });
}
