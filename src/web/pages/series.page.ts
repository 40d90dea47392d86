import type { PublishedEvent } from "../../modules/event/event.types.ts";
import { occurrenceAsEvent } from "../../modules/event/occurrence-event.ts";
import type { Occurrence } from "../../modules/event/recurrence-expand.ts";
import { t } from "../../shared/i18n.ts";
import { html, type SafeHtml } from "../html.ts";
import { describeSeries } from "../series-wording.ts";
import { langAttr, localized } from "./event.page.ts";
import { formatEventWhen, formatEventWhere } from "../wording.ts";

/**
 * The dates of a recurring event on its page: the rule in words ("every Tuesday, 14:00–17:00, until
 * 30 June") and its next occurrences, each with its anchor (`#occurrence-<date>`, where the occurrence's
 * URL sends browsers), the cancelled ones struck through, the moved ones with their new time, those held
 * elsewhere with their place.
 */
export function seriesSection(opts: {
  event: PublishedEvent;
  occurrences: readonly Occurrence[];
  lang: string;
  wanted?: readonly string[];
  /** The page of another event (the series this one continues, or that continues it). */
  pageOf?: (eventId: string) => string;
}): SafeHtml {
  const { event: e, occurrences, lang } = opts;
  /** Why an occurrence is cancelled or changed, in the visitor's language by the fallback chain. */
  const why = (o: Occurrence) => {
    const reason = localized(o.exception?.reason, opts.wanted ?? [lang], e.organizer.primaryLanguage, lang);
    return reason ? html` — <span${langAttr(reason.lang)}>${t(lang, "web:event.reason", { reason: reason.text })}</span>` : "";
  };
  const items = occurrences.map((o) => {
    const one = occurrenceAsEvent(e, o);
    const when = formatEventWhen(one, lang);
    const id = `occurrence-${o.date}`;
    if (o.cancelled) return html`<li id="${id}" class="cancelled"><del><time datetime="${o.startsAt.toString()}">${when}</time></del> — <strong>${t(lang, "web:series.cancelled")}</strong>${why(o)}</li>`;
    const planned = formatEventWhen(occurrenceAsEvent(e, { ...o, startsAt: o.originalStart, moved: false }), lang);
    const moved = o.moved ? html`<del>${planned}</del> — <strong>${t(lang, "web:series.movedTo", { when })}</strong>` : html`<time datetime="${o.startsAt.toString()}">${when}</time>`;
    const where = o.exception?.location || o.exception?.onlineUrl ? html` — <strong>${t(lang, "web:series.elsewhere", { where: formatEventWhere(one, lang) ?? one.onlineUrl ?? "" })}</strong>` : "";
    return html`<li id="${id}">${moved}${where}${o.moved || where ? why(o) : ""}</li>`;
  });
  const seriesLink = (other: string | undefined, key: string) =>
    other ? html`<p>${opts.pageOf ? html`<a href="${opts.pageOf(other)}#dates">${t(lang, key)}</a>` : t(lang, key)}</p>` : "";
  return html`<section class="series" id="dates">
<h2>${t(lang, "web:series.title")}</h2>
<p>${describeSeries(e, lang) ?? ""}</p>
${seriesLink(e.previousSeries, "web:series.continues")}${seriesLink(e.nextSeries, "web:series.continuedBy")}
${items.length > 0 ? html`<h3>${t(lang, "web:series.next")}</h3><ul>${items}</ul>` : html`<p>${t(lang, "web:series.noMore")}</p>`}
</section>`;
}

/**
 * A list of events as pages show it (a collective's upcoming events): a series once, at its next
 * occurrence that is not cancelled, gone when none is left (as the feeds give a series as one VEVENT
 * while it is not over); its rule in words by event id, said in the list.
 */
export function atNextOccurrence(
  events: readonly PublishedEvent[],
  next: ReadonlyMap<string, Occurrence | undefined>,
  lang: string,
): { events: PublishedEvent[]; rules: Map<string, string> } {
  const rules = new Map<string, string>();
  const out: PublishedEvent[] = [];
  for (const e of events) {
    if (!e.recurrence || !next.has(e.id)) {
      out.push(e);
      continue;
    }
    const o = next.get(e.id);
    if (!o) continue;
    const rule = describeSeries(e, lang);
    if (rule) rules.set(e.id, rule);
    out.push({ ...e, startsAt: o.startsAt, endsAt: o.endsAt });
  }
  out.sort((x, y) => Temporal.Instant.compare(x.startsAt, y.startsAt));
  return { events: out, rules };
}
