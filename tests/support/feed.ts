// In-memory feed subjects and source, for the feed service's unit tests and the HTTP benchmark
// (bench/ical/feed-http.ts): the same contract as the database ones, with counters.
import type { PublishedEvent } from "../../src/modules/event/event.types.ts";
import { eventMatches } from "../../src/modules/feed/feed-filters.ts";
import type { EventQuery, FeedScope, FeedSource, FeedSubject, FeedSubjects, MissingFeed, SourceVersion } from "../../src/modules/feed/feed.types.ts";

export class InMemoryFeedSubjects implements FeedSubjects {
  readonly subjects = new Map<string, FeedSubject | MissingFeed>();
  finds = 0;

  static key(scope: FeedScope): string {
    return scope.kind === "instance" ? "instance" : scope.kind === "collective" ? `collective/${scope.slug}` : `event/${scope.id}`;
  }

  set(subject: FeedSubject): void {
    this.subjects.set(InMemoryFeedSubjects.key(subject.scope), subject);
  }

  async find(scope: FeedScope): Promise<FeedSubject | MissingFeed> {
    this.finds++;
    return this.subjects.get(InMemoryFeedSubjects.key(scope)) ?? { missing: "not-found" };
  }
}

/** Events by collective slug; `version` is given only when `versioned` (like a partner source). */
export class InMemoryEventSource implements FeedSource {
  readonly name: string;
  readonly events_ = new Map<string, PublishedEvent[]>();
  readonly queries: EventQuery[] = [];
  versionOf: SourceVersion | undefined;
  versions = 0;
  readonly version?: (subject: FeedSubject) => Promise<SourceVersion>;

  constructor(name = "memory", opts: { versioned?: boolean } = {}) {
    this.name = name;
    if (opts.versioned) {
      this.version = async () => {
        this.versions++;
        return this.versionOf ?? { version: "0", changedAt: 0 };
      };
    }
  }

  add(slug: string, events: readonly PublishedEvent[]): void {
    this.events_.set(slug, [...(this.events_.get(slug) ?? []), ...events]);
  }

  async events(subject: FeedSubject, query: EventQuery): Promise<readonly PublishedEvent[]> {
    this.queries.push(query);
    const scope = subject.scope;
    const all =
      scope.kind === "collective"
        ? (this.events_.get(scope.slug) ?? [])
        : scope.kind === "instance"
          ? [...this.events_.values()].flat().filter((e) => e.visibility === "public")
          : [...this.events_.values()].flat().filter((e) => e.id === scope.id);
    return all
      .filter((e) => (scope.kind === "event" || e.visibility === "public") && eventMatches(e, query.filters, query.window))
      .sort((a, b) => a.startsAt.epochMilliseconds - b.startsAt.epochMilliseconds)
      .slice(0, query.limit);
  }
}

export function collectiveSubject(slug: string, version: string, overrides: Partial<FeedSubject> = {}): FeedSubject {
  return {
    scope: { kind: "collective", slug },
    id: `id-${slug}`,
    version,
    changedAt: Date.parse("2025-01-05T10:00:00Z"),
    name: { fr: `Collectif ${slug}`, de: `Kollektiv ${slug}` },
    primaryLanguage: "fr",
    url: new URL(`https://relais.example/@${slug}`),
    filename: `${slug}-events.ics`,
    ...overrides,
  };
}
