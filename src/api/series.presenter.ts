import type { Occurrence } from "../modules/event/recurrence-expand.ts";
import type { PublishedEvent } from "../modules/event/event.types.ts";
import { formatApiTime } from "./event.presenter.ts";

/** One occurrence of a recurring event, its times in the event's zone; `date` names it in URLs. */
export function presentOccurrence(event: Pick<PublishedEvent, "timezone" | "allDay" | "apId">, o: Occurrence) {
  const e = o.exception;
  return {
    date: o.date,
    url: `${event.apId.href}/occurrences/${o.date}`,
    startsAt: formatApiTime(o.startsAt, event.timezone, event.allDay),
    endsAt: o.endsAt ? formatApiTime(o.endsAt, event.timezone, event.allDay) : null,
    originalStartsAt: formatApiTime(o.originalStart, event.timezone, event.allDay),
    cancelled: o.cancelled,
    moved: o.moved,
    location: e?.location ?? null,
    onlineUrl: e?.onlineUrl ?? null,
    reason: e?.reason ?? null,
  };
}
