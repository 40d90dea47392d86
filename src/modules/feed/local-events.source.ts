import type { FilterQuery } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import { type EventRow, EventSchema } from "../event/event.entity.ts";
import { toPublishedEvent } from "../event/event.record.ts";
import { timeWindowFilter } from "../event/event.repository.ts";
import type { PublishedEvent } from "../event/event.types.ts";
import { eventMatches } from "./feed-filters.ts";
import { findExceptions } from "../event/event-occurrence.repository.ts";
import type { EventQuery, FeedSource, FeedSubject } from "./feed.types.ts";

/**
 * The events of this instance's collectives: published, not deleted, and for lists public (an
 * unlisted event is served only by its own URL). Its changes move the collective's `events_version`,
 * which the subject's version already holds, so it needs no version of its own.
 *
 * Status, category, country and the window are SQL conditions (on the `collective_id, starts_at` and
 * `starts_at` indexes). Tags are compared here, in JavaScript, with the same case folding as the
 * event schema: PostgreSQL's `lower()` depends on the database's locale (ASCII only under `C`).
 */
export class LocalEventSource implements FeedSource {
  readonly name = "local";
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #batchSize: number;

  /** `batchSize`: rows read per query when tags are filtered here rather than in SQL (1000). */
  constructor(em: EntityManager, urls: Urls, opts: { batchSize?: number } = {}) {
    this.#em = em;
    this.#urls = urls;
    this.#batchSize = opts.batchSize ?? 1000;
  }

  async events(subject: FeedSubject, query: EventQuery): Promise<readonly PublishedEvent[]> {
    // A network feed asked for its partners' events only.
    if (query.filters.origin === "partners" || (query.filters.partners?.length ?? 0) > 0) return [];
    const em = this.#em.fork();
    const scope = subject.scope;
    if (scope.kind === "event") {
      const row = await em.findOne(EventSchema, { id: scope.id, published: true, deletedAt: null }, { populate: ["collective"] });
      if (row === null) return [];
      const [event] = await withExceptions(em, [toPublishedEvent(row, row.collective, this.#urls)]);
      return eventMatches(event!, query.filters, query.window) ? [event!] : [];
    }

    const { filters, window } = query;
    const where: FilterQuery<EventRow>[] = [{ published: true, deletedAt: null, visibility: "public" }];
    if (scope.kind === "collective") where.push({ collective: subject.id });
    // A series' occurrences have their own statuses (a cancelled date of a held series): eventMatches decides.
    if (filters.statuses.length > 0) where.push({ $or: [{ status: { $in: [...filters.statuses] } }, { recurrence: { $ne: null } }] });
    if (filters.categories.length > 0) where.push({ category: { $in: [...filters.categories] } });
    if (filters.countries.length > 0) where.push({ location: { country: { $in: [...filters.countries] } } });
    if (window.from !== undefined || window.to !== undefined) where.push(timeWindowFilter(window) as FilterQuery<EventRow>);

    const filterTags = filters.tags.length > 0;
    const events: PublishedEvent[] = [];
    let after: EventRow | undefined;
    for (;;) {
      const page = filterTags ? this.#batchSize : query.limit;
      const keyset: FilterQuery<EventRow>[] =
        after === undefined ? [] : [{ $or: [{ startsAt: { $gt: after.startsAt } }, { startsAt: after.startsAt, id: { $gt: after.id } }] }];
      const rows = await em.find(EventSchema, { $and: [...where, ...keyset] }, {
        populate: ["collective"],
        strategy: "select-in",
        orderBy: [{ startsAt: "asc" }, { id: "asc" }],
        limit: page,
      });
      const batch = await withExceptions(em, rows.map((row) => toPublishedEvent(row, row.collective, this.#urls)));
      for (const event of batch) {
        // Series are found by SQL while not over; their occurrences decide (a series ended early, or all cancelled).
        if (event.recurrence ? eventMatches(event, filters, window) : !filterTags || eventMatches(event, filters, window)) events.push(event);
        if (events.length >= query.limit) return events;
      }
      if (!filterTags || rows.length < page) return events;
      after = rows[rows.length - 1];
      em.clear();
    }
  }
}

/** Recurring events with their exceptions (one query for the batch). */
export async function withExceptions(em: EntityManager, events: readonly PublishedEvent[]): Promise<PublishedEvent[]> {
  const ids = events.filter((e) => e.recurrence).map((e) => e.id);
  if (ids.length === 0) return [...events];
  const found = await findExceptions(em, ids);
  return events.map((e) => (e.recurrence ? { ...e, exceptions: found.get(e.id) ?? [] } : e));
}
