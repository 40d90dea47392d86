// PostgreSQL ending Relais' connections (a restart, an operator's pg_terminate_backend, a failover) must
// not take the process down: the pools drop the dead connections and open new ones. Before the federation
// pool had an error listener, an idle connection ended by the server threw out of the process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { testPostgresUrl } from "../support/services.ts";
import { until } from "../support/wait.ts";

describe("PostgreSQL ends every connection of a running instance", () => {
  let relais: RelaisInstance;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => void uncaught.push(error);

  beforeAll(async () => {
    relais = await startRelaisInstance();
    process.on("uncaughtException", onUncaught);
  });
  afterAll(async () => {
    process.off("uncaughtException", onUncaught);
    await relais?.close();
  });

  it("keeps serving: the process survives, the queue and the database answer again", async () => {
    const { collectives, events } = relais.runtime;
    await collectives.create({ slug: "coupure", name: { fr: "Coupure" }, primaryLanguage: "fr" });
    // Let the queue's pool hold idle connections, then have the server end them all.
    expect((await fetch(relais.url("/readyz"))).status).toBe(200);
    const database = new URL(relais.runtime.config.databaseUrl as string).pathname.slice(1);
    const admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        "select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
        [database],
      );
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await until("the instance to answer ready again", async () => (await fetch(relais.url("/readyz"))).status === 200, 30_000);
    const editor = (await createEditor(relais.runtime, "coupure", "editor@example.org")).principal;
    const { event } = await events.create(editor, "coupure", {
      name: { fr: "Après la coupure" },
      startsAt: "2030-03-08T10:00",
      timezone: "Europe/Paris",
      onlineUrl: "https://meet.example/coupure",
      published: true,
    });
    expect((await fetch(event.apId, { headers: { accept: "application/activity+json" } })).status).toBe(200);
    expect(uncaught).toEqual([]);
  }, 60_000);
});
