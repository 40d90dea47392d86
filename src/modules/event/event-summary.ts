import type { Translate } from "../../shared/i18n.ts";
import { dateTimeFormat } from "../../shared/intl-cache.ts";
import { pickLanguage } from "../../shared/language.ts";
import type { EventCategory, EventData, Place } from "./event.types.ts";

type When = Pick<EventData, "startsAt" | "endsAt" | "timezone" | "allDay">;
type Where = Pick<EventData, "location" | "onlineUrl">;

const longDate: Intl.DateTimeFormatOptions = { weekday: "long", day: "numeric", month: "long", year: "numeric" };

/** The local calendar date of an all-day event's day, as a Date at noon UTC that formats the same everywhere. */
function calendarDay(instant: Temporal.Instant, timezone: string): Date {
  const d = instant.toZonedDateTimeISO(timezone);
  return new Date(Date.UTC(d.year, d.month - 1, d.day, 12));
}

/** "Place Bellecour, Lyon": the place's name (or street) and its locality. */
export function placeText(place: Place): string | undefined {
  const first = place.name ?? place.streetAddress;
  const locality = place.locality;
  if (first === undefined) return locality;
  if (locality === undefined || first.toLowerCase().includes(locality.toLowerCase())) return first;
  return `${first}, ${locality}`;
}

function capitalize(text: string, language: string): string {
  return text.charAt(0).toLocaleUpperCase(language) + text.slice(1);
}

/**
 * How an event is worded for people, in their language: the date and zone, the place, the one-line
 * summary Mastodon shows, the status, the category. `t` is the translator the composition root gives.
 */
export function eventWording(t: Translate) {
  /**
   * How people name the zone: "heure de Paris", "Ortszeit Montreal", "Paris time" — the city of the IANA
   * name, translated when the locale lists an exonym (`event:cities`). Zones without a city (UTC, Etc/GMT-2,
   * offsets read from remote events) read "UTC+2".
   */
  function zoneLabel(timezone: string, at: Temporal.Instant, language: string): string {
    const parts = timezone.split("/");
    const cityPart = parts.length > 1 && parts[0] !== "Etc" ? parts.at(-1) : undefined;
    if (cityPart === undefined) {
      const offset = at.toZonedDateTimeISO(timezone).offset; // "+02:00", "-04:00", "+05:30"
      const [hours = "+00", minutes = "00"] = offset.split(":");
      const h = Number.parseInt(hours, 10);
      if (h === 0 && minutes === "00") return "UTC";
      return `UTC${hours[0]}${Math.abs(h)}${minutes === "00" ? "" : `:${minutes}`}`;
    }
    const city = t(language, `event:cities.${timezone}`, { defaultValue: cityPart.replaceAll("_", " ") });
    // French elides "de" before a vowel: "heure d’Amsterdam". Languages without the variant ignore it.
    const context = /^[aeiouyàâäéèêëîïôöûü]/i.test(city) ? "elided" : undefined;
    return t(language, "event:when.zone", { city, context });
  }

  /**
   * When the event happens, in its own zone, for readers of `language`: "dimanche 8 mars 2026, 14:00
   * (heure de Paris)"; all-day events give the date or the date range only.
   */
  function formatEventWhen(event: When, language: string): string {
    if (event.allDay) {
      const format = dateTimeFormat(language, { ...longDate, timeZone: "UTC" });
      const first = calendarDay(event.startsAt, event.timezone);
      const last = event.endsAt === undefined ? first : calendarDay(event.endsAt, event.timezone);
      return last.getTime() > first.getTime() ? format.formatRange(first, last) : format.format(first);
    }
    const at = new Date(event.startsAt.epochMilliseconds);
    const date = dateTimeFormat(language, { ...longDate, timeZone: event.timezone }).format(at);
    const time = dateTimeFormat(language, { timeStyle: "short", timeZone: event.timezone }).format(at);
    return t(language, "event:when.dateTime", { date, time, zone: zoneLabel(event.timezone, event.startsAt, language) });
  }

  /** Where: the place, "online", or both ("Place Bellecour, Lyon et en ligne"); undefined when neither is known. */
  function formatEventWhere(event: Where, language: string): string | undefined {
    const place = event.location === undefined ? undefined : placeText(event.location);
    if (event.onlineUrl === undefined) return place;
    return place === undefined ? t(language, "event:where.online") : t(language, "event:where.hybrid", { place });
  }

  /**
   * The one line Mastodon shows under an Event's name (it ignores times, places and `content`):
   * "Dimanche 8 mars 2026, 14:00 (heure de Paris) · Place Bellecour, Lyon — <one-line summary>",
   * prefixed by the status when the event is cancelled or postponed. Plain text: escape it for HTML.
   */
  function mastodonSummary(event: EventData, language: string): string {
    const when = capitalize(formatEventWhen(event, language), language);
    const where = formatEventWhere(event, language);
    let line = where === undefined ? when : t(language, "event:summary.line", { when, where });
    if (event.status !== "scheduled") {
      line = t(language, "event:summary.withStatus", { status: t(language, `event:status.${event.status}`), line });
    }
    const text = event.summary === undefined ? undefined : pickLanguage(event.summary, [language], language)?.text;
    return text === undefined ? line : t(language, "event:summary.withText", { line, text });
  }

  /**
   * "Annulé — Interdiction préfectorale": the status of an event that is off, with its reason, for
   * servers that show the description but know no event status (Gancio). Undefined while scheduled.
   */
  function statusText(event: Pick<EventData, "status" | "statusReason">, language: string): string | undefined {
    if (event.status === "scheduled") return undefined;
    const status = t(language, `event:status.${event.status}`);
    const reason = event.statusReason === undefined ? undefined : pickLanguage(event.statusReason, [language], language)?.text;
    return reason === undefined ? status : t(language, "event:summary.withText", { line: status, text: reason });
  }

  /** A category's name in an interface language ("Mouvements et politique"), from `event:category`. */
  function categoryLabel(category: EventCategory, language: string): string {
    return t(language, `event:category.${category}`);
  }

  return { zoneLabel, formatEventWhen, formatEventWhere, mastodonSummary, statusText, categoryLabel };
}

export type EventWording = ReturnType<typeof eventWording>;
