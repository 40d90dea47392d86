/**
 * A separate process for the embedded PostgreSQL tests: opens a data folder, prints one JSON line
 * (`{pid, role, target, maxClientConnections}` or `{pid, error, code}`), then holds it until its stdin
 * closes or it gets SIGTERM, and closes cleanly. `--seed` makes an owner write a row with its pid.
 * `--at=<epoch ms>` waits for that instant first, so that racing children really start together.
 *   node tests/support/embedded-postgres-child.ts <dataDir> [--must-own] [--seed] [--at=<ms>]
 */
import pg from "pg";
import { EmbeddedPostgresError, openEmbeddedPostgres } from "../../src/db/embedded-postgres.ts";

const [dataDir, ...flags] = process.argv.slice(2);
if (dataDir === undefined) throw new Error("usage: embedded-postgres-child.ts <dataDir> [--must-own] [--seed]");

const at = Number(flags.find((f) => f.startsWith("--at="))?.slice(5) ?? 0);
await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

try {
  const handle = await openEmbeddedPostgres(dataDir, { mustOwn: flags.includes("--must-own") });
  if (flags.includes("--seed") && handle.role === "owner") {
    const client = new pg.Client(handle.target);
    await client.connect();
    await client.query("CREATE TABLE IF NOT EXISTS seeded (pid int NOT NULL)");
    await client.query("INSERT INTO seeded (pid) VALUES ($1)", [process.pid]);
    await client.end();
  }
  const { role, target, maxClientConnections } = handle;
  process.stdout.write(JSON.stringify({ pid: process.pid, role, target, maxClientConnections }) + "\n");
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await handle.close();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.stdin.on("end", shutdown);
  process.stdin.resume();
} catch (e) {
  const code = e instanceof EmbeddedPostgresError ? e.code : undefined;
  process.stdout.write(JSON.stringify({ pid: process.pid, error: (e as Error).message, code }) + "\n");
  process.exit(1);
}
