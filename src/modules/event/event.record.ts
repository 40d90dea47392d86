import type { Collective } from "../collective/collective.entity.ts";
import type { Urls } from "../../shared/urls.ts";
import type { EventInput } from "./event.schema.ts";
import { type EventRow, seriesOpenEnd } from "./event.entity.ts";
import type { RecurrenceRule } from "./recurrence.ts";
import { type OccurrenceException, seriesEnd } from "./recurrence-expand.ts";
import type { EventData, PublishedEvent } from "./event.types.ts";

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());
const date = (i: Temporal.Instant) => new Date(i.epochMilliseconds);
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** A stored row as domain data (what validation produced, what mappers and feeds read). */
export function rowToInput(row: EventRow): EventInput {
  return {
    name: row.name,
    summary: opt(row.summary),
    description: opt(row.description),
    descriptionSource: opt(row.descriptionSource),
    startsAt: instant(row.startsAt),
    endsAt: row.endsAt ? instant(row.endsAt) : undefined,
    timezone: row.timezone,
    allDay: row.allDay,
    location: opt(row.location),
    onlineUrl: opt(row.onlineUrl),
    category: opt(row.category) as EventData["category"],
    tags: row.tags,
    status: row.status,
    statusReason: opt(row.statusReason),
    image: opt(row.image),
    links: row.links,
    contact: opt(row.contact),
    visibility: row.visibility,
    published: row.published,
    recurrence: opt(row.recurrence),
  };
}

/** Domain data as column values (for create and update). */
export function inputToColumns(input: EventInput) {
  return {
    name: input.name,
    summary: input.summary ?? null,
    description: input.description ?? null,
    descriptionSource: input.descriptionSource ?? null,
    startsAt: date(input.startsAt),
    endsAt: input.endsAt ? date(input.endsAt) : null,
    timezone: input.timezone,
    allDay: input.allDay,
    location: input.location ?? null,
    onlineUrl: input.onlineUrl ?? null,
    category: input.category ?? null,
    tags: [...input.tags],
    status: input.status,
    statusReason: input.statusReason ?? null,
    image: input.image ?? null,
    links: [...input.links],
    contact: input.contact ?? null,
    visibility: input.visibility,
    published: input.published,
    recurrence: input.recurrence ?? null,
    seriesEndsAt: input.recurrence ? seriesEndColumn(input, []) : null,
  };
}

/** `seriesEndsAt` of a recurring event with these exceptions. */
export function seriesEndColumn(input: EventData & { recurrence?: RecurrenceRule | undefined }, exceptions: readonly OccurrenceException[]): Date | null {
  if (!input.recurrence) return null;
  const end = seriesEnd({ ...input, recurrence: input.recurrence }, exceptions);
  return end === undefined ? seriesOpenEnd : date(end);
}

/** A row with its collective as the event mappers, pages and feeds see it. */
export function toPublishedEvent(row: EventRow, collective: Collective, urls: Urls): PublishedEvent {
  const data = rowToInput(row);
  return {
    ...data,
    id: row.id,
    apId: urls.event(row.id),
    organizer: {
      apId: urls.collective(collective.slug),
      slug: collective.slug,
      primaryLanguage: collective.primaryLanguage,
      name: collective.name,
    },
    sequence: row.sequence,
    publishedAt: instant(row.publishedAt ?? row.createdAt),
    updatedAt: instant(row.updatedAt),
    ...(row.previousSeries ? { previousSeries: row.previousSeries } : {}),
    ...(row.nextSeries ? { nextSeries: row.nextSeries } : {}),
  };
}
