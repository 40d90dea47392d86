import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MikroORM, migrate, openOrm } from "../../src/db/orm.ts";
import { createTestDatabase } from "../support/services.ts";

describe("migrations", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let orm: MikroORM;
  beforeAll(async () => {
    db = await createTestDatabase("migrations");
    orm = await openOrm({ url: db.url });
  });
  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it("apply on an empty database and leave nothing for the entities to change", async () => {
    const applied = await migrate(orm);
    expect(applied.length).toBeGreaterThan(0);
    const drift = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(drift.trim()).toBe("");
    expect(await migrate(orm)).toEqual([]);
  });

  it("roll back to nothing and forward again", async () => {
    await orm.migrator.down({ to: 0 });
    const tables = await orm.em.getConnection().execute("select table_name from information_schema.tables where table_schema = 'public' and table_name <> 'relais_migrations'");
    expect(tables).toEqual([]);
    expect((await migrate(orm)).length).toBeGreaterThan(0);
  });
});
