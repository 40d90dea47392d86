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

  it("copy the change notes that lived in outbox rows into their own table", async () => {
    await orm.migrator.down({ to: "Migration20261129125926_events" });
    const conn = orm.em.getConnection();
    const collective = crypto.randomUUID();
    const event = crypto.randomUUID();
    await conn.execute(
      `insert into collective (id, slug, name, primary_language, created_at, updated_at) values (?, 'lyon', '{"fr":"Lyon"}', 'fr', now(), now())`,
      [collective],
    );
    await conn.execute(
      `insert into event (id, collective_id, name, starts_at, timezone, tags, status, links, visibility, published, created_at, updated_at)
       values (?, ?, '{"fr":"Marche"}', now(), 'Europe/Paris', '[]', 'scheduled', '[]', 'public', true, now(), now())`,
      [event, collective],
    );
    const payload = { kind: "event-change-note", collectiveId: collective, eventId: event, version: 2, language: "fr", text: "Nouvel horaire" };
    await conn.execute(
      `insert into outbox (activity_id, collective, kind, payload, created_at, sent_at) values (?, ?, 'event-change-note', ?, now(), now())`,
      [`https://relais.example/events/${event}/changes/2#create`, collective, JSON.stringify(payload)],
    );
    await migrate(orm);
    const notes = await conn.execute("select event_id, version, language, text, sent_at is not null as sent from event_change_note");
    expect(notes).toEqual([{ event_id: event, version: 2, language: "fr", text: "Nouvel horaire", sent: true }]);
  });

  it("roll back to nothing and forward again", async () => {
    await orm.migrator.down({ to: 0 });
    const tables = await orm.em.getConnection().execute("select table_name from information_schema.tables where table_schema = 'public' and table_name <> 'relais_migrations'");
    expect(tables).toEqual([]);
    expect((await migrate(orm)).length).toBeGreaterThan(0);
  });
});
