/**
 * A backup taken while the server runs: through the running server's socket, one REPEATABLE READ
 * transaction (a consistent snapshot), every table's rows as JSON lines, gzipped. PGlite serves one
 * session to every connection, so the server's own queries wait while the copy runs (seconds for a
 * small instance). Restoring it replays the migrations up to the backup's last one, inserts the rows
 * (table-copy.ts's way), sets the sequences, then applies the newer migrations: such a file outlives
 * PGlite upgrades, unlike the data-folder tarball made while the server is stopped.
 *
 * File: line 1 `{"relaisBackup":1,"migrations":[…]}`, then `{"table":…,"rows":[…]}` (batches, tables
 * in foreign-key order), then `{"sequence":…,"lastValue":…,"isCalled":…}`.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { createGunzip, createGzip } from "node:zlib";
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { OperatorError } from "../shared/errors.ts";
import { tablesInCopyOrder, writableColumns } from "./table-copy.ts";

const migrationsTable = "relais_migrations";
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

type Line =
  | { relaisBackup: 1; migrations: string[] }
  | { table: string; rows: unknown[] }
  | { sequence: string; lastValue: string; isCalled: boolean };

/** Writes `db`'s tables to `path` (a new file, owner-only), from one snapshot. */
export async function dumpLogical(db: pg.ClientBase, path: string): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  const gzip = createGzip();
  const file = createWriteStream(tmp, { flags: "wx", mode: 0o600 });
  gzip.pipe(file);
  const write = async (text: string) => {
    if (!gzip.write(`${text}\n`)) await once(gzip, "drain");
  };
  try {
    await db.query("begin isolation level repeatable read read only");
    try {
      const migrations = (await db.query<{ name: string }>(`select name from ${migrationsTable} order by id`)).rows.map((r) => r.name);
      await write(JSON.stringify({ relaisBackup: 1, migrations }));
      for (const table of await tablesInCopyOrder(db, [migrationsTable])) {
        await db.query(`declare relais_dump no scroll cursor for select row_to_json(t)::text as r from ${quote(table)} t`);
        for (;;) {
          const { rows } = await db.query<{ r: string }>("fetch 500 from relais_dump");
          if (rows.length === 0) break;
          await write(`{"table":${JSON.stringify(table)},"rows":[${rows.map((x) => x.r).join(",")}]}`);
        }
        await db.query("close relais_dump");
      }
      const { rows: sequences } = await db.query<{ name: string }>(
        `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'S' and n.nspname = current_schema()`,
      );
      for (const { name } of sequences) {
        const state = (await db.query<{ last_value: string; is_called: boolean }>(`select last_value::text, is_called from ${quote(name)}`)).rows[0];
        if (state) await write(JSON.stringify({ sequence: name, lastValue: state.last_value, isCalled: state.is_called }));
      }
    } finally {
      await db.query("rollback").catch(() => {});
    }
    gzip.end();
    await once(file, "close");
    await rename(tmp, path);
  } catch (e) {
    gzip.destroy();
    file.destroy();
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** The migrations a logical backup was taken at, or undefined when `path` is not one (a data-folder tarball). */
export async function logicalBackupMigrations(path: string): Promise<string[] | undefined> {
  for await (const line of lines(path)) {
    try {
      const head = JSON.parse(line) as Partial<{ relaisBackup: number; migrations: string[] }>;
      return head.relaisBackup === 1 && Array.isArray(head.migrations) ? head.migrations : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Inserts a logical backup's rows and sequences into `db`, whose schema is at the backup's migrations and empty. */
export async function loadLogical(db: pg.ClientBase, path: string): Promise<void> {
  const columns = new Map<string, string>();
  await db.query("begin");
  try {
    let first = true;
    for await (const text of lines(path)) {
      const line = JSON.parse(text) as Line;
      if (first) {
        first = false;
        continue;
      }
      if ("table" in line) {
        let list = columns.get(line.table);
        if (list === undefined) {
          list = (await writableColumns(db, line.table)).map(quote).join(", ");
          if (list === "") throw new OperatorError(`the backup has rows of a table this database lacks: ${line.table}`);
          columns.set(line.table, list);
        }
        await db.query(
          `insert into ${quote(line.table)} (${list}) overriding system value select ${list} from json_populate_recordset(null::${quote(line.table)}, $1::json)`,
          [JSON.stringify(line.rows)],
        );
      } else if ("sequence" in line) {
        await db.query("select setval($1::regclass, $2::bigint, $3)", [quote(line.sequence), line.lastValue, line.isCalled]);
      }
    }
    await db.query("commit");
  } catch (e) {
    await db.query("rollback").catch(() => {});
    throw e;
  }
}

async function* lines(path: string): AsyncGenerator<string> {
  const input = createReadStream(path).pipe(createGunzip());
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of reader) if (line !== "") yield line;
  } finally {
    reader.close();
    input.destroy();
  }
}
