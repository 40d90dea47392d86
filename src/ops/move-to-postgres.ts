/**
 * `relais move-to-postgres <DATABASE_URL>`: copies the embedded database (keys included) into an empty
 * PostgreSQL database, so the instance goes on there as the same actors: same ids, same keys, its
 * pending deliveries with it. The embedded database is left as it was (a fallback until the operator
 * has checked the move).
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import pg from "pg";
import { isLockHolderAlive, readDataDirLock } from "../db/data-dir-lock.ts";
import { embeddedPgliteDir, openEmbeddedPostgres } from "../db/embedded-postgres.ts";
import { migrate, openOrm, type DatabaseTarget } from "../db/orm.ts";
import { OperatorError } from "../shared/errors.ts";
import { copySequences, copyTables, countRows, type TableCount, tablesInCopyOrder } from "./table-copy.ts";

const migrationsTable = "relais_migrations";

export interface MoveResult {
  readonly counts: readonly TableCount[];
  readonly migrations: number;
  readonly sequences: number;
}

/** The URL with its password hidden, for messages. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    return u.href;
  } catch {
    return "(an unreadable URL)";
  }
}

export async function moveToPostgres(dataDir: string, databaseUrl: string, opts: { onTable?: (table: string, rows: number) => void } = {}): Promise<MoveResult> {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new OperatorError(`"${withoutPassword(databaseUrl)}" is not a postgres:// or postgresql:// URL`);
  const shown = withoutPassword(databaseUrl);
  if (!(await stat(join(embeddedPgliteDir(resolve(dataDir)), "PG_VERSION")).then(() => true, () => false))) {
    throw new OperatorError(`there is no embedded database in ${resolve(dataDir)} (RELAIS_DATA_DIR): nothing to move`);
  }
  const holder = await readDataDirLock(resolve(dataDir));
  if (holder && isLockHolderAlive(holder)) {
    throw new OperatorError(
      `the data folder ${resolve(dataDir)} is in use by process ${holder.pid} (since ${holder.startedAt}): the move copies a database nobody writes; stop the server, run move-to-postgres, then start it on PostgreSQL`,
    );
  }
  const target = new pg.Client({ connectionString: databaseUrl });
  target.on("error", () => {}); // a lost connection fails the query in hand, which says so
  try {
    await target.connect();
  } catch (e) {
    throw new OperatorError(`cannot connect to ${shown}: ${(e as Error).message}`);
  }
  try {
    await assertEmpty(target, shown);
    // Owning the folder (no server running) gives the copy a database nobody writes meanwhile.
    const embedded = await openEmbeddedPostgres(dataDir, { mustOwn: true, thread: false }).catch((e: Error & { code?: string }) => {
      if (e.code === "data_dir_in_use") {
        throw new OperatorError(`${e.message}: the move copies a database nobody writes; stop the server, run move-to-postgres, then start it on PostgreSQL`);
      }
      throw e;
    });
    try {
      await migrateBoth(embedded.target, databaseUrl);
      const source = new pg.Client(embedded.target);
      await source.connect();
      try {
        return await copyAll(source, target, opts);
      } finally {
        await source.end();
      }
    } finally {
      await embedded.close();
    }
  } finally {
    await target.end();
  }
}

/** Empty: no table, or only Relais's tables without a row (`relais migrate` run, or a move that failed). */
async function assertEmpty(target: pg.Client, shown: string): Promise<void> {
  const { rows } = await target.query<{ name: string }>(
    `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
  );
  const filled: string[] = [];
  for (const { name } of rows) {
    if (name === migrationsTable) continue;
    const n = await countRows(target, name);
    if (n > 0) filled.push(`${name} (${n})`);
  }
  if (filled.length > 0) {
    throw new OperatorError(
      `${shown} is not empty: ${filled.slice(0, 8).join(", ")}${filled.length > 8 ? ` and ${filled.length - 8} more table(s)` : ""} hold rows. ` +
        "move-to-postgres copies into an empty database only: create a new one (createdb) and give its URL",
    );
  }
}

async function migrateBoth(source: DatabaseTarget, databaseUrl: string): Promise<void> {
  for (const where of [source, { url: databaseUrl }]) {
    const orm = await openOrm(where, { poolSize: 1 });
    try {
      await migrate(orm);
    } finally {
      await orm.close();
    }
  }
}

async function copyAll(source: pg.Client, target: pg.Client, opts: { onTable?: (table: string, rows: number) => void }): Promise<MoveResult> {
  const applied = async (db: pg.Client) =>
    (await db.query<{ name: string }>(`select name from ${migrationsTable} order by name`)).rows.map((r) => r.name).join(",");
  const sourceMigrations = await applied(source);
  if (sourceMigrations !== (await applied(target))) {
    throw new OperatorError("the two databases do not have the same migrations applied after migrating both: is another version of Relais using the target?");
  }
  const tables = await tablesInCopyOrder(source, [migrationsTable]);
  const targetTables = await tablesInCopyOrder(target, [migrationsTable]);
  const missing = tables.filter((t) => !targetTables.includes(t));
  if (missing.length > 0) throw new OperatorError(`the target has no table ${missing.join(", ")} after its migrations`);

  await source.query("begin isolation level repeatable read read only");
  await target.query("begin");
  let sequences: number;
  try {
    // Whatever a failed earlier attempt left (assertEmpty allowed only empty tables, so nothing else).
    await target.query(`truncate ${targetTables.map((t) => `"${t}"`).join(", ")}`);
    await copyTables(source, target, tables, opts);
    sequences = await copySequences(source, target);
    await target.query("commit");
  } catch (e) {
    await target.query("rollback").catch(() => {});
    throw e;
  } finally {
    await source.query("rollback").catch(() => {});
  }
  const counts: TableCount[] = [];
  for (const table of tables) counts.push({ table, source: await countRows(source, table), target: await countRows(target, table) });
  const wrong = counts.filter((c) => c.source !== c.target);
  if (wrong.length > 0) {
    throw new OperatorError(`the copy does not match: ${wrong.map((c) => `${c.table} ${c.source} rows here, ${c.target} there`).join("; ")}`);
  }
  return { counts, migrations: sourceMigrations.split(",").filter((n) => n !== "").length, sequences };
}
