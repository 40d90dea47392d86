/**
 * `relais backup` / `relais restore` for the embedded database: the PGlite data folder as one gzipped
 * tarball (PGlite's own dumpDataDir / loadDataDir), taken while no process holds the folder.
 *
 * The folder's lock (data-dir-lock.ts) is taken for the whole operation: PGlite takes none, and a
 * second process opening the folder while the server runs would lose writes. A copy through the
 * server's socket would need a consistent snapshot PGlite's one shared session cannot give while the
 * server writes, so a running server makes both commands stop with a message saying so.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type DataDirLock, tryAcquireDataDirLock } from "../db/data-dir-lock.ts";
import { defaultSharedBuffersMb, embeddedPgliteDir, pgliteStartParams } from "../db/embedded-postgres.ts";
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

/** Writes the embedded database of `dataDir` to `file` (a new file, readable by its owner only). */
export async function backupEmbedded(dataDir: string, file: string): Promise<{ bytes: number; summary: InstanceSummary }> {
  const dir = resolve(dataDir);
  const pgliteDir = embeddedPgliteDir(dir);
  if (!(await exists(`${pgliteDir}/PG_VERSION`))) {
    throw new OperatorError(`there is no embedded database in ${dir} (RELAIS_DATA_DIR): nothing to back up`);
  }
  const target = resolve(file);
  if (await exists(target)) throw new OperatorError(`${target} already exists: choose another file name, or remove it first`);
  const lock = await lockOrExplain(dir, "back up");
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
    return { bytes: bytes.length, summary };
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

async function lockOrExplain(dir: string, what: string): Promise<DataDirLock> {
  // The lock names no socket anyone can use: a server starting meanwhile waits, then takes the folder.
  const attempt = await tryAcquireDataDirLock(dir, { socketDir: dir, socketPort: 5432, maxConnections: 3, reservedConnections: 1 });
  if (attempt.acquired) return attempt.lock;
  const holder = attempt.holder;
  throw new OperatorError(
    `cannot ${what} ${dir} while process ${holder.pid}${holder.hostname ? ` on ${holder.hostname}` : ""} (since ${holder.startedAt}) uses it: ` +
      "stop the server (relais start) first, run the command, then start it again",
  );
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
