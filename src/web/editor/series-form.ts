// The forms of a recurring event's dates as plain values, and their conversions to the bodies the series
// service takes (the JSON API's): one occurrence cancelled, moved or held elsewhere, the series changed
// from a date on, or ended. The forms speak in fields a person fills (a date, a time, a place name), in
// the event's zone; the service checks them. Whatever was typed is kept, valid or not.
import type { PublishedEvent } from "../../modules/event/event.types.ts";
import type { Occurrence } from "../../modules/event/recurrence-expand.ts";

export interface MoveValues {
  readonly startDate: string;
  readonly startTime: string;
  readonly endDate: string;
  readonly endTime: string;
}

export interface PlaceValues {
  readonly placeName: string;
  readonly street: string;
  readonly postalCode: string;
  readonly locality: string;
  readonly country: string;
  readonly onlineUrl: string;
}

/** "Change from this date on": the first date of the new part, its times, its place. */
export interface SplitValues extends PlaceValues {
  readonly from: string;
  readonly startTime: string;
  readonly endTime: string;
}

const str = (body: Record<string, unknown>, key: string): string => (typeof body[key] === "string" ? (body[key] as string) : "");
const hhmm = (d: Temporal.ZonedDateTime) => d.toPlainTime().toString({ smallestUnit: "minute" });

/** The occurrence's times as it stands (moved or as planned), in the event's zone. */
export function moveOf(e: PublishedEvent, o: Occurrence): MoveValues {
  const start = o.startsAt.toZonedDateTimeISO(e.timezone);
  const end = o.endsAt?.toZonedDateTimeISO(e.timezone);
  return {
    startDate: start.toPlainDate().toString(),
    startTime: e.allDay ? "" : hhmm(start),
    endDate: end ? end.toPlainDate().toString() : "",
    endTime: end && !e.allDay ? hhmm(end) : "",
  };
}

export function readMove(body: Record<string, unknown>): MoveValues {
  return { startDate: str(body, "startDate").trim(), startTime: str(body, "startTime").trim(), endDate: str(body, "endDate").trim(), endTime: str(body, "endTime").trim() };
}

/** The body of a move: local date-times in the event's zone (dates alone for an all-day event). An end time without its date is on the start's date. */
export function moveBody(v: MoveValues, allDay: boolean): Record<string, unknown> {
  const time = (date: string, hm: string) => (allDay || hm === "" ? date : `${date}T${hm}`);
  const endDate = v.endDate !== "" ? v.endDate : v.endTime !== "" ? v.startDate : "";
  return { startsAt: time(v.startDate, v.startTime), ...(endDate !== "" ? { endsAt: time(endDate, v.endTime) } : {}) };
}

const placeFields = (p: PublishedEvent["location"]) => ({
  name: p?.name ?? "",
  streetAddress: p?.streetAddress ?? "",
  postalCode: p?.postalCode ?? "",
  locality: p?.locality ?? "",
  country: p?.country ?? "",
});

/** Where the occurrence is held as it stands: its own place or link, else the series'. */
export function placeOf(e: PublishedEvent, o: Occurrence | undefined): PlaceValues {
  const p = placeFields(o?.exception?.location ?? e.location);
  return { placeName: p.name, street: p.streetAddress, postalCode: p.postalCode, locality: p.locality, country: p.country, onlineUrl: o?.exception?.onlineUrl ?? e.onlineUrl ?? "" };
}

export function readPlace(body: Record<string, unknown>): PlaceValues {
  return {
    placeName: str(body, "placeName"),
    street: str(body, "street"),
    postalCode: str(body, "postalCode"),
    locality: str(body, "locality"),
    country: str(body, "country").trim(),
    onlineUrl: str(body, "onlineUrl").trim(),
  };
}

/** The place of the form as the API's `location` (null when the form gives none). */
function locationOf(v: PlaceValues): Record<string, string> | null {
  const place = { name: v.placeName.trim(), streetAddress: v.street.trim(), postalCode: v.postalCode.trim(), locality: v.locality.trim(), country: v.country };
  if (!place.name && !place.streetAddress && !place.locality) return null;
  return Object.fromEntries(Object.entries(place).filter(([, x]) => x !== ""));
}

/**
 * The body of "another place" for one occurrence: what differs from the series, and what equals it given
 * back to the series (null), so that it follows the series. `undefined` when nothing differs and the
 * occurrence has no place of its own: there is nothing to change.
 */
export function placeBody(v: PlaceValues, e: PublishedEvent, o: Occurrence): Record<string, unknown> | undefined {
  const location = locationOf(v);
  const series = locationOf(placeOf(e, undefined));
  const body = {
    location: location && JSON.stringify(location) !== JSON.stringify(series) ? location : null,
    onlineUrl: v.onlineUrl !== "" && v.onlineUrl !== (e.onlineUrl ?? "") ? v.onlineUrl : null,
  };
  const elsewhere = Boolean(o.exception?.location || o.exception?.onlineUrl);
  return body.location === null && body.onlineUrl === null && !elsewhere ? undefined : body;
}

/** The note of a cancellation as typed, per language of the event. */
export function readReason(body: Record<string, unknown>, languages: readonly string[]): Record<string, string> {
  return Object.fromEntries(languages.map((l) => [l, str(body, `reason.${l}`)]));
}

/** The note for the service: the languages left empty out; undefined for none. */
export function reasonBody(reason: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const given = Object.entries(reason).filter(([, text]) => text.trim() !== "");
  return given.length > 0 ? Object.fromEntries(given.map(([l, text]) => [l, text.trim()])) : undefined;
}

/** "Change from this date on", filled with the series as it stands from `from`. */
export function splitOf(e: PublishedEvent, from: string): SplitValues {
  const start = e.startsAt.toZonedDateTimeISO(e.timezone);
  const end = e.endsAt?.toZonedDateTimeISO(e.timezone);
  return { ...placeOf(e, undefined), from, startTime: e.allDay ? "" : hhmm(start), endTime: end && !e.allDay ? hhmm(end) : "" };
}

export function readSplit(body: Record<string, unknown>): SplitValues {
  return { ...readPlace(body), from: str(body, "from").trim(), startTime: str(body, "startTime").trim(), endTime: str(body, "endTime").trim() };
}

/**
 * The body of a split: the new part's first date, its times on that date (an event over several days
 * keeps its number of days), its place and link as the form gives them.
 */
export function splitBody(v: SplitValues, e: PublishedEvent): Record<string, unknown> {
  const body: Record<string, unknown> = { from: v.from, location: locationOf(v), onlineUrl: v.onlineUrl === "" ? null : v.onlineUrl };
  if (e.allDay || !/^\d{4}-\d{2}-\d{2}$/.test(v.from)) return body;
  if (v.startTime !== "") body.startsAt = `${v.from}T${v.startTime}`;
  if (v.endTime !== "" && e.endsAt) {
    const days = e.startsAt.toZonedDateTimeISO(e.timezone).toPlainDate().until(e.endsAt.toZonedDateTimeISO(e.timezone).toPlainDate()).days;
    try {
      body.endsAt = `${Temporal.PlainDate.from(v.from).add({ days })}T${v.endTime}`;
    } catch {
      body.endsAt = `${v.from}T${v.endTime}`;
    }
  } else if (v.endTime !== "") body.endsAt = `${v.from}T${v.endTime}`;
  return body;
}
