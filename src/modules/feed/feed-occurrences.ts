// Feed filters and windows act on a recurring event's occurrences, not on the whole series (issue 17):
// an occurrence's status is "cancelled" when it is cancelled, else the series'; a series passes a
// feed's filters when one of its occurrences in the window does; and a feed that leaves some of its
// occurrences out (a status filter, or a window the subscriber asked for) shows the series with only
// those it keeps: its first date moved to the first kept, an UNTIL at the last kept when the feed
// ends there, an EXDATE (without an override) for each other date between.
import type { EventStatus, PublishedEvent } from "../event/event.types.ts";
import { expandOccurrences, type Occurrence, occurrenceOn, ruleDates, type Series } from "../event/recurrence-expand.ts";
import type { FeedFilters, TimeWindow } from "./feed.types.ts";

const seriesOf = (e: PublishedEvent): Series | undefined =>
  e.recurrence ? { startsAt: e.startsAt, endsAt: e.endsAt, timezone: e.timezone, allDay: e.allDay, recurrence: e.recurrence } : undefined;

/** An occurrence's status: cancelled on its own, else the series'. */
export function occurrenceStatus(event: PublishedEvent, o: Occurrence): EventStatus {
  return o.cancelled ? "cancelled" : event.status;
}

/** The occurrences of a series in the window whose status the filters take, by start (at most `limit`). */
export function matchingOccurrences(event: PublishedEvent, statuses: readonly EventStatus[], window: TimeWindow, limit = 5000): Occurrence[] {
  const series = seriesOf(event);
  if (!series) return [];
  if (statuses.length === 0) return expandOccurrences(series, event.exceptions ?? [], { from: window.from, to: window.to, limit });
  const exceptions = event.exceptions ?? [];
  // When the series' own status passes, only cancelled dates fail (at most one per exception); else only
  // cancelled dates pass, anywhere in the series (5000 dates: a weekly series for 96 years).
  const read = statuses.includes(event.status) ? limit + exceptions.length : 5000;
  const all = expandOccurrences(series, exceptions, { from: window.from, to: window.to, limit: read });
  return all.filter((o) => statuses.includes(occurrenceStatus(event, o))).slice(0, limit);
}

/**
 * The series as a feed with these filters shows it. Unchanged when the feed keeps every occurrence;
 * `explicitWindow`: the subscriber asked for `from`/`to` (a feed's default window, which moves each day,
 * does not cut a series: its first date would change with every poll).
 */
export function seriesForFeed(event: PublishedEvent, filters: FeedFilters, window: TimeWindow, explicitWindow: boolean): PublishedEvent {
  const series = seriesOf(event);
  if (!series) return event;
  const statuses = filters.statuses;
  // Only cancelled occurrences can pass when the series' own status is filtered out.
  const onlyCancelled = statuses.length > 0 && !statuses.includes(event.status);
  const hidesCancelled = statuses.length > 0 && !statuses.includes("cancelled");
  if (!explicitWindow && !onlyCancelled) {
    // Every regular occurrence passes: a cancelled one is in EXDATE already; its override goes when cancelled ones are filtered out.
    if (!hidesCancelled) return event;
    return { ...event, exceptions: (event.exceptions ?? []).filter((e) => !e.cancelled) };
  }
  const kept = matchingOccurrences(event, statuses, explicitWindow ? window : {});
  if (kept.length === 0) return event;
  const dates = kept.map((o) => o.date).sort();
  const first = dates[0]!;
  const last = dates[dates.length - 1]!;
  // The feed ends with its last kept occurrence unless more follow that it would keep (an open window).
  const bounded = onlyCancelled || window.to !== undefined || !explicitWindow;
  const keptDates = new Set(dates);
  const hidden: string[] = [];
  let before = 0;
  for (const d of ruleDates(series)) {
    const day = d.toString();
    if (day < first) {
      before++;
      continue;
    }
    if (day > last) break;
    if (!keptDates.has(day)) hidden.push(day);
  }
  const base = occurrenceOn(series, first)!;
  const { count, until, ...rule } = series.recurrence;
  const recurrence = bounded ? { ...rule, until: last } : { ...rule, ...(count !== undefined ? { count: count - before } : {}), ...(until !== undefined ? { until } : {}) };
  return {
    ...event,
    startsAt: base.start,
    endsAt: base.end,
    recurrence,
    exceptions: (event.exceptions ?? []).filter((e) => keptDates.has(e.date) && !(hidesCancelled && e.cancelled)),
    feedView: { hiddenDates: hidden, cancelledShown: onlyCancelled },
  };
}
