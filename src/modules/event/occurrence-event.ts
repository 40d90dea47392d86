import type { PublishedEvent } from "./event.types.ts";
import type { Occurrence } from "./recurrence-expand.ts";

/**
 * One occurrence of a recurring event as an event of its own (feeds' overrides, the Event each
 * occurrence federates as): its times, its place, cancelled or not, no rule. `apId` is given for the
 * federated form (the occurrence's URL); `id` stays the series'.
 */
export function occurrenceAsEvent(event: PublishedEvent, o: Occurrence, apId?: URL): PublishedEvent {
  const e = o.exception;
  return {
    ...event,
    ...(apId ? { apId } : {}),
    recurrence: undefined,
    exceptions: undefined,
    startsAt: o.startsAt,
    endsAt: o.endsAt,
    location: e?.location ?? event.location,
    onlineUrl: e?.onlineUrl ?? event.onlineUrl,
    status: o.cancelled ? "cancelled" : event.status,
    statusReason: e?.reason ?? event.statusReason,
    sequence: apId ? (e?.version ?? 0) : event.sequence,
  };
}
