import { formatEventWhen } from "../wording.ts";
import { paths } from "../../shared/paths.ts";
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import { t } from "../../shared/i18n.ts";
import { dateTimeFormat } from "../../shared/intl-cache.ts";
import type { Urls } from "../../shared/urls.ts";
import { html, type SafeHtml } from "../html.ts";
import { langAttr, localized, subscribeBox } from "./event.page.ts";
import { layout } from "./layout.ts";

interface ListOptions {
  readonly lang: string;
  readonly wanted: readonly string[];
  readonly urls: Urls;
  /** Name the organising collective under each event (lists across collectives). */
  readonly organizer?: boolean;
  /** Recurring events' rules in words, by event id (series.page.ts), said after their next date. */
  readonly rules?: ReadonlyMap<string, string>;
}

/** Events as a list: name (linked), when, status and, across collectives, who organises. */
export function eventList(events: readonly PublishedEvent[], o: ListOptions): SafeHtml {
  const { lang, wanted, urls } = o;
  return html`<ul class="event-list">${events.map((e) => {
    const name = localized(e.name, wanted, e.organizer.primaryLanguage, lang);
    const organizer = localized(e.organizer.name, wanted, e.organizer.primaryLanguage, lang);
    // An event hosted on another server (one our collective co-organises) links to its page there.
    const href = e.remote ? e.remote.pageUrl.href : urls.event(e.id).pathname;
    return html`<li><a href="${href}"${langAttr(name?.lang)}>${name?.text ?? ""}</a><br>
<span class="muted">${formatEventWhen(e, lang)}${o.rules?.has(e.id) ? html` · <span class="series-rule">${o.rules.get(e.id)}</span>` : ""}${e.status !== "scheduled" ? html` · <strong>${t(lang, `web:event.status_${e.status}`)}</strong>` : ""}${
      o.organizer ? html` · <span${langAttr(organizer?.lang)}>${organizer?.text ?? e.organizer.slug}</span>` : ""
    }</span></li>`;
  })}</ul>`;
}

/** The "upcoming events" section of a collective's page, with its calendar's subscribe links. */
export function upcomingSection(opts: {
  events: readonly PublishedEvent[];
  lang: string;
  wanted: readonly string[];
  urls: Urls;
  slug: string;
  rules?: ReadonlyMap<string, string>;
}): SafeHtml {
  const { lang } = opts;
  return html`<section aria-labelledby="upcoming"><h2 id="upcoming">${t(lang, "web:event.upcoming")}</h2>
${opts.events.length > 0 ? eventList(opts.events, opts) : html`<p>${t(lang, "web:event.noUpcoming")}</p>`}
</section>
${subscribeBox(lang, opts.urls.collectiveIcs(opts.slug))}`;
}

/** The instance's calendar: every upcoming public event, day by day (each on its own date, in its own zone). */
export function calendarPage(opts: { events: readonly PublishedEvent[]; rules?: ReadonlyMap<string, string>; lang: string; wanted: readonly string[]; urls: Urls }): string {
  const { lang } = opts;
  const days = new Map<string, PublishedEvent[]>();
  for (const e of opts.events) {
    const day = e.startsAt.toZonedDateTimeISO(e.timezone).toPlainDate().toString();
    days.set(day, [...(days.get(day) ?? []), e]);
  }
  const dayTitle = (day: string) =>
    dateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${day}T12:00:00Z`));
  const body = html`<h1>${t(lang, "web:calendar.title")}</h1>
${
  days.size === 0
    ? html`<p>${t(lang, "web:event.noUpcoming")}</p>`
    : [...days].map(([day, events]) => html`<section aria-labelledby="day-${day}"><h2 id="day-${day}"><time datetime="${day}">${dayTitle(day)}</time></h2>
${eventList(events, { ...opts, organizer: true })}</section>`)
}
${subscribeBox(lang, opts.urls.instanceIcs())}`;
  return layout({ lang, title: t(lang, "web:calendar.title"), body, path: paths.calendar });
}
