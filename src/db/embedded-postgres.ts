/**
 * The embedded PostgreSQL: PGlite (PostgreSQL 18.6 compiled to WebAssembly) stored under `<dataDir>/pglite` and
 * served over the PostgreSQL wire protocol on a unix socket, so the same `pg` driver, MikroORM and
 * migrations work against it and against a real PostgreSQL.
 *
 * Pitfalls, all from PGlite being ONE PostgreSQL session shared by every socket:
 * - Session state is shared: never rely on SET (use SET LOCAL inside a transaction), temporary
 *   tables, named prepared statements (names collide between connections; unnamed ones are fine),
 *   advisory session locks, or LISTEN/NOTIFY across connections.
 * - Transactions are serialised: while one connection is inside BEGIN…COMMIT, every other
 *   connection waits. Code inside a transaction that awaits a query on ANOTHER connection (a fresh
 *   EntityManager fork, a second pool client) deadlocks forever. Use the transaction's own connection.
 * - The socket server of pglite-socket 0.2.17 lets connections interleave between the messages of one
 *   extended-protocol query (Parse, Bind, Execute, Sync): with parameters over ~200 kB (more than one
 *   socket read), queries ran with another connection's parameters and silently returned or wrote
 *   wrong data. `guardSession` below keeps the session for one connection from its Parse to its Sync,
 *   and ends the cycle of a connection that hangs up mid-way (else the next query got an empty result).
 *   COPY FROM STDIN is not guarded: do not use it here.
 * - The server refuses connections beyond `maxConnections` by writing plain text and hanging up, which
 *   `pg` reports as ECONNRESET/EPIPE (measured: a pool of 11 against 10 fails, 10 works when nothing
 *   else is connected). The app pool gets `maxClientConnections` = max − 2, leaving one for a CLI and
 *   one for readiness probes.
 * - PGlite takes no lock on its folder; `data-dir-lock.ts` does. Only the lock holder opens it;
 *   any other process (the CLI while the server runs) connects through the holder's socket.
 * - Cold start runs initdb (~5 s, ~0.7 GB RSS); later starts take ~1 s. Tests copy a template folder
 *   made once by `createEmbeddedTemplate` (see tests/support/embedded-template.ts).
 */
import { createHash } from "node:crypto";
import { chmod, cp, lstat, mkdir, rmdir, stat, unlink } from "node:fs/promises";
import { connect } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { getLogger } from "@logtape/logtape";
import { startEmbeddedThread } from "./embedded-postgres-thread.ts";
import { type DataDirLock, type DataDirLockInfo, isLockHolderAlive, readDataDirLock, tryAcquireDataDirLock } from "./data-dir-lock.ts";

const logger = getLogger(["relais", "db", "embedded"]);

/** What the pg driver connects to; `host` may be a unix socket directory. */
export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
}

export type EmbeddedHandle =
  | { role: "owner"; target: PostgresTarget; maxClientConnections: number; close(): Promise<void> }
  | { role: "client"; target: PostgresTarget; maxClientConnections: number; holder: DataDirLockInfo; close(): Promise<void> };

export interface EmbeddedOptions {
  /** Fail instead of becoming a client when another live process holds the folder. */
  mustOwn?: boolean;
  /** Connections the socket server accepts (owner only). Default 10. */
  maxConnections?: number;
  /** How long a client waits for a starting owner's socket (initdb takes ~5 s). Default 60 s. */
  ownerStartTimeoutMs?: number;
  /** The origin this process publishes as, recorded in the lock for the clients of its socket. */
  origin?: string;
  /** Run PGlite and its socket server in a worker thread (owner only; embedded-postgres-thread.ts). Default false. */
  thread?: boolean;
  /**
   * PostgreSQL's shared_buffers in MiB (owner only). Default 32: PGlite's 128 sat in the process's
   * resident memory once touched, while the operating system's file cache keeps the data files anyway
   * (docs/performance.md, memory).
   */
  sharedBuffersMb?: number;
}

export type EmbeddedPostgresErrorCode = "data_dir_in_use" | "data_dir_held_elsewhere" | "owner_not_ready" | "unsafe_socket_dir";

export class EmbeddedPostgresError extends Error {
  readonly code: EmbeddedPostgresErrorCode;
  readonly holder: DataDirLockInfo | undefined;
  constructor(code: EmbeddedPostgresErrorCode, message: string, holder?: DataDirLockInfo) {
    super(message);
    this.name = "EmbeddedPostgresError";
    this.code = code;
    this.holder = holder;
  }
}

export const defaultMaxConnections = 10;
export const defaultSharedBuffersMb = 32;

/** PGlite's own start parameters, with our shared_buffers. */
export function pgliteStartParams(sharedBuffersMb: number): string[] {
  return [...PGlite.defaultStartParams, "-c", `shared_buffers=${sharedBuffersMb}MB`];
}
/** Server connections the owner's pool leaves free: one for a CLI client, one for readiness probes. */
export const reservedConnections = 2;
/** Only the file name: pg looks for `<host>/.s.PGSQL.<port>`. */
const socketPort = 5432;
/** sun_path holds 108 bytes on Linux, 104 on macOS; stay clear of both. */
const maxSocketPathLength = 100;
const database = "postgres";
const user = "postgres";

/** Where PGlite keeps its files inside a Relais data folder. */
export function embeddedPgliteDir(dataDir: string): string {
  return join(dataDir, "pglite");
}

/**
 * Opens the embedded PostgreSQL of `dataDir`: as its owner when the folder is free (creating it on
 * first start), or as a client of the live process that holds it.
 */
export async function openEmbeddedPostgres(dataDir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedHandle> {
  const dir = resolve(dataDir);
  const maxConnections = opts.maxConnections ?? defaultMaxConnections;
  if (!Number.isInteger(maxConnections) || maxConnections <= reservedConnections) {
    throw new RangeError(`maxConnections must be an integer above ${reservedConnections}, got ${maxConnections}`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const socketDir = await chooseSocketDir(dir);
  const deadline = Date.now() + (opts.ownerStartTimeoutMs ?? 60_000);
  for (;;) {
    const attempt = await tryAcquireDataDirLock(dir, {
      socketDir,
      socketPort,
      maxConnections,
      reservedConnections,
      ...(opts.origin === undefined ? {} : { origin: opts.origin }),
    });
    if (attempt.acquired) return startOwner(dir, attempt.lock, maxConnections, { thread: opts.thread ?? false, sharedBuffersMb: opts.sharedBuffersMb ?? defaultSharedBuffersMb });
    const holder = attempt.holder;
    if (opts.mustOwn) {
      throw new EmbeddedPostgresError(
        "data_dir_in_use",
        `the data folder ${dir} is in use by process ${holder.pid} (since ${holder.startedAt}); stop that process first`,
        holder,
      );
    }
    if (holder.hostname !== hostname()) {
      throw new EmbeddedPostgresError(
        "data_dir_held_elsewhere",
        `the data folder ${dir} is in use by process ${holder.pid} on host ${holder.hostname}; ` +
          "its socket cannot be reached from here. Stop it, or use DATABASE_URL to share a real PostgreSQL",
        holder,
      );
    }
    if (await waitForOwnerSocket(dir, holder, deadline)) {
      logger.info("Data folder {dataDir} is held by process {pid}: connecting through its socket", { dataDir: dir, pid: holder.pid });
      return {
        role: "client",
        target: { host: holder.socketDir, port: holder.socketPort, database, user },
        maxClientConnections: Math.max(1, holder.reservedConnections - 1),
        holder,
        close: async () => {},
      };
    }
    // The holder died or was replaced while we waited: try to take the folder again.
  }
}

async function startOwner(
  dir: string,
  lock: DataDirLock,
  maxConnections: number,
  { thread, sharedBuffersMb }: { thread: boolean; sharedBuffersMb: number },
): Promise<EmbeddedHandle> {
  const socketPath = join(lock.info.socketDir, `.s.PGSQL.${lock.info.socketPort}`);
  let host: { stop(): Promise<void> } | undefined;
  try {
    await unlink(socketPath).catch(ignoreMissing); // left behind by a killed owner; we hold the lock now
    const started = Date.now();
    host = thread
      ? await startEmbeddedThread({ pgliteDir: embeddedPgliteDir(dir), socketPath, maxConnections, sharedBuffersMb })
      : await serveHere(embeddedPgliteDir(dir), socketPath, maxConnections, sharedBuffersMb);
    await chmod(socketPath, 0o600);
    logger.info("Embedded PostgreSQL on {socketPath} ready in {ms} ms{where}", {
      socketPath,
      ms: Date.now() - started,
      where: thread ? " (in its own thread)" : "",
    });
  } catch (e) {
    await host?.stop().catch(() => {});
    await lock.release();
    throw e;
  }
  const openHost = host;
  let closing: Promise<void> | undefined;
  return {
    role: "owner",
    target: { host: lock.info.socketDir, port: lock.info.socketPort, database, user },
    maxClientConnections: maxConnections - reservedConnections,
    close() {
      closing ??= (async () => {
        try {
          await openHost.stop();
        } finally {
          await unlink(socketPath).catch(ignoreMissing);
          if (lock.info.socketDir !== dir) await rmdir(lock.info.socketDir).catch(() => {}); // our private temp directory
          await lock.release();
        }
      })();
      return closing;
    },
  };
}

/** PGlite and its socket server on this thread. */
async function serveHere(pgliteDir: string, socketPath: string, maxConnections: number, sharedBuffersMb: number): Promise<{ stop(): Promise<void> }> {
  const db = await PGlite.create({ dataDir: pgliteDir, startParams: pgliteStartParams(sharedBuffersMb) });
  const server = new PGLiteSocketServer({ db: guardSession(db), path: socketPath, maxConnections });
  try {
    await server.start();
  } catch (e) {
    await server.stop().catch(() => {});
    await db.close().catch(() => {});
    throw e;
  }
  return {
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * Waits until the holder's socket accepts connections (it may still be running initdb). Returns false
 * when the holder is gone or the lock changed hands, so the caller can try to take the folder.
 */
async function waitForOwnerSocket(dir: string, holder: DataDirLockInfo, deadline: number): Promise<boolean> {
  const socketPath = join(holder.socketDir, `.s.PGSQL.${holder.socketPort}`);
  for (;;) {
    if (await socketAccepts(socketPath)) return true;
    const current = await readDataDirLock(dir);
    if (current === undefined || current.pid !== holder.pid || current.startedAt !== holder.startedAt) return false;
    if (!isLockHolderAlive(holder)) return false;
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        "owner_not_ready",
        `the data folder ${dir} is held by process ${holder.pid} (since ${holder.startedAt}), ` +
          `but its socket ${socketPath} does not accept connections; is that process stuck?`,
        holder,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once("error", () => resolvePromise(false));
  });
}

/**
 * The socket lives in the data folder, unless that path is too long for a unix socket: then in a
 * private directory under the system temp folder named after a hash of the data folder.
 */
async function chooseSocketDir(dir: string): Promise<string> {
  if (join(dir, `.s.PGSQL.${socketPort}`).length <= maxSocketPathLength) return dir;
  const hashed = join(tmpdir(), `relais-pg-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}`);
  await mkdir(hashed, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EEXIST") throw e;
  });
  const info = await lstat(hashed);
  const mine = process.getuid === undefined || info.uid === process.getuid();
  if (!info.isDirectory() || !mine || (info.mode & 0o077) !== 0) {
    throw new EmbeddedPostgresError(
      "unsafe_socket_dir",
      `the socket directory ${hashed} is not a private directory of this user; remove it, or use a shorter data folder path`,
    );
  }
  return hashed;
}

/** Extended-protocol and COPY messages after which the session belongs to the sender until it ends the cycle. */
const cycleContinues = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48, 0x64]); // P(arse) B(ind) D(escribe) E(xecute) C(lose) H (flush) d (copy data)
const cycleEnds = new Set([0x53, 0x51, 0x63, 0x66]); // S(ync) Q(uery) c(opy done) f(copy fail)
const syncMessage = new Uint8Array([0x53, 0, 0, 0, 4]);

/**
 * Makes pglite-socket keep the session for one connection from its Parse to its Sync. Its query queue
 * only serves the last connection while `isInTransaction()` is true; we also report true while that
 * connection is mid-cycle. When such a connection hangs up mid-cycle, the queue calls
 * `exec("ROLLBACK")`: we first end the cycle with a Sync so the next connection starts clean.
 */
export function guardSession(db: PGlite): PGlite {
  let midCycle = false;
  const execProtocolRawStream: PGlite["execProtocolRawStream"] = (message, options) => {
    const type = message[0] ?? 0;
    if (cycleContinues.has(type)) midCycle = true;
    else if (cycleEnds.has(type)) midCycle = false;
    return db.execProtocolRawStream(message, options);
  };
  const isInTransaction = () => midCycle || db.isInTransaction();
  const exec: PGlite["exec"] = async (query, options) => {
    if (midCycle) {
      midCycle = false;
      await db.runExclusive(() => db.execProtocolRawStream(syncMessage, { onRawData: () => {} }));
    }
    if (query.trim().toUpperCase() === "ROLLBACK" && !db.isInTransaction()) return [];
    return db.exec(query, options);
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "execProtocolRawStream") return execProtocolRawStream;
      if (prop === "isInTransaction") return isInTransaction;
      if (prop === "exec") return exec;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * Initialises an empty PGlite data folder at `templateDir` (runs initdb, ~5 s) and closes it cleanly.
 * Copy it with `seedEmbeddedDataDir` to start instances in ~1 s instead.
 */
export async function createEmbeddedTemplate(templateDir: string): Promise<void> {
  const db = await PGlite.create({ dataDir: templateDir });
  await db.close();
}

/** Makes `dataDir` start from a template made by `createEmbeddedTemplate`; the data folder must be new. */
export async function seedEmbeddedDataDir(templateDir: string, dataDir: string): Promise<void> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = embeddedPgliteDir(dir);
  if (await stat(target).then(() => true, ignoreMissingAsFalse)) {
    throw new Error(`${target} already exists: seed only a new data folder`);
  }
  await cp(templateDir, target, { recursive: true, errorOnExist: true, force: false });
}

function ignoreMissing(e: NodeJS.ErrnoException): void {
  if (e.code !== "ENOENT") throw e;
}

function ignoreMissingAsFalse(e: NodeJS.ErrnoException): false {
  ignoreMissing(e);
  return false;
}
