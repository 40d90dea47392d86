import type { PublishedEvent } from "../../modules/event/event.types.ts";
import { userLinkRel } from "../../modules/event/event-markdown.ts";
import { t } from "../../shared/i18n.ts";
import { dateTimeFormat } from "../../shared/intl-cache.ts";
import type { LanguageMap } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { html, type SafeHtml } from "../html.ts";
import { formatEventWhen } from "../wording.ts";
import { langAttr, localized, subscribeBox } from "./event.page.ts";
import { layout } from "./layout.ts";

export interface AgendaOptions {
  readonly events: readonly PublishedEvent[];
  readonly lang: string;
  readonly wanted: readonly string[];
  readonly urls: Urls;
  /** The collective whose network agenda this is; undefined for the instance's. */
  readonly collective?: { readonly slug: string; readonly name: LanguageMap; readonly primaryLanguage: string } | undefined;
  /** The path of this page (links keep it) and the origin filter shown as current. */
  readonly path: string;
  readonly origin: "local" | "partners" | undefined;
  readonly feed: URL;
}

function countryName(code: string | undefined, lang: string): string | undefined {
  if (!code) return undefined;
  try {
    return new Intl.DisplayNames([lang], { type: "region", fallback: "code" }).of(code);
  } catch {
    return code;
  }
}

/**
 * One event of the network agenda: ours link to their page here; a partner's links to its original on
 * its server (the only request a visitor's browser makes there is following that link: nothing of the
 * partner's server is embedded), with its organiser, server and country.
 */
function agendaItem(e: PublishedEvent, o: AgendaOptions): SafeHtml {
  const { lang, wanted } = o;
  const name = localized(e.name, wanted, e.organizer.primaryLanguage, lang);
  const organizer = localized(e.organizer.name, wanted, e.organizer.primaryLanguage, lang);
  const status = e.status !== "scheduled" ? html` · <strong>${t(lang, `web:event.status_${e.status}`)}</strong>` : "";
  const country = countryName(e.location?.country, lang);
  const where = [e.location?.locality, country].filter(Boolean).join(", ");
  if (e.remote) {
    const server = e.remote.server;
    return html`<li class="partner-event"><a href="${e.remote.pageUrl.href}" rel="${userLinkRel}"${langAttr(name?.lang)}>${name?.text ?? ""}</a><br>
<span class="muted">${formatEventWhen(e, lang)}${status}${where ? html` · ${where}` : ""}</span><br>
<span class="muted">${e.remote.organizerName ?? server} · ${t(lang, "web:agenda.original", { server })}</span></li>`;
  }
  return html`<li><a href="${o.urls.event(e.id).pathname}"${langAttr(name?.lang)}>${name?.text ?? ""}</a><br>
<span class="muted">${formatEventWhen(e, lang)}${status}${where ? html` · ${where}` : ""}</span><br>
<span class="muted"><span${langAttr(organizer?.lang)}>${organizer?.text ?? e.organizer.slug}</span> · ${t(lang, "web:agenda.here")}</span></li>`;
}

/** A network agenda: our events and our partners', day by day, with the origin filter and the network feed. */
export function agendaPage(o: AgendaOptions): string {
  const { lang } = o;
  const collectiveName = o.collective ? localized(o.collective.name, o.wanted, o.collective.primaryLanguage, lang)?.text ?? o.collective.slug : undefined;
  const title = collectiveName ? t(lang, "web:agenda.titleOf", { name: collectiveName }) : t(lang, "web:agenda.title");
  const intro = collectiveName ? t(lang, "web:agenda.introOf", { name: collectiveName }) : t(lang, "web:agenda.intro");
  const days = new Map<string, PublishedEvent[]>();
  for (const e of o.events) {
    const day = e.startsAt.toZonedDateTimeISO(e.timezone).toPlainDate().toString();
    days.set(day, [...(days.get(day) ?? []), e]);
  }
  const dayTitle = (day: string) =>
    dateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${day}T12:00:00Z`));
  const filter = (value: "local" | "partners" | undefined, label: string) => {
    const href = `${o.path}?lang=${lang}${value ? `&origin=${value}` : ""}`;
    return value === o.origin ? html`<a href="${href}" aria-current="true"><strong>${label}</strong></a>` : html`<a href="${href}">${label}</a>`;
  };
  const body = html`<h1>${title}</h1>
<p>${intro}</p>
<nav aria-label="${t(lang, "web:agenda.show")}"><p>${t(lang, "web:agenda.show")}: ${filter(undefined, t(lang, "web:agenda.all"))} · ${filter("local", t(lang, "web:agenda.ours"))} · ${filter("partners", t(lang, "web:agenda.partners"))}</p></nav>
${
  days.size === 0
    ? html`<p>${t(lang, "web:agenda.none")}</p>`
    : [...days].map(([day, events]) => html`<section aria-labelledby="day-${day}"><h2 id="day-${day}"><time datetime="${day}">${dayTitle(day)}</time></h2>
<ul class="event-list">${events.map((e) => agendaItem(e, o))}</ul></section>`)
}
${subscribeBox(lang, o.feed)}`;
  return layout({ lang, title, body, path: o.path });
}
