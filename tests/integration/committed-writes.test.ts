// The hook after committed writes (src/db/committed-writes.ts) against real PostgreSQL: it runs after
// the COMMIT of a transaction that wrote a watched table (entity flush, query builder, raw SQL), once,
// awaited by the writer, seeing the committed data from another connection; never for a rollback, nor
// for writes to other tables or reads; a nested transaction's write waits for the outermost commit; an
// autocommit statement runs it once done.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchCommittedWrites, writtenTables } from "../../src/db/committed-writes.ts";
import { type MikroORM, migrate, openOrm } from "../../src/db/orm.ts";
import { RemoteServerSchema } from "../../src/modules/remote-server/remote-server.entity.ts";
import { createTestDatabase } from "../support/services.ts";

describe("writtenTables", () => {
  it("names the tables of inserts, updates and deletes, quoted or not, and none of a read", () => {
    expect(writtenTables('insert into "remote_server" ("origin") values ($1)')).toEqual(["remote_server"]);
    expect(writtenTables('update "public"."event" set "name" = $1 where "id" = $2')).toEqual(["event"]);
    expect(writtenTables("delete from follower where id in (?)")).toEqual(["follower"]);
    expect(writtenTables("with x as (update call set status = 'open' returning id) insert into outbox select 1")).toEqual(["call", "outbox"]);
    expect(writtenTables('select * from "event" where "id" = $1')).toEqual([]);
    // A lock is not a write: "skip" is not a watched table.
    expect(writtenTables("select id from outbox for update skip locked")).toEqual(["skip"]);
  });
});

describe("watchCommittedWrites (PostgreSQL)", () => {
  let orm: MikroORM;
  let observer: MikroORM;
  let drop: () => Promise<void>;
  const seen: number[] = [];
  let runs = 0;

  const count = async () => Number(((await observer.em.fork().getConnection().execute("select count(*) as n from remote_server")) as { n: string }[])[0]?.n);
  const row = (origin: string) => ({ origin, software: null, version: null, checkedAt: new Date() });

  beforeAll(async () => {
    const db = await createTestDatabase("cw");
    drop = db.drop;
    orm = await openOrm({ url: db.url }, { poolSize: 3 });
    await migrate(orm);
    observer = await openOrm({ url: db.url }, { poolSize: 1 });
    watchCommittedWrites(orm, {
      tables: new Set(["remote_server"]),
      onCommitted: async () => {
        runs += 1;
        // What another connection sees when the hook runs: the commit is done.
        seen.push(await count());
      },
    });
  });
  afterAll(async () => {
    await observer?.close();
    await orm?.close();
    await drop?.();
  });

  it("runs once after an entity flush commits, and the writer's await includes it", async () => {
    const before = runs;
    await orm.em.fork().transactional(async (em) => {
      em.create(RemoteServerSchema, row("https://a.example"));
      await em.flush();
      em.create(RemoteServerSchema, row("https://b.example"));
    });
    expect(runs).toBe(before + 1);
    expect(seen.at(-1)).toBe(await count());
    expect(seen.at(-1)).toBeGreaterThanOrEqual(2);
  });

  it("runs for a flush outside any transaction, a query builder and raw SQL", async () => {
    let before = runs;
    const em = orm.em.fork();
    em.create(RemoteServerSchema, row("https://c.example"));
    await em.flush();
    expect(runs).toBe(before + 1);
    before = runs;
    await orm.em.fork().createQueryBuilder(RemoteServerSchema).update({ software: "mastodon" }).where({ origin: "https://c.example" }).execute();
    expect(runs).toBe(before + 1);
    before = runs;
    await orm.em.fork().transactional(async (tx) => {
      await tx.execute("delete from remote_server where origin = ?", ["https://c.example"]);
    });
    expect(runs).toBe(before + 1);
    expect(seen.at(-1)).toBe(await count());
  });

  it("runs nothing for a rollback, a read, or a write to a table not watched", async () => {
    const before = runs;
    await expect(
      orm.em.fork().transactional(async (em) => {
        em.create(RemoteServerSchema, row("https://d.example"));
        await em.flush();
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow(/changed my mind/);
    await orm.em.fork().find(RemoteServerSchema, {});
    await orm.em.fork().transactional(async (tx) => {
      await tx.execute("update relais_migrations set name = name where false");
    });
    expect(runs).toBe(before);
  });

  it("waits for the outermost commit when a nested transaction writes", async () => {
    const before = runs;
    let afterInner = -1;
    await orm.em.fork().transactional(async (outer) => {
      await outer.transactional(async (inner) => {
        inner.create(RemoteServerSchema, row("https://e.example"));
      });
      afterInner = runs;
      // Still uncommitted: another connection does not see it.
      expect(await count()).toBe(seen.at(-1));
    });
    expect(afterInner).toBe(before);
    expect(runs).toBe(before + 1);
    expect(seen.at(-1)).toBe(await count());
  });
});
