import type { EventView } from "../modules/event/event.service.ts";

/** An instant as the API writes it: with the offset of the event's zone ("2026-03-08T14:00:00+01:00"). */
export function formatApiTime(instant: Temporal.Instant, timezone: string, allDay: boolean): string {
  const zoned = instant.toZonedDateTimeISO(timezone);
  return allDay ? zoned.toPlainDate().toString() : zoned.toString({ timeZoneName: "never", smallestUnit: "second" });
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
    published: view.published,
    sequence: e.sequence,
    updatedAt: e.updatedAt.toString(),
  };
}
