import { diffText, type DiffPart } from "../../modules/call/call-diff.ts";
import type { CallText, CallVersionView, CallView } from "../../modules/call/call.types.ts";
import { htmlToPlainText } from "../../modules/ical/plain-text.ts";
import { escapeHtml } from "../../shared/html.ts";
import { t } from "../../shared/i18n.ts";
import { dateTimeFormat } from "../../shared/intl-cache.ts";
import { type LanguageMap, pickLanguage } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { html, raw, type SafeHtml } from "../html.ts";
import { formatEventWhen } from "../wording.ts";
import { langAttr, localized } from "./event.page.ts";
import { layout } from "./layout.ts";
import type { SloganView } from "../../modules/slogan/slogan.types.ts";
import { slogansSection } from "./slogan.page.ts";

/** "1 mars 2027 à 23:59" in the call's zone. */
function deadlineText(deadline: Temporal.Instant, timezone: string, lang: string): string {
  return dateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: timezone }).format(
    new Date(deadline.epochMilliseconds),
  );
}

function savedOn(instant: Temporal.Instant, lang: string): string {
  return dateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" }).format(new Date(instant.epochMilliseconds));
}

/** Plain paragraphs of a pitch (blank lines between paragraphs, single line breaks kept). */
function paragraphs(text: string, lang: string | undefined): SafeHtml {
  return raw(
    text
      .split(/\n{2,}/)
      .map((p) => `<p${lang ? ` lang="${escapeHtml(lang)}"` : ""}>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
      .join(""),
  );
}

/** The text of a call (or of one of its versions) in the visitor's language. */
function callText(text: CallText, call: CallView, opts: { lang: string; wanted: readonly string[]; urls: Urls }): SafeHtml {
  const { lang, wanted, urls } = opts;
  const primary = call.collective.primaryLanguage;
  const pitch = localized(text.pitch, wanted, primary, lang);
  const body = localized(text.body, wanted, primary, lang);
  const demands = text.demands.map((d) => localized(d, wanted, primary, lang)).filter((d) => d !== undefined);
  // Only our own uploads: a page of this site loads nothing from another origin.
  const image = text.image && urls.mediaName(text.image.url) ? { url: text.image.url, alt: localized(text.image.alt, wanted, primary, lang) } : undefined;
  const events = call.events.filter((e) => text.relatedEvents.includes(e.id));
  const collective = localized(call.collective.name, wanted, primary, lang);
  const by = escapeHtml(t(lang, "call:page.by", { collective: "\u0000" })).replace(
    "\u0000",
    `<a href="${escapeHtml(urls.collective(call.collective.slug).pathname)}"${collective?.lang ? ` lang="${escapeHtml(collective.lang)}"` : ""}>${escapeHtml(collective?.text ?? call.collective.slug)}</a>`,
  );
  return html`<p class="muted">${raw(by)}</p>
${image ? html`<figure class="event-image"><img src="${new URL(image.url).pathname}" alt="${image.alt?.text ?? ""}"${langAttr(image.alt?.lang)}></figure>` : ""}
${pitch ? paragraphs(pitch.text, pitch.lang) : ""}
<dl>
${
  events.length > 0
    ? html`<dt>${t(lang, "call:page.dayOfAction")}</dt>${events.map((e) => {
        const name = localized(e.name, wanted, primary, lang);
        return html`<dd><a href="${e.apId.pathname}"${langAttr(name?.lang)}>${name?.text ?? ""}</a> — <time datetime="${e.startsAt.toString()}">${formatEventWhen(e, lang)}</time></dd>`;
      })}`
    : ""
}
<dt>${t(lang, "call:page.deadline")}</dt>
<dd>${text.deadline ? html`<time datetime="${text.deadline.toString()}">${deadlineText(text.deadline, text.timezone, lang)}</time>` : t(lang, "call:page.noDeadline")}</dd>
</dl>
${body ? html`<div class="description"${langAttr(body.lang)}>${raw(body.text)}</div>` : ""}
${
  demands.length > 0
    ? html`<section aria-labelledby="demands"><h2 id="demands">${t(lang, "call:page.demands")}</h2><ol>${demands.map((d) => html`<li${langAttr(d?.lang)}>${d?.text ?? ""}</li>`)}</ol></section>`
    : ""
}`;
}

function statusLine(call: CallView, lang: string): SafeHtml | string {
  if (call.status === "open") return "";
  return html`<p class="card" role="status"><strong>${t(lang, `call:status.${call.status}`)}</strong></p>`;
}

/** The public page of a call: its current version, with a link to the history. */
export function callPage(opts: { call: CallView; lang: string; wanted: readonly string[]; urls: Urls; slogans?: readonly SloganView[]; sections?: readonly SafeHtml[] }): string {
  const { call, lang, urls } = opts;
  const title = localized(call.title, opts.wanted, call.collective.primaryLanguage, lang);
  const body = html`<article>
${statusLine(call, lang)}
<h1${langAttr(title?.lang)}>${title?.text ?? ""}</h1>
${callText(call, call, opts)}
<p class="muted">${t(lang, "call:page.version", { version: call.version, date: savedOn(call.updatedAt, lang) })} · <a href="${urls.callVersions(call.id).pathname}">${t(lang, "call:page.history")}</a></p>
${opts.slogans && opts.slogans.length > 0 ? slogansSection({ slogans: opts.slogans, lang, wanted: opts.wanted, urls }) : ""}
${opts.sections ?? []}
</article>`;
  return layout({ lang, title: title?.text ?? "", body, path: urls.call(call.id).pathname });
}

/** One version of a call, as it read then. */
export function callVersionPage(opts: { call: CallView; version: CallVersionView; lang: string; wanted: readonly string[]; urls: Urls }): string {
  const { call, version, lang, urls } = opts;
  const title = localized(version.title, opts.wanted, call.collective.primaryLanguage, lang);
  const older = version.version < call.version;
  const body = html`<article>
${older ? html`<p class="card" role="status">${t(lang, "call:page.olderVersion", { version: version.version })} <a href="${urls.call(call.id).pathname}">${t(lang, "call:page.backToCall")}</a></p>` : ""}
<h1${langAttr(title?.lang)}>${title?.text ?? ""}</h1>
${callText(version, call, opts)}
<p class="muted">${t(lang, "call:page.version", { version: version.version, date: savedOn(version.createdAt, lang) })} · <a href="${urls.callVersions(call.id).pathname}">${t(lang, "call:page.history")}</a></p>
</article>`;
  return layout({ lang, title: title?.text ?? "", body, path: urls.callVersion(call.id, version.version).pathname });
}

/** A word diff marked up: removed words in <del>, added ones in <ins> (the call's history, a reconfirmation). */
export function diffHtml(parts: readonly DiffPart[]): SafeHtml {
  return html`<div class="diff">${parts.map((p) => (p.kind === "same" ? p.text : p.kind === "added" ? html`<ins>${p.text}</ins>` : html`<del>${p.text}</del>`))}</div>`;
}

/** What each field of a version says in one language, as plain text to compare. */
function fieldsOf(v: CallText, call: CallView, language: string, lang: string): Record<string, string> {
  const primary = call.collective.primaryLanguage;
  const pick = (map: LanguageMap | undefined) => (map ? (pickLanguage(map, [language], primary)?.text ?? "") : "");
  return {
    title: pick(v.title),
    pitch: pick(v.pitch),
    body: htmlToPlainText(pick(v.body)),
    demands: v.demands.map((d, i) => `${i + 1}. ${pick(d)}`).join("\n"),
    deadline: v.deadline ? deadlineText(v.deadline, v.timezone, lang) : t(lang, "call:page.noDeadline"),
    events: v.relatedEvents.map((id) => call.events.find((e) => e.id === id)).map((e) => (e ? `${pick(e.name)} — ${formatEventWhen(e, lang)}` : "—")).join("\n"),
    image: v.image ? (pick(v.image.alt) || new URL(v.image.url).pathname) : "",
  };
}

/**
 * The versions of a call, newest first, each with what changed from the one before in `language`
 * (the public history, and the editor's, which also shows versions written before the launch).
 * `readHref` links each version's text (undefined: no link).
 */
export function versionHistoryItems(opts: {
  call: CallView;
  versions: readonly CallVersionView[];
  lang: string;
  language: string;
  readHref?: ((version: number) => string) | undefined;
}): SafeHtml[] {
  const { call, versions, lang, language } = opts;
  return [...versions].reverse().map((v) => {
    const index = versions.indexOf(v);
    const previous = index > 0 ? versions[index - 1] : undefined;
    let changes: SafeHtml | string = html`<p>${t(lang, "call:page.first")}</p>`;
    if (previous) {
      const before = fieldsOf(previous, call, language, lang);
      const after = fieldsOf(v, call, language, lang);
      const changed = Object.keys(after).filter((f) => before[f] !== after[f]);
      changes =
        changed.length === 0
          ? html`<p>${t(lang, "call:page.unchanged")}</p>`
          : html`<dl${language !== lang ? html` lang="${language}"` : ""}>${changed.map(
              (f) => html`<dt lang="${lang}">${t(lang, `call:page.field.${f}`)}</dt><dd>${diffHtml(diffText(before[f] ?? "", after[f] ?? ""))}</dd>`,
            )}</dl>`;
    }
    const current = v.version === call.version ? html` · <strong>${t(lang, "call:page.current")}</strong>` : "";
    const read = opts.readHref ? html` · <a href="${opts.readHref(v.version)}">${t(lang, "call:page.read")}</a>` : "";
    return html`<li class="card"><h2 id="v${v.version}">${t(lang, "call:page.versionHeading", { version: v.version })}</h2>
<p class="muted">${t(lang, "call:page.savedOn", { date: savedOn(v.createdAt, lang) })}${current}${read}</p>
${changes}</li>`;
  });
}

/** The history of a call: every version, newest first, each with what changed from the one before. */
export function callVersionsPage(opts: { call: CallView; versions: readonly CallVersionView[]; lang: string; wanted: readonly string[]; urls: Urls }): string {
  const { call, versions, lang, wanted, urls } = opts;
  const primary = call.collective.primaryLanguage;
  const title = localized(call.title, wanted, primary, lang);
  // The language the diff is shown in: the visitor's, among the call's, else the primary one.
  const language = pickLanguage(call.title, wanted, primary)?.language ?? primary;
  const items = versionHistoryItems({ call, versions, lang, language, readHref: (n) => urls.callVersion(call.id, n).pathname });
  const body = html`<h1>${t(lang, "call:page.versionsTitle", { title: title?.text ?? "" })}</h1>
<p><a href="${urls.call(call.id).pathname}">${t(lang, "call:page.backToCall")}</a></p>
<p class="muted">${t(lang, "call:page.legend")}</p>
<ol class="event-list" reversed>${items}</ol>`;
  return layout({ lang, title: t(lang, "call:page.versionsTitle", { title: title?.text ?? "" }), body, path: urls.callVersions(call.id).pathname });
}

/** A collective's public calls, newest first, for its page. */
export function callsSection(opts: { calls: readonly CallView[]; lang: string; wanted: readonly string[]; urls: Urls }): SafeHtml {
  const { lang, wanted, urls } = opts;
  return html`<section aria-labelledby="calls"><h2 id="calls">${t(lang, "call:page.calls")}</h2>
<ul class="event-list">${opts.calls.map((c) => {
    const title = localized(c.title, wanted, c.collective.primaryLanguage, lang);
    const status = c.status === "open" ? "" : html` <span class="muted">(${t(lang, `call:status.${c.status}`)})</span>`;
    return html`<li><a href="${urls.call(c.id).pathname}"${langAttr(title?.lang)}>${title?.text ?? ""}</a>${status}</li>`;
  })}</ul></section>`;
}
