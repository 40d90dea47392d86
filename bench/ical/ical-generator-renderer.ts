// The candidate library: the same feed through ical-generator 11, fed the way it has to be (Temporal
// ZonedDateTime for zoned times, its VTIMEZONE generator hook, our text for DESCRIPTION and LOCATION).
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import { pickLanguage } from "../../src/shared/language.ts";
import type { PublishedEvent } from "../../src/modules/event/event.types.ts";
import { eventUid } from "../../src/modules/ical/event-uid.ts";
import { htmlToPlainText } from "../../src/modules/ical/html-to-text.ts";
import { locationText } from "../../src/modules/ical/ical-renderer.ts";
import { vtimezone } from "../../src/modules/ical/vtimezone.ts";

const statuses = {
  scheduled: ICalEventStatus.CONFIRMED,
  cancelled: ICalEventStatus.CANCELLED,
  postponed: ICalEventStatus.TENTATIVE,
} as const;

export function renderWithIcalGenerator(
  events: readonly PublishedEvent[],
  opts: { name: string; languages: readonly string[]; refreshMinutes: number },
): string {
  const years = new Map<string, [number, number]>();
  for (const e of events) {
    const from = new Date(e.startsAt.epochMilliseconds - 86_400_000).getUTCFullYear();
    const to = new Date((e.endsAt ?? e.startsAt).epochMilliseconds + 86_400_000).getUTCFullYear();
    const range = years.get(e.timezone);
    years.set(e.timezone, range === undefined ? [from, to] : [Math.min(from, range[0]), Math.max(to, range[1])]);
  }
  const calendar = ical({
    prodId: "//bench//ical-generator//EN",
    name: opts.name,
    method: ICalCalendarMethod.PUBLISH,
    ttl: opts.refreshMinutes * 60,
    // An empty name: VTIMEZONEs for the events' zones, but no calendar-wide X-WR-TIMEZONE.
    timezone: {
      name: "",
      generator: (zone: string) => {
        const range = years.get(zone);
        return range === undefined ? null : vtimezone(zone, range[0], range[1]);
      },
    },
  });
  for (const e of events) {
    const primary = e.organizer.primaryLanguage;
    const name = pickLanguage(e.name, opts.languages, primary);
    const language = name?.language ?? primary;
    const html = e.description && pickLanguage(e.description, opts.languages, primary);
    const description = [html ? htmlToPlainText(html.text) : "", e.onlineUrl ?? "", e.apId.href].filter(Boolean).join("\n\n");
    const start = e.startsAt.toZonedDateTimeISO(e.timezone);
    const end = e.endsAt?.toZonedDateTimeISO(e.timezone);
    const place = e.location;
    calendar.createEvent({
      id: eventUid(e.apId),
      sequence: e.sequence,
      stamp: e.updatedAt,
      created: e.publishedAt,
      lastModified: e.updatedAt,
      allDay: e.allDay,
      start: e.allDay ? start.toPlainDate() : start,
      end: e.allDay ? (end ?? start).toPlainDate().add({ days: 1 }) : end,
      timezone: e.allDay ? null : e.timezone,
      summary: name?.text ?? "",
      description,
      location:
        place === undefined
          ? null
          : {
              title: locationText(place, language),
              geo: place.latitude !== undefined && place.longitude !== undefined ? { lat: place.latitude, lon: place.longitude } : undefined,
            },
      url: e.apId.href,
      status: statuses[e.status],
      categories: [...(e.category ? [e.category] : []), ...e.tags].map((category) => ({ name: category })),
    });
  }
  return calendar.toString();
}
