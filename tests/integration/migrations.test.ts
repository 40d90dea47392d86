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

  it("name the occurrence of change notes written before notes named it, from their Update's outbox row", async () => {
    await orm.migrator.down({ to: "Migration20261203113500_action_kit_network_counts" });
    const conn = orm.em.getConnection();
    const [collective, series, single] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await conn.execute(`insert into collective (id, slug, name, primary_language, created_at, updated_at) values (?, 'gent', '{"nl":"Gent"}', 'nl', now(), now())`, [collective]);
    for (const [id, recurrence] of [[series, '{"frequency":"weekly","interval":1,"weekdays":["WE"]}'], [single, null]]) {
      await conn.execute(
        `insert into event (id, collective_id, name, starts_at, timezone, tags, status, links, visibility, published, recurrence, created_at, updated_at)
         values (?, ?, '{"nl":"Spreekuur"}', now(), 'Europe/Brussels', '[]', 'scheduled', '[]', 'public', true, ?, now(), now())`,
        [id, collective, recurrence],
      );
    }
    const note = (event: string, version: number) =>
      conn.execute(`insert into event_change_note (event_id, version, language, text, created_at, sent_at) values (?, ?, 'nl', 'Nieuw uur', now(), now())`, [event, version]);
    const row = (event: string, kind: string, payload: Record<string, unknown>) =>
      conn.execute(`insert into outbox (activity_id, collective, kind, payload, created_at, sent_at) values (?, ?, ?, ?, now(), now())`, [
        `https://relais.example/events/${event}/${kind}-${String(payload.version)}`,
        collective,
        kind,
        JSON.stringify({ kind, collectiveId: collective, eventId: event, ...payload }),
      ]);
    await note(series, 3);
    await row(series, "update-occurrence", { date: "2030-03-13", version: 3 });
    await note(series, 4); // its outbox row pruned: stays unnamed
    await note(single, 2);
    await row(single, "update-event", { version: 2 });
    await migrate(orm);
    const notes = await conn.execute("select event_id, version, occurrence_date from event_change_note where event_id in (?, ?) order by event_id = ? desc, version", [series, single, series]);
    expect(notes).toEqual([
      { event_id: series, version: 3, occurrence_date: "2030-03-13" },
      { event_id: series, version: 4, occurrence_date: "" },
      { event_id: single, version: 2, occurrence_date: "" },
    ]);
  });

  it("roll back to nothing and forward again", async () => {
    await orm.migrator.down({ to: 0 });
    const tables = await orm.em.getConnection().execute("select table_name from information_schema.tables where table_schema = 'public' and table_name <> 'relais_migrations'");
    expect(tables).toEqual([]);
    expect((await migrate(orm)).length).toBeGreaterThan(0);
  });
});
