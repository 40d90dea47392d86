import type { EntityManager } from "@mikro-orm/postgresql";
import type { PublishedEvent } from "../event/event.types.ts";
import { eventMatches } from "../feed/feed-filters.ts";
import type { EventQuery, FeedSource, FeedSubject, SourceVersion } from "../feed/feed.types.ts";
import { coorganisedToPublished } from "./coorganise-partner.service.ts";

interface Row {
  id: string;
  event_ap_id: string;
  host_ap_id: string;
  host_name: string | null;
  page_url: string | null;
  data: Record<string, unknown>;
  sequence: number;
  created_at: Date;
  updated_at: Date;
}

const ms = (d: Date | string | null | undefined) => (d === null || d === undefined ? 0 : new Date(d).getTime());
/** The co-organised events a collective's stamps keep it among the organisers of (accepted, listed, not withdrawn). */
const live = `exists (select 1 from coorganize_stamp s where s.coorganised_id = e.id and s.state = 'accepted' and s.listed_at is not null and s.revoked_at is null)`;

/**
 * Events hosted on other servers that a collective co-organises (FEDERATION.md "Co-organised
 * events"): part of its own list and feed, and of the instance's, with the host's id, so a calendar
 * subscribed to the host's feed and to ours shows the event once (one UID). Its changes do not move
 * the collective's `events_version`, so it has its own version.
 */
export class CoorganisedEventSource implements FeedSource {
  readonly name = "coorganised";
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  #scope(subject: FeedSubject): { sql: string; params: unknown[] } | undefined {
    const scope = subject.scope;
    if (scope.kind === "event") return undefined;
    return scope.kind === "collective" ? { sql: " and e.collective_id = ?", params: [subject.id] } : { sql: "", params: [] };
  }

  async version(subject: FeedSubject): Promise<SourceVersion> {
    const scope = this.#scope(subject);
    if (!scope) return { version: "-", changedAt: 0 };
    const [row] = await this.#em.fork().getConnection().execute<{ n: string; e: Date | null; s: Date | null }[]>(
      `select count(*) as n, max(e.updated_at) as e,
         max(greatest(s.listed_at, s.revoked_at, s.answered_at)) as s
       from coorganised_event e join coorganize_stamp s on s.coorganised_id = e.id
       where true${scope.sql}`,
      scope.params,
    );
    const changedAt = Math.max(ms(row?.e), ms(row?.s));
    return { version: `${row?.n ?? 0}:${changedAt}`, changedAt };
  }

  async events(subject: FeedSubject, query: EventQuery): Promise<readonly PublishedEvent[]> {
    const scope = this.#scope(subject);
    const { filters, window } = query;
    if (!scope || filters.origin === "partners" || (filters.partners?.length ?? 0) > 0) return [];
    const where = ["e.deleted_at is null", live];
    const params: unknown[] = [...scope.params];
    if (window.from !== undefined) {
      where.push("coalesce(e.ends_at, e.starts_at) >= ?");
      params.push(new Date(window.from.epochMilliseconds));
    }
    if (window.to !== undefined) {
      where.push("e.starts_at < ?");
      params.push(new Date(window.to.epochMilliseconds));
    }
    params.push(Math.max(query.limit, 1000));
    const rows = await this.#em.fork().getConnection().execute<Row[]>(
      `select e.* from coorganised_event e where true${scope.sql} and ${where.join(" and ")} order by e.starts_at, e.id limit ?`,
      params,
    );
    const events = rows.map((r) =>
      coorganisedToPublished({
        id: r.id,
        eventApId: r.event_ap_id,
        hostApId: r.host_ap_id,
        hostName: r.host_name,
        pageUrl: r.page_url,
        data: typeof r.data === "string" ? JSON.parse(r.data) : r.data,
        sequence: r.sequence,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      }),
    );
    return events.filter((e) => e.visibility === "public" && eventMatches(e, filters, window)).slice(0, query.limit);
  }
}
