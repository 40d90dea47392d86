import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { link, readFile, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

/**
 * An exclusive lock on a data folder, as a file created atomically inside it.
 *
 * PGlite takes no lock of its own: a second process opening the same folder loses writes. Whoever
 * holds this lock is the only process that opens the folder; everyone else connects through the
 * holder's socket, which the lock file names.
 *
 * The lock file appears with its whole content at once (written to a private temporary file, then
 * hard-linked into place, which fails if the lock exists), so a reader never sees half a lock.
 * A lock whose process is gone (kill -9, crash, reboot) is stale and is taken over under a second,
 * short-lived guard file, so two processes finding the same stale lock cannot both take it.
 * Residual risk, accepted: a process that dies while holding the guard (a few system calls long)
 * leaves a guard that two later processes could both remove.
 */

export const lockFileName = "relais.lock";

/** What the lock file records about its holder. */
export interface DataDirLockInfo {
  readonly pid: number;
  readonly hostname: string;
  /** ISO instant the lock was taken. */
  readonly startedAt: string;
  /** Linux only: the holder's start time in clock ticks since boot, so a reused pid is not taken for the holder. */
  readonly pidStartTicks?: string;
  /** Where the holder serves the data folder: a directory holding `.s.PGSQL.<socketPort>`. */
  readonly socketDir: string;
  readonly socketPort: number;
  /** Connections the holder's server accepts, and how many of them it leaves for other processes. */
  readonly maxConnections: number;
  readonly reservedConnections: number;
  /** The public origin (RELAIS_ORIGIN) the holder publishes as: its socket's clients publish as it does. */
  readonly origin?: string;
}

export type LockRequest = Omit<DataDirLockInfo, "pid" | "hostname" | "startedAt" | "pidStartTicks">;

export interface DataDirLock {
  readonly path: string;
  readonly info: DataDirLockInfo;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

export type LockAttempt = { acquired: true; lock: DataDirLock } | { acquired: false; holder: DataDirLockInfo };

export function lockFilePath(dataDir: string): string {
  return join(dataDir, lockFileName);
}

/**
 * Takes the lock on `dataDir` (which must exist) or reports the live process holding it.
 * A stale lock is taken over.
 */
export async function tryAcquireDataDirLock(dataDir: string, request: LockRequest): Promise<LockAttempt> {
  const path = lockFilePath(dataDir);
  const ticks = readPidStartTicks(process.pid);
  const info: DataDirLockInfo = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    ...(ticks === undefined ? {} : { pidStartTicks: ticks }),
    ...request,
  };
  const content = JSON.stringify(info, null, 2) + "\n";
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(tmp, content, { mode: 0o600, flag: "wx" });
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      if (await linkIfAbsent(tmp, path)) return { acquired: true, lock: ownedLock(path, info, content) };
      const current = await readIfExists(path);
      if (current === undefined) continue; // released meanwhile: try again
      const holder = parseLock(current);
      if (holder !== undefined && isLockHolderAlive(holder)) return { acquired: false, holder };
      if (await takeOverStaleLock(path, current, tmp)) return { acquired: true, lock: ownedLock(path, info, content) };
      await sleep(20 + Math.random() * 30); // someone else is taking it over: look again
    }
    throw new Error(`could not take or read the lock ${path}: it keeps changing; is something rewriting it?`);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Reads the lock file; undefined when there is none (or it is not ours to read). */
export async function readDataDirLock(dataDir: string): Promise<DataDirLockInfo | undefined> {
  const raw = await readIfExists(lockFilePath(dataDir));
  return raw === undefined ? undefined : parseLock(raw);
}

/**
 * Whether the process a lock names is still running. A holder on another host cannot be checked and
 * counts as alive; a zombie, a missing pid or a pid now used by a younger process counts as gone.
 */
export function isLockHolderAlive(info: Pick<DataDirLockInfo, "pid" | "hostname" | "pidStartTicks">): boolean {
  if (info.hostname !== hostname()) return true;
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    // EPERM: the process exists but belongs to another user.
  }
  const stat = readProcStat(info.pid);
  if (stat === undefined) return true; // no /proc (not Linux): the signal check is all we have
  if (stat.state === "Z" || stat.state === "X") return false;
  return info.pidStartTicks === undefined || info.pidStartTicks === stat.startTicks;
}

function ownedLock(path: string, info: DataDirLockInfo, content: string): DataDirLock {
  let released = false;
  return {
    path,
    info,
    async release() {
      if (released) return;
      released = true;
      if ((await readIfExists(path)) === content) await unlink(path).catch(() => {});
    },
  };
}

/**
 * Replaces a stale lock with ours, under a guard so that only one process does it at a time, and only
 * if the lock still holds the stale content we judged. Returns false when someone else won.
 */
async function takeOverStaleLock(path: string, staleContent: string, ourTmp: string): Promise<boolean> {
  const guard = `${path}.takeover`;
  if (!(await linkIfAbsent(ourTmp, guard))) {
    const other = parseLock((await readIfExists(guard)) ?? "");
    if (other === undefined || !isLockHolderAlive(other)) await unlink(guard).catch(() => {});
    return false;
  }
  const ours = await readFile(ourTmp, "utf8");
  try {
    if ((await readIfExists(path)) !== staleContent) return false;
    await unlink(path).catch(() => {});
    return await linkIfAbsent(ourTmp, path);
  } finally {
    if ((await readIfExists(guard)) === ours) await unlink(guard).catch(() => {});
  }
}

async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

function parseLock(raw: string): DataDirLockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<DataDirLockInfo>;
    if (typeof v.pid !== "number" || typeof v.hostname !== "string" || typeof v.socketDir !== "string") return undefined;
    if (typeof v.socketPort !== "number" || typeof v.maxConnections !== "number") return undefined;
    if (typeof v.reservedConnections !== "number" || typeof v.startedAt !== "string") return undefined;
    if (v.origin !== undefined && typeof v.origin !== "string") return undefined;
    return v as DataDirLockInfo;
  } catch {
    return undefined; // not a lock we wrote: treated as stale
  }
}

function readPidStartTicks(pid: number): string | undefined {
  return readProcStat(pid)?.startTicks;
}

/** State and start time of a process from /proc/<pid>/stat (fields 3 and 22; the name may hold spaces). */
function readProcStat(pid: number): { state: string; startTicks: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    const startTicks = fields[19];
    return state === undefined || startTicks === undefined ? undefined : { state, startTicks };
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
