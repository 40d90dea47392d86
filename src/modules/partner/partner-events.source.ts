import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import type { EventCategory, PublishedEvent } from "../event/event.types.ts";
import { eventMatches } from "../feed/feed-filters.ts";
import type { EventQuery, FeedSource, FeedSubject, SourceVersion } from "../feed/feed.types.ts";
import type { PartnerEventImage } from "./partner.entity.ts";

/** A partner_event row as the query reads it (snake case, JSON columns parsed). */
interface Row {
  id: string;
  ap_id: string;
  domain: string;
  organizer_ap_id: string;
  organizer_name: string | null;
  url: string | null;
  name: Record<string, string>;
  summary: Record<string, string> | null;
  description: Record<string, string> | null;
  starts_at: Date;
  ends_at: Date | null;
  timezone: string;
  all_day: boolean;
  location: PublishedEvent["location"] | null;
  online_url: string | null;
  category: string | null;
  tags: string[];
  status: PublishedEvent["status"];
  image: PartnerEventImage | null;
  links: PublishedEvent["links"];
  sequence: number;
  created_at: Date;
  updated_at: Date;
}

const instant = (d: Date | string) => Temporal.Instant.fromEpochMilliseconds(new Date(d).getTime());
const ms = (d: Date | string | null | undefined) => (d === null || d === undefined ? 0 : new Date(d).getTime());

/** A stored partner event as pages and feeds receive it; its image only when we hold a copy. */
export function partnerEventToPublished(row: Row, urls: Urls): PublishedEvent {
  const apId = new URL(row.ap_id);
  const primaryLanguage = Object.keys(row.name)[0] ?? "und";
  const organizerName = row.organizer_name ?? undefined;
  return {
    id: row.id,
    apId,
    organizer: {
      apId: new URL(row.organizer_ap_id),
      slug: "",
      primaryLanguage,
      name: { [primaryLanguage]: organizerName ?? row.domain },
    },
    name: row.name,
    summary: row.summary ?? undefined,
    description: row.description ?? undefined,
    startsAt: instant(row.starts_at),
    endsAt: row.ends_at ? instant(row.ends_at) : undefined,
    timezone: row.timezone,
    allDay: row.all_day,
    location: row.location ?? undefined,
    onlineUrl: row.online_url ?? undefined,
    category: (row.category ?? undefined) as EventCategory | undefined,
    tags: row.tags,
    status: row.status,
    image: row.image?.name ? { url: urls.media(row.image.name).href, mediaType: row.image.mediaType, alt: row.image.alt } : undefined,
    links: row.links,
    visibility: "public",
    sequence: row.sequence,
    publishedAt: instant(row.created_at),
    updatedAt: instant(row.updated_at),
    remote: { pageUrl: row.url && URL.canParse(row.url) ? new URL(row.url) : apId, server: apId.host, organizerName },
  };
}

/**
 * The events a collective's partners brought (a network feed's second source), or every collective's
 * for the instance: not deleted, public, from partners we follow or asked to follow. Status, category,
 * country, window and partner are SQL conditions; tags are compared here like the local source does.
 */
export class PartnerEventSource implements FeedSource {
  readonly name = "partners";
  readonly #em: EntityManager;
  readonly #urls: Urls;

  constructor(em: EntityManager, urls: Urls) {
    this.#em = em;
    this.#urls = urls;
  }

  #scope(subject: FeedSubject): { sql: string; params: unknown[] } | undefined {
    const scope = subject.scope;
    if (scope.kind === "event") return undefined;
    return scope.kind === "collective" ? { sql: " and p.collective_id = ?", params: [subject.id] } : { sql: "", params: [] };
  }

  async version(subject: FeedSubject): Promise<SourceVersion> {
    const scope = this.#scope(subject);
    if (!scope) return { version: "-", changedAt: 0 };
    const [row] = await this.#em.fork().getConnection().execute<{ n: string; e: Date | null; s: Date | null; p: Date | null }[]>(
      `select count(*) as n, max(e.updated_at) as e, max(s.created_at) as s, max(p.updated_at) as p
       from partner_event_source s join partner p on p.id = s.partner_id join partner_event e on e.id = s.event_id
       where true${scope.sql}`,
      scope.params,
    );
    const changedAt = Math.max(ms(row?.e), ms(row?.s), ms(row?.p));
    return { version: `${row?.n ?? 0}:${changedAt}`, changedAt };
  }

  async events(subject: FeedSubject, query: EventQuery): Promise<readonly PublishedEvent[]> {
    const scope = this.#scope(subject);
    const { filters, window } = query;
    if (!scope || filters.origin === "local") return [];
    const where: string[] = ["e.deleted_at is null", "e.visibility = 'public'"];
    const params: unknown[] = [];
    const partnerConditions = ["s.event_id = e.id", "p.state in ('pending', 'accepted')"];
    const partnerParams: unknown[] = [...scope.params];
    if (scope.sql) partnerConditions.push("p.collective_id = ?");
    const wanted = filters.partners ?? [];
    if (wanted.length > 0) {
      const marks = wanted.map(() => "?").join(", ");
      partnerConditions.push(`(a.ap_id in (${marks}) or lower(a.handle) in (${marks}))`);
      partnerParams.push(...wanted, ...wanted);
    }
    where.push(
      `exists (select 1 from partner_event_source s join partner p on p.id = s.partner_id join remote_actor a on a.id = p.actor_id where ${partnerConditions.join(" and ")})`,
    );
    params.push(...partnerParams);
    const inList = (column: string, values: readonly string[]) => {
      if (values.length === 0) return;
      where.push(`${column} in (${values.map(() => "?").join(", ")})`);
      params.push(...values);
    };
    inList("e.status", filters.statuses);
    inList("e.category", filters.categories);
    inList("e.location->>'country'", filters.countries);
    if (window.from !== undefined) {
      where.push("coalesce(e.ends_at, e.starts_at) >= ?");
      params.push(new Date(window.from.epochMilliseconds));
    }
    if (window.to !== undefined) {
      where.push("e.starts_at < ?");
      params.push(new Date(window.to.epochMilliseconds));
    }
    const filterTags = filters.tags.length > 0;
    // Partner events are few next to ours: with a tag filter, read them all (capped) and compare here.
    params.push(filterTags ? Math.max(query.limit, 10_000) : query.limit);
    const rows = await this.#em.fork().getConnection().execute<Row[]>(
      `select e.* from partner_event e where ${where.join(" and ")} order by e.starts_at, e.id limit ?`,
      params,
    );
    const events = rows.map((r) => partnerEventToPublished(r, this.#urls));
    return (filterTags ? events.filter((e) => eventMatches(e, filters, window)) : events).slice(0, query.limit);
  }
}
