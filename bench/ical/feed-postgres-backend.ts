// The benchmark's optional PostgreSQL backend (`--postgres`): a fresh database with the migrations,
// one collective and synthetic events, served by the production subjects and source
// (DatabaseFeedSubjects behind the same one-second CachedFeedSubjects as the runtime, LocalEventSource).
// It shows what the in-memory runs leave out: the indexed version query (once a second per feed and
// process while polls keep coming), and loading rows on a render.
import type { EntityManager } from "@mikro-orm/postgresql";
import { migrate, openOrm } from "../../src/db/orm.ts";
import { CollectiveSchema } from "../../src/modules/collective/collective.entity.ts";
import { EventSchema } from "../../src/modules/event/event.entity.ts";
import { inputToColumns } from "../../src/modules/event/event.record.ts";
import { CachedFeedSubjects } from "../../src/modules/feed/cached-feed-subjects.ts";
import { FeedService } from "../../src/modules/feed/feed.service.ts";
import { DatabaseFeedSubjects } from "../../src/modules/feed/feed-subjects.repository.ts";
import { LocalEventSource } from "../../src/modules/feed/local-events.source.ts";
import { Urls } from "../../src/shared/urls.ts";
import { createTestDatabase } from "../../tests/support/services.ts";
import { syntheticEvents } from "./synthetic-events.ts";

export interface PostgresBackend {
  readonly feeds: FeedService;
  /** What an edit does to the feed's version (the same statement as EventService). */
  bump(): Promise<void>;
  /** Adds synthetic events until the collective has `count`. */
  grow(count: number): Promise<void>;
  close(): Promise<void>;
}

async function insertEvents(em: EntityManager, collectiveId: string, from: number, to: number): Promise<void> {
  const events = syntheticEvents(to).slice(from);
  for (let i = 0; i < events.length; i += 1000) {
    const fork = em.fork();
    for (const e of events.slice(i, i + 1000)) {
      const at = new Date(e.updatedAt.epochMilliseconds);
      fork.create(EventSchema, {
        collective: collectiveId,
        ...inputToColumns({ ...e, published: true }),
        sequence: e.sequence,
        publishedAt: at,
        createdAt: at,
        updatedAt: at,
      });
    }
    await fork.flush();
  }
}

export async function openPostgresBackend(events: number, clock: () => number): Promise<PostgresBackend> {
  const db = await createTestDatabase("bench_feed");
  const orm = await openOrm({ url: db.url }, { poolSize: 4 });
  await migrate(orm);
  const em = orm.em.fork() as EntityManager;
  const urls = new Urls(new URL("https://relais.example"));
  const collective = em.create(CollectiveSchema, { slug: "bench", name: { fr: "Collectif du banc d'essai" }, primaryLanguage: "fr" });
  await em.flush();
  await insertEvents(em, collective.id, 0, events);
  let count = events;
  const conn = em.getConnection();
  await conn.execute("analyze");
  const local = new LocalEventSource(em, urls);
  const subjects = new CachedFeedSubjects(new DatabaseFeedSubjects(em, urls), { ttlMs: 1000 });
  return {
    feeds: new FeedService({ subjects, sources: () => [local], clock }),
    async bump() {
      await conn.execute("update collective set events_version = events_version + 1, events_changed_at = now() where slug = 'bench'");
      subjects.invalidate(); // as EventService's onChange does after its commit
    },
    async grow(target: number) {
      await insertEvents(em, collective.id, count, target);
      count = target;
      await conn.execute("analyze");
    },
    async close() {
      await orm.close();
      await db.drop();
    },
  };
}
