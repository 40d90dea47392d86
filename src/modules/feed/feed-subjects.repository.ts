import type { EntityManager } from "@mikro-orm/postgresql";
import type { LanguageMap } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import type { FeedScope, FeedSubject, FeedSubjects, MissingFeed } from "./feed.types.ts";
import { isUuid } from "../../shared/uuid.ts";

const notFound: MissingFeed = { missing: "not-found" };
const gone: MissingFeed = { missing: "gone" };

const ms = (d: Date | string | null | undefined): number => (d === null || d === undefined ? 0 : new Date(d).getTime());

interface CollectiveHead {
  id: string;
  slug: string;
  name: LanguageMap;
  primary_language: string;
  events_version: number;
  events_changed_at: Date;
  updated_at: Date;
}

interface InstanceHead {
  collectives: string;
  versions: string | null;
  events_changed_at: Date | null;
  updated_at: Date | null;
}

interface EventHead {
  id: string;
  name: LanguageMap;
  version: number;
  published: boolean;
  deleted_at: Date | null;
  updated_at: Date;
  primary_language: string;
  collective_updated_at: Date;
}

/**
 * Feed subjects from the database, one query each and no event row loaded: a collective by its
 * unique slug, the instance from the `collective` table's versions (one small scan: the instance
 * feed's version must be the same in every web process, so it is read, not counted in memory), an
 * event by its primary key.
 */
export class DatabaseFeedSubjects implements FeedSubjects {
  readonly #em: EntityManager;
  readonly #urls: Urls;

  constructor(em: EntityManager, urls: Urls) {
    this.#em = em;
    this.#urls = urls;
  }

  async find(scope: FeedScope): Promise<FeedSubject | MissingFeed> {
    switch (scope.kind) {
      case "collective":
        return this.#collective(scope);
      case "instance":
        return this.#instance(scope);
      case "event":
        return this.#event(scope);
    }
  }

  async #collective(scope: FeedScope & { kind: "collective" }): Promise<FeedSubject | MissingFeed> {
    const [row] = await this.#em
      .getConnection()
      .execute<CollectiveHead[]>(
        "select id, slug, name, primary_language, events_version, events_changed_at, updated_at from collective where slug = ?",
        [scope.slug],
      );
    if (row === undefined) return notFound;
    return {
      scope,
      id: row.id,
      // The name and language live on the row: `updated_at` covers them.
      version: `c:${row.events_version}:${ms(row.updated_at)}`,
      changedAt: Math.max(ms(row.events_changed_at), ms(row.updated_at)),
      name: row.name,
      primaryLanguage: row.primary_language,
      url: scope.network ? this.#urls.collectiveAgenda(row.slug) : this.#urls.collective(row.slug),
      filename: `${row.slug}-${scope.network ? "network" : "events"}.ics`,
    };
  }

  async #instance(scope: FeedScope & { kind: "instance" }): Promise<FeedSubject> {
    const row = await this.#em
      .getConnection()
      .execute<InstanceHead>(
        "select count(*) as collectives, sum(events_version) as versions, max(events_changed_at) as events_changed_at, max(updated_at) as updated_at from collective",
        [],
        "get",
      );
    const host = this.#urls.origin.host;
    return {
      scope,
      id: undefined,
      // Versions only grow; the count changes when a collective (and its events) goes away.
      version: `i:${row.collectives}:${row.versions ?? 0}:${ms(row.events_changed_at)}:${ms(row.updated_at)}`,
      changedAt: Math.max(ms(row.events_changed_at), ms(row.updated_at)),
      name: `Relais — ${host}`,
      primaryLanguage: undefined,
      url: scope.network ? this.#urls.instanceAgenda() : this.#urls.origin,
      filename: `${host.replace(/[^A-Za-z0-9.-]+/g, "-")}-${scope.network ? "network" : "events"}.ics`,
    };
  }

  async #event(scope: FeedScope & { kind: "event" }): Promise<FeedSubject | MissingFeed> {
    if (!isUuid(scope.id)) return notFound;
    const [row] = await this.#em
      .getConnection()
      .execute<EventHead[]>(
        `select e.id, e.name, e.version, e.published, e.deleted_at, e.updated_at, c.primary_language, c.updated_at as collective_updated_at
         from event e join collective c on c.id = e.collective_id where e.id = ?`,
        [scope.id],
      );
    // A draft is nobody's business (404), a deleted published event is gone (410).
    if (row === undefined || !row.published) return notFound;
    if (row.deleted_at !== null) return gone;
    return {
      scope,
      id: row.id,
      version: `e:${row.version}:${ms(row.updated_at)}:${ms(row.collective_updated_at)}`,
      changedAt: Math.max(ms(row.updated_at), ms(row.collective_updated_at)),
      name: row.name,
      primaryLanguage: row.primary_language,
      url: this.#urls.event(row.id),
      filename: `event-${row.id}.ics`,
    };
  }
}
