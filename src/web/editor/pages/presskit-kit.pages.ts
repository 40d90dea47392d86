import { fileKinds, kitLanguages, licenceNames, licences, type PressKitLinkView, type PressKitView } from "../../../modules/presskit/presskit.types.ts";
import type { FieldProblem } from "../../../shared/errors.ts";
import { t } from "../../../shared/i18n.ts";
import { pickLanguage } from "../../../shared/language.ts";
import type { Urls } from "../../../shared/urls.ts";
import { html, type SafeHtml } from "../../html.ts";
import type { FileFormValues, KitFormValues, LinkFormValues } from "../presskit-form.ts";
import { editorPaths } from "../paths.ts";
import { languageName } from "./collective.pages.ts";
import { type EditorView, editorPage } from "./editor-layout.ts";
import { buttonForm, csrfField, errorSummary, input, problemOf, select } from "./forms.ts";
import { type AboutChoice, kitForm, kitTime } from "./presskit.pages.ts";

/** What the kit's page shows besides the text form; each form keeps what was typed when it had problems. */
export interface KitPageState {
  readonly values: KitFormValues;
  readonly problems?: readonly FieldProblem[] | undefined;
  readonly file?: { readonly values: FileFormValues; readonly problems: readonly FieldProblem[] } | undefined;
  readonly link?: { readonly values: LinkFormValues; readonly problems: readonly FieldProblem[] } | undefined;
  /** A secret link just made: its address is shown this once. */
  readonly madeLink?: { readonly url: string; readonly expiresAt: Temporal.Instant } | undefined;
  readonly done?: string | undefined;
}

export const kitTitle = (kit: Pick<PressKitView, "title" | "collective">, lang: string): string => pickLanguage(kit.title, [lang], kit.collective.primaryLanguage)?.text ?? "—";

/** Where the kit stands: a draft, under embargo until when, or public since when (with its page and ZIPs). */
function stateSection(lang: string, kit: PressKitView, urls: Urls, now: Date): SafeHtml {
  const published = kit.publishedAt !== undefined;
  const due = !published && kit.embargoAt !== undefined && kit.embargoAt.epochMilliseconds <= now.getTime();
  const line = published
    ? t(lang, "presskit:editor.statePublished", { date: kitTime(lang, kit.publishedAt as Temporal.Instant, kit.timezone) })
    : kit.embargoAt
      ? t(lang, due ? "presskit:editor.stateDue" : "presskit:editor.stateEmbargoed", { date: kitTime(lang, kit.embargoAt, kit.timezone) })
      : t(lang, "presskit:editor.stateDraft");
  return html`<section class="card" aria-labelledby="kit-state"><h2 id="kit-state">${t(lang, "presskit:editor.state")}</h2>
<p role="status" id="kit-state-line"><strong>${t(lang, `editor:presskit.${published ? "published" : kit.embargoAt ? "embargoed" : "draft"}`)}</strong> — ${line}</p>
${
  published
    ? html`<ul class="links"><li><a href="${urls.pressKit(kit.id).pathname}">${t(lang, "presskit:editor.publicPage")}</a></li>${kitLanguages(kit).map(
        (l) => html`<li><a href="${urls.pressKitZip(kit.id, l).pathname}" hreflang="${l}">${t(lang, "presskit:zip", { language: languageName(l, lang) })}</a></li>`,
      )}</ul>`
    : html`<p><a class="button" href="${editorPaths.presskitAction(kit.id, "publish")}">${t(lang, "presskit:editor.publishNow")}</a></p>`
}</section>`;
}

function filesSection(view: EditorView, kit: PressKitView, state: KitPageState, uploadLimit: string): SafeHtml {
  const { lang } = view;
  const v = state.file?.values ?? { kind: "photo", caption: {}, credit: "", licence: "cc-by" };
  const p = state.file?.problems;
  const languages = state.values.languages;
  const files = kit.files.map((f) => {
    const caption = pickLanguage(f.caption, [lang], kit.collective.primaryLanguage);
    return html`<li><strong${caption && caption.language !== lang ? html` lang="${caption.language}"` : ""}>${caption?.text ?? "—"}</strong><br>
<span class="muted">${t(lang, `presskit:kind.${f.kind}`)} · ${f.width ? `${f.width}×${f.height ?? ""} px · ` : ""}${Math.ceil(f.bytes / 1024)} KB · ${f.credit} · ${licenceNames[f.licence]}</span><br>
${buttonForm({ action: editorPaths.presskitFileRemove(kit.id, f.id), csrf: view.csrf, label: t(lang, "presskit:editor.removeFile"), danger: true })}</li>`;
  });
  return html`<section class="card" aria-labelledby="kit-files"><h2 id="kit-files">${t(lang, "presskit:files")}</h2>
${files.length > 0 ? html`<ul class="members kit-files">${files}</ul>` : html`<p class="muted">${t(lang, "presskit:editor.noFiles")}</p>`}
<h3>${t(lang, "presskit:editor.addFile")}</h3>
${state.file ? errorSummary(lang, p) : ""}
<form method="post" action="${editorPaths.presskitFiles(kit.id)}#kit-files" enctype="multipart/form-data" class="stack" novalidate>${csrfField(view.csrf)}
${select({ name: "kind", label: t(lang, "presskit:editor.kind"), value: v.kind, error: problemOf(p, "kind"), options: fileKinds.map((k) => ({ value: k, label: t(lang, `presskit:kind.${k}`) })) })}
${languages.map((l) => input({ name: `caption.${l}`, label: t(lang, "presskit:editor.caption", { language: languageName(l, lang) }), value: v.caption[l], error: problemOf(p, `caption.${l}`) ?? (l === languages[0] ? problemOf(p, "caption") : undefined), lang: l }))}
${input({ name: "credit", label: t(lang, "presskit:credit"), value: v.credit, hint: t(lang, "presskit:editor.creditHint"), error: problemOf(p, "credit") })}
${select({ name: "licence", label: t(lang, "presskit:licenceLabel"), value: v.licence, error: problemOf(p, "licence"), options: licences.map((l) => ({ value: l, label: `${licenceNames[l]} — ${t(lang, `presskit:licence.${l}`)}` })) })}
<div class="field${problemOf(p, "file") ? " has-error" : ""}"><label for="f-file">${t(lang, "presskit:editor.file")}</label>
<p class="hint" id="f-file-hint">${t(lang, "presskit:editor.fileHint", { size: uploadLimit })}</p>
${problemOf(p, "file") ? html`<p class="error" id="f-file-error">${problemOf(p, "file")}</p>` : ""}
<input id="f-file" name="file" type="file" accept="image/jpeg,image/png,image/webp,application/pdf" aria-describedby="f-file-hint${problemOf(p, "file") ? " f-file-error" : ""}"${problemOf(p, "file") ? html` aria-invalid="true"` : ""}></div>
<div class="buttons"><button type="submit">${t(lang, "presskit:editor.upload")}</button></div></form></section>`;
}

function linksSection(view: EditorView, kit: PressKitView, links: readonly PressKitLinkView[], state: KitPageState, now: Date): SafeHtml {
  const { lang } = view;
  const v = state.link?.values ?? { label: "", days: "7" };
  const p = state.link?.problems;
  const made = state.madeLink
    ? html`<div class="notice" role="status" id="made-link"><p><strong>${t(lang, "presskit:editor.linkMade", { date: kitTime(lang, state.madeLink.expiresAt, kit.timezone) })}</strong></p>
<p><code class="secret">${state.madeLink.url}</code></p><p class="hint">${t(lang, "presskit:editor.linkOnce")}</p></div>`
    : "";
  const items = links.map((l) => {
    const stateKey = l.revokedAt ? "linkRevoked" : l.expiresAt.epochMilliseconds <= now.getTime() ? "linkExpired" : "linkActive";
    return html`<li><strong>${l.label ?? t(lang, "presskit:editor.linkNoLabel")}</strong> — ${t(lang, `presskit:editor.${stateKey}`, { date: kitTime(lang, l.revokedAt ?? l.expiresAt, kit.timezone) })}
${stateKey === "linkActive" ? buttonForm({ action: editorPaths.presskitLinkRevoke(kit.id, l.id), csrf: view.csrf, label: t(lang, "presskit:editor.revoke"), danger: true }) : ""}</li>`;
  });
  const days = [1, 3, 7, 14, 30, 90].map((d) => ({ value: String(d), label: t(lang, "presskit:editor.days", { count: d }) }));
  return html`<section class="card" aria-labelledby="kit-links"><h2 id="kit-links">${t(lang, "presskit:editor.links")}</h2>
<p class="hint">${t(lang, "presskit:editor.linksHint")}</p>
${made}
${items.length > 0 ? html`<ul class="members kit-links">${items}</ul>` : html`<p class="muted">${t(lang, "presskit:editor.noLinks")}</p>`}
${state.link ? errorSummary(lang, p) : ""}
<form method="post" action="${editorPaths.presskitLinks(kit.id)}#kit-links" class="stack">${csrfField(view.csrf)}
${input({ name: "label", label: t(lang, "presskit:editor.linkLabel"), value: v.label, hint: t(lang, "presskit:editor.linkLabelHint"), error: problemOf(p, "label"), attrs: html` maxlength="100"` })}
${select({ name: "days", label: t(lang, "presskit:editor.linkDays"), value: v.days, error: problemOf(p, "days"), options: days })}
<div class="buttons"><button type="submit">${t(lang, "presskit:editor.makeLink")}</button></div></form></section>`;
}

/** A kit's page in the editor: where it stands, its text, its files, its secret links, and deletion. */
export function kitPage(
  view: EditorView,
  o: { kit: PressKitView; links: readonly PressKitLinkView[]; about: readonly AboutChoice[]; state: KitPageState; urls: Urls; now: Date; uploadLimit: string },
): string {
  const { lang } = view;
  const { kit, state } = o;
  const title = kitTitle(kit, lang);
  const path = editorPaths.presskit(kit.id);
  const body = html`<p><a href="${editorPaths.presskits(kit.collective.slug)}">← ${t(lang, "editor:presskit.listTitle")}</a></p>
<h1>${title}</h1>
${stateSection(lang, kit, o.urls, o.now)}
<section aria-labelledby="kit-text"><h2 id="kit-text">${t(lang, "presskit:editor.release")}</h2>
${errorSummary(lang, state.problems)}
${kitForm(view, { action: path, values: state.values, primaryLanguage: kit.collective.primaryLanguage, published: kit.publishedAt !== undefined, about: o.about, problems: state.problems, button: t(lang, "presskit:editor.save") })}</section>
${filesSection(view, kit, state, o.uploadLimit)}
${linksSection(view, kit, o.links, state, o.now)}
<section class="card danger-zone" aria-labelledby="kit-delete"><h2 id="kit-delete">${t(lang, "editor:event.otherActions")}</h2>
<p><a class="button danger" href="${editorPaths.presskitAction(kit.id, "delete")}">${t(lang, "presskit:editor.delete")}</a></p></section>`;
  return editorPage({ view, title, body, path, done: state.done });
}
