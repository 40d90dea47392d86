import { LockMode, raw, type RequiredEntityData } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { plainRowMapper } from "../../db/plain-rows.ts";
import { type Collective, CollectiveSchema } from "../collective/collective.entity.ts";
import { type EventRow, EventSchema } from "./event.entity.ts";
import type { EventStatus } from "./event.types.ts";

/** Which of a collective's events a list shows, and from where. */
export interface EventPageQuery {
  readonly slug: string;
  /** Events that have not ended before this instant (ms since the epoch). */
  readonly from?: number | undefined;
  /** Events that start before this instant (ms). */
  readonly to?: number | undefined;
  readonly status?: readonly EventStatus[] | undefined;
  /** Drafts and unlisted events are shown when the collective's id is in this list. */
  readonly privateFor: readonly string[];
  /** Only events after this sort key (`startsAt` in ms, then `id`). */
  readonly after?: readonly [number, string] | undefined;
  readonly limit: number;
}

/**
 * One page of a collective's events, soonest first (ties by id), in one statement: the collective by its
 * slug and at most `limit` events after the given key. `collective` is null when no collective has this
 * slug.
 *
 * "Not ended before `from`" is `ends_at >= from`, or `starts_at >= from` for events without an end. As
 * one condition, PostgreSQL would walk the collective's whole past through (collective_id, starts_at)
 * to find the first upcoming event; split in two, each part is an index range read in order and the two
 * are merged: events starting from `from` on (collective_id, starts_at, id), and events that started
 * earlier and are still running (collective_id, ends_at). The second part is left out once the
 * position is past `from`. Timestamps are written from JS Dates, so milliseconds are exact keys.
 */
export async function findEventPage(em: EntityManager, q: EventPageQuery): Promise<{ collective: Collective | null; rows: EventRow[] }> {
  const params: unknown[] = [];
  const common: string[] = ["e.collective_id = c.id", "e.deleted_at is null"];
  if (q.privateFor.length > 0) {
    common.push(`((e.published and e.visibility = 'public') or e.collective_id in (${q.privateFor.map(() => "?").join(", ")}))`);
    params.push(...q.privateFor);
  } else {
    common.push("e.published", "e.visibility = 'public'");
  }
  if (q.to !== undefined) {
    common.push("e.starts_at < ?");
    params.push(new Date(q.to));
  }
  if (q.status && q.status.length > 0) {
    common.push(`e.status in (${q.status.map(() => "?").join(", ")})`);
    params.push(...q.status);
  }
  if (q.after) {
    common.push("(e.starts_at, e.id) > (?, ?)");
    params.push(new Date(q.after[0]), q.after[1]);
  }
  const base = common.join(" and ");
  const part = (extra: string) => `(select e.* from event e where ${base}${extra} order by e.starts_at, e.id limit ${q.limit})`;
  // Without ORDER BY and LIMIT: with them PostgreSQL read the running events through the starts_at
  // index, walking the whole past (190,000 rows for 2 in bench/reads); this way it takes the ends_at
  // range, and the few running events are sorted with the page.
  const running = (extra: string) => `(select e.* from event e where ${base}${extra})`;
  let events: string;
  let partParams: unknown[];
  if (q.from === undefined) {
    events = part("");
    partParams = params;
  } else {
    const from = new Date(q.from);
    const withRunning = q.after === undefined || q.after[0] < q.from;
    // Recurring events whose first occurrence is past but whose series is not over: a third range (series_ends_at).
    events = withRunning
      ? `select * from (${part(" and e.starts_at >= ?")} union all ${running(" and e.starts_at < ? and e.ends_at >= ?")} union all ${running(" and e.starts_at < ? and e.series_ends_at >= ? and (e.ends_at is null or e.ends_at < ?)")}) u order by u.starts_at, u.id limit ${q.limit}`
      : part(" and e.starts_at >= ?");
    partParams = withRunning ? [...params, from, ...params, from, from, ...params, from, from, from] : [...params, from];
  }
  const sql = `select c.id as "c:id", c.slug as "c:slug", c.name as "c:name", c.primary_language as "c:primary_language", e.*
    from collective c left join lateral (${events}) e on true where c.slug = ?`;
  const result = await em.execute<Record<string, unknown>[]>(sql, [...partParams, q.slug]);
  const first = result[0];
  if (!first) return { collective: null, rows: [] };
  const collective = em.map(CollectiveSchema, {
    id: String(first["c:id"]),
    slug: String(first["c:slug"]),
    name: first["c:name"],
    primary_language: String(first["c:primary_language"]),
  } as Record<string, unknown>);
  const toEvent = plainRowMapper<EventRow>(em, EventSchema);
  const rows = result.filter((r) => r.id !== null).map(toEvent);
  return { collective, rows };
}

/** Events overlapping a time window: not ended before `from`, starting before `to`. */
export interface TimeWindowQuery {
  readonly from?: Temporal.Instant | undefined;
  readonly to?: Temporal.Instant | undefined;
}

/** The filter of events in the window (an event without an end is over when it starts). */
export function timeWindowFilter(q: TimeWindowQuery): Record<string, unknown> {
  const conds: Record<string, unknown>[] = [];
  if (q.from) {
    const from = new Date(q.from.epochMilliseconds);
    // A recurring event is in the window while its series is not over (seriesEndsAt, event.entity.ts).
    conds.push({ $or: [{ endsAt: { $gte: from } }, { endsAt: null, startsAt: { $gte: from } }, { seriesEndsAt: { $gte: from } }] });
  }
  if (q.to) conds.push({ startsAt: { $lt: new Date(q.to.epochMilliseconds) } });
  return conds.length ? { $and: conds } : {};
}

const publicEvents = { published: true, visibility: "public" as const, deletedAt: null };

export type EventWithCollective = EventRow & { collective: Collective };

/** A stored event (drafts and deleted ones included), with its collective; null when unknown. */
export async function findEvent(em: EntityManager, id: string): Promise<EventWithCollective | null> {
  return em.findOne(EventSchema, { id }, { populate: ["collective"] }) as Promise<EventWithCollective | null>;
}

/**
 * An event that is not deleted, with its collective; null when unknown. `forUpdate` locks the row for the
 * rest of the transaction (changes to one event are serialised, so versions never collide).
 */
export async function findLiveEvent(em: EntityManager, id: string, opts: { forUpdate?: boolean } = {}): Promise<EventWithCollective | null> {
  return em.findOne(
    EventSchema,
    { id, deletedAt: null },
    { populate: ["collective"], ...(opts.forUpdate ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
  ) as Promise<EventWithCollective | null>;
}

export async function insertEvent(em: EntityManager, data: RequiredEntityData<EventRow>): Promise<EventRow> {
  const row = em.create(EventSchema, data);
  await em.flush();
  return row;
}

/**
 * Moves the collective's events version (feed caches and ETags read it). Inside the caller's
 * transaction: a query on another connection would wait for this one's locks.
 */
export async function bumpEventsVersion(em: EntityManager, collectiveId: string): Promise<void> {
  await em.nativeUpdate(CollectiveSchema, { id: collectiveId }, { eventsVersion: raw("events_version + 1"), eventsChangedAt: new Date() });
}

/** Public published events, newest first, of one collective or (null) of all, with the total. */
export async function publicEventsPage(
  em: EntityManager,
  collectiveId: string | null,
  offset: number,
  limit: number,
): Promise<{ rows: EventWithCollective[]; total: number }> {
  const where = collectiveId === null ? publicEvents : { ...publicEvents, collective: collectiveId };
  const [rows, total] = await em.findAndCount(EventSchema, where, {
    orderBy: { publishedAt: "desc", id: "asc" },
    offset,
    limit,
    populate: ["collective"],
  });
  return { rows: rows as EventWithCollective[], total };
}

/** Public events of every collective not over at `from`, soonest first. */
export async function upcomingPublicEvents(em: EntityManager, from: Temporal.Instant, limit: number): Promise<EventWithCollective[]> {
  return (await em.find(
    EventSchema,
    { ...publicEvents, ...timeWindowFilter({ from }) },
    { populate: ["collective"], orderBy: { startsAt: "asc" }, limit },
  )) as EventWithCollective[];
}

/** A deleted series no longer continues the one before it: that one stops linking to it. */
export async function forgetContinuation(em: EntityManager, previousId: string, id: string): Promise<void> {
  await em.nativeUpdate(EventSchema, { id: previousId, nextSeries: id }, { nextSeries: null });
}
