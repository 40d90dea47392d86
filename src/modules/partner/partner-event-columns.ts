import { createHash } from "node:crypto";
import type { PartnerEventImage, PartnerEventRow } from "./partner.entity.ts";
import type { IncomingEvent } from "./partner.types.ts";

export const toDate = (i: Temporal.Instant | undefined): Date | null => (i === undefined ? null : new Date(i.epochMilliseconds));

/** What people see of an event, as column values (the hash of which tells a change from a repeat). */
export function eventColumns(event: IncomingEvent, image: PartnerEventImage | null) {
  return {
    url: event.url?.href ?? null,
    name: event.name,
    summary: event.summary ?? null,
    description: event.description ?? null,
    startsAt: new Date(event.startsAt.epochMilliseconds),
    endsAt: toDate(event.endsAt),
    timezone: event.timezone,
    allDay: event.allDay,
    location: event.location ?? null,
    onlineUrl: event.onlineUrl ?? null,
    category: event.category ?? null,
    tags: [...event.tags],
    status: event.status,
    image,
    links: [...event.links],
    visibility: event.visibility,
  };
}

export function contentHash(event: IncomingEvent): string {
  const { image, ...rest } = eventColumns(event, null);
  const seen = { ...rest, startsAt: rest.startsAt.toISOString(), endsAt: rest.endsAt?.toISOString() ?? null, image: event.image ?? null };
  return createHash("sha256").update(JSON.stringify(seen)).digest("base64url");
}

/** Whether an Update says it is older than what we applied (servers that give `updated`). */
export function olderThan(updated: Temporal.Instant | undefined, row: PartnerEventRow): boolean {
  return updated !== undefined && row.remoteUpdatedAt != null && updated.epochMilliseconds < row.remoteUpdatedAt.getTime();
}
