import type { EventView } from "../modules/event/event.service.ts";
import { civil } from "../modules/ical/ical-time.ts";
import { intlOffset } from "../modules/ical/vtimezone.ts";

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number) => String(n).padStart(4, "0");

/** `+01:00`, `-03:30`, `+00:09:21` (a historical offset with seconds): as Temporal writes offsets. */
function isoOffset(offsetMs: number): string {
  const total = Math.abs(Math.round(offsetMs / 1000));
  const text = `${offsetMs < 0 ? "-" : "+"}${pad2(Math.floor(total / 3600))}:${pad2(Math.floor(total / 60) % 60)}`;
  return total % 60 === 0 ? text : `${text}:${pad2(total % 60)}`;
}

/**
 * An instant as the API writes it: with the offset of the event's zone ("2026-03-08T14:00:00+01:00"), to
 * the second; the local date alone for all-day events. Written from epoch milliseconds and the zone's
 * offset (Intl, cached formatters): what `toZonedDateTimeISO(zone).toString()` gives, without the
 * Temporal polyfill's cost (~0.3 ms a call, most of an API list's time; bench/reads).
 */
export function formatApiTime(instant: Temporal.Instant, timezone: string, allDay: boolean): string {
  const ms = instant.epochMilliseconds;
  const offset = intlOffset(timezone, ms);
  const c = civil(Math.floor(ms / 1000) * 1000 + offset);
  const date = `${pad4(c.year)}-${pad2(c.month)}-${pad2(c.day)}`;
  return allDay ? date : `${date}T${pad2(c.hour)}:${pad2(c.minute)}:${pad2(c.second)}${isoOffset(offset)}`;
}

/** An instant in UTC as Temporal's `Instant#toString` writes a millisecond value ("2026-12-02T12:56:44.29Z"). */
export function formatInstant(instant: Temporal.Instant): string {
  const iso = new Date(instant.epochMilliseconds).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, "");
  return `${iso.slice(0, 19)}${fraction === "" ? "" : `.${fraction}`}Z`;
}

/** The JSON API's event: the model's names, plus id, url (the HTML page) and apId. */
export function presentEvent(view: EventView) {
  const e = view.event;
  return {
    id: e.id,
    url: e.apId.href,
    apId: e.apId.href,
    collective: e.organizer.slug,
    name: e.name,
    summary: e.summary ?? null,
    description: e.descriptionSource ?? null,
    descriptionHtml: e.description ?? null,
    startsAt: formatApiTime(e.startsAt, e.timezone, e.allDay),
    endsAt: e.endsAt ? formatApiTime(e.endsAt, e.timezone, e.allDay) : null,
    timezone: e.timezone,
    allDay: e.allDay,
    location: e.location ?? null,
    onlineUrl: e.onlineUrl ?? null,
    category: e.category ?? null,
    tags: e.tags,
    status: e.status,
    statusReason: e.statusReason ?? null,
    image: e.image ?? null,
    links: e.links,
    contact: e.contact ?? null,
    visibility: e.visibility,
    recurrence: e.recurrence ?? null,
    previousSeries: e.previousSeries ?? null,
    nextSeries: e.nextSeries ?? null,
    published: view.published,
    sequence: e.sequence,
    updatedAt: formatInstant(e.updatedAt),
  };
}
