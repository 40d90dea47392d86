// The benchmark's optional PostgreSQL backend (`--postgres`): a fresh database with the migrations,
// one collective and synthetic events, served by the production subjects and source
// (DatabaseFeedSubjects, LocalEventSource). It shows what the in-memory runs leave out: the indexed
// version query on every poll, and loading rows on a render.
import type { EntityManager } from "@mikro-orm/postgresql";
import { migrate, openOrm } from "../../src/db/orm.ts";
import { CollectiveSchema } from "../../src/modules/collective/collective.entity.ts";
import { EventSchema } from "../../src/modules/event/event.entity.ts";
import { inputToColumns } from "../../src/modules/event/event.record.ts";
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
  return {
    feeds: new FeedService({ subjects: new DatabaseFeedSubjects(em, urls), sources: () => [local], clock }),
    async bump() {
      await conn.execute("update collective set events_version = events_version + 1, events_changed_at = now() where slug = 'bench'");
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
