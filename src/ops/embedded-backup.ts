/**
 * `relais backup` / `relais restore` for the embedded database. With the server stopped, the PGlite data
 * folder as one gzipped tarball (PGlite's own dumpDataDir / loadDataDir), under the folder's lock
 * (data-dir-lock.ts: PGlite takes none, and a second process opening the folder would lose writes).
 * While a server holds the folder, a logical copy through its socket (logical-backup.ts). Restore reads
 * both, into a data folder without a database, and refuses while a process holds the folder.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { type DataDirLock, tryAcquireDataDirLock } from "../db/data-dir-lock.ts";
import { defaultSharedBuffersMb, embeddedPgliteDir, openEmbeddedPostgres, pgliteStartParams } from "../db/embedded-postgres.ts";
import { migrate, openOrm } from "../db/orm.ts";
import { migrationsList } from "../../migrations/index.ts";
import { dumpLogical, loadLogical, logicalBackupMigrations } from "./logical-backup.ts";
import { OperatorError } from "../shared/errors.ts";

/** What an operator checks after a backup or a restore: the rows that make the instance who it is. */
export interface InstanceSummary {
  readonly collectives: number;
  readonly keys: number;
  readonly followers: number;
  readonly events: number;
  readonly migrations: number;
}

const summaryQuery = `select
  (select count(*) from collective)::int as collectives,
  (select count(*) from actor_key)::int as keys,
  (select count(*) from follower)::int as followers,
  (select count(*) from event)::int as events,
  (select count(*) from relais_migrations)::int as migrations`;

export function describeSummary(s: InstanceSummary): string {
  return `${s.collectives} collective(s), ${s.keys} key(s), ${s.followers} follower(s), ${s.events} event(s); ${s.migrations} migration(s) applied`;
}

/**
 * Writes the embedded database of `dataDir` to `file` (a new file, readable by its owner only): the
 * data folder as a tarball when no process holds it, else a logical copy through the running server.
 */
export async function backupEmbedded(dataDir: string, file: string): Promise<{ bytes: number; summary: InstanceSummary; online: boolean }> {
  const dir = resolve(dataDir);
  const pgliteDir = embeddedPgliteDir(dir);
  if (!(await exists(`${pgliteDir}/PG_VERSION`))) {
    throw new OperatorError(`there is no embedded database in ${dir} (RELAIS_DATA_DIR): nothing to back up`);
  }
  const target = resolve(file);
  if (await exists(target)) throw new OperatorError(`${target} already exists: choose another file name, or remove it first`);
  await mkdir(dirname(target), { recursive: true });
  const attempt = await tryAcquireDataDirLock(dir, lockRequest(dir));
  if (!attempt.acquired) return { ...(await backupThroughServer(dir, target)), online: true };
  const lock = attempt.lock;
  try {
    const db = await PGlite.create({ dataDir: pgliteDir, startParams: pgliteStartParams(defaultSharedBuffersMb) });
    let tarball: Blob;
    let summary: InstanceSummary;
    try {
      summary = await readSummary(db);
      await db.exec("CHECKPOINT");
      tarball = await db.dumpDataDir("gzip");
    } finally {
      await db.close();
    }
    const bytes = new Uint8Array(await tarball.arrayBuffer());
    await writeNewFile(target, bytes);
    return { bytes: bytes.length, summary, online: false };
  } finally {
    await lock.release();
  }
}

/** Makes the embedded database of `dataDir` (which must hold none yet) from a `relais backup` file. */
export async function restoreEmbedded(file: string, dataDir: string): Promise<{ summary: InstanceSummary }> {
  const source = resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(source);
  } catch (e) {
    throw new OperatorError(`cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!isGzip(bytes)) throw new OperatorError(`${source} is not a backup made by relais backup (a gzipped tarball)`);
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lock = await lockOrExplain(dir, "restore into");
  const pgliteDir = embeddedPgliteDir(dir);
  try {
    if (await hasEntries(pgliteDir)) {
      throw new OperatorError(
        `${dir} (RELAIS_DATA_DIR) already holds a database: restore into a new data folder, or move ${pgliteDir} aside first`,
      );
    }
    const migrations = await logicalBackupMigrations(source);
    if (migrations !== undefined) {
      // Opening the folder takes its lock again, as the owner of a fresh database.
      await lock.release();
      return { summary: await restoreLogical(source, dir, migrations) };
    }
    let created = false;
    try {
      await mkdir(pgliteDir, { mode: 0o700 });
      created = true;
      const db = await PGlite.create({
        dataDir: pgliteDir,
        loadDataDir: new Blob([new Uint8Array(bytes)]),
        startParams: pgliteStartParams(defaultSharedBuffersMb),
      });
      try {
        return { summary: await readSummary(db) };
      } finally {
        await db.close();
      }
    } catch (e) {
      // Leave no half-restored folder behind: the next start would take it for a database.
      if (created) await rm(pgliteDir, { recursive: true, force: true });
      if (e instanceof OperatorError) throw e;
      throw new OperatorError(`${source} could not be restored (${(e as Error).message}); nothing was kept in ${dir}`);
    }
  } finally {
    await lock.release();
  }
}

/** A logical backup (logical-backup.ts) through the socket of the server holding the folder. */
async function backupThroughServer(dir: string, target: string): Promise<{ bytes: number; summary: InstanceSummary }> {
  const embedded = await openEmbeddedPostgres(dir);
  const client = new pg.Client(embedded.target);
  try {
    await client.connect();
    await dumpLogical(client, target);
    const { rows } = await client.query<InstanceSummary>(summaryQuery);
    return { bytes: (await stat(target)).size, summary: rows[0] as InstanceSummary };
  } finally {
    await client.end().catch(() => {});
    await embedded.close();
  }
}

/** The lock names no socket anyone can use: a server starting meanwhile waits, then takes the folder. */
const lockRequest = (dir: string) => ({ socketDir: dir, socketPort: 5432, maxConnections: 3, reservedConnections: 1 });

async function lockOrExplain(dir: string, what: string): Promise<DataDirLock> {
  const attempt = await tryAcquireDataDirLock(dir, lockRequest(dir));
  if (attempt.acquired) return attempt.lock;
  const holder = attempt.holder;
  throw new OperatorError(
    `cannot ${what} ${dir} while process ${holder.pid}${holder.hostname ? ` on ${holder.hostname}` : ""} (since ${holder.startedAt}) uses it: ` +
      "stop the server (relais start) first, run the command, then start it again",
  );
}

async function restoreLogical(source: string, dir: string, migrations: string[]): Promise<InstanceSummary> {
  const known = migrationsList.map((m) => m.name);
  const unknown = migrations.filter((m) => !known.includes(m));
  if (unknown.length > 0) throw new OperatorError(`${source} was made by a newer release of Relais (migrations ${unknown.join(", ")}): restore it with that release`);
  const embedded = await openEmbeddedPostgres(dir, { mustOwn: true, thread: false });
  let restored = false;
  try {
    const orm = await openOrm(embedded.target, { poolSize: 1 });
    const client = new pg.Client(embedded.target);
    try {
      const last = migrations.at(-1);
      if (last !== undefined) await orm.migrator.up({ to: last });
      await client.connect();
      await loadLogical(client, source);
      await migrate(orm);
      const { rows } = await client.query<InstanceSummary>(summaryQuery);
      restored = true;
      return rows[0] as InstanceSummary;
    } finally {
      await client.end().catch(() => {});
      await orm.close();
    }
  } catch (e) {
    if (e instanceof OperatorError) throw e;
    throw new OperatorError(`${source} could not be restored (${(e as Error).message}); nothing was kept in ${dir}`);
  } finally {
    await embedded.close();
    if (!restored) await rm(embeddedPgliteDir(dir), { recursive: true, force: true });
  }
}

async function readSummary(db: PGlite): Promise<InstanceSummary> {
  try {
    const { rows } = await db.query<InstanceSummary>(summaryQuery);
    return rows[0] as InstanceSummary;
  } catch (e) {
    throw new OperatorError(`the database holds no Relais instance that can be read (${(e as Error).message})`);
  }
}

async function writeNewFile(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  // Private keys are inside: owner-only from the first byte.
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await handle.close();
  await rename(tmp, path);
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length > 18 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function hasEntries(path: string): Promise<boolean> {
  return readdir(path).then(
    (entries) => entries.length > 0,
    () => false,
  );
}
