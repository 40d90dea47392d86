import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { embeddedTemplate, newEmbeddedDataDir } from "../../tests/support/embedded-template.ts";
import { type JsonLineChild, startJsonLineChild, stopChildren } from "../../tests/support/json-line-child.ts";
import { lockFilePath } from "./data-dir-lock.ts";
import { type EmbeddedHandle, openEmbeddedPostgres, type PostgresTarget, seedEmbeddedDataDir } from "./embedded-postgres.ts";

interface ChildReport {
  pid: number;
  role?: "owner" | "client";
  target?: PostgresTarget;
  error?: string;
}

const childScript = new URL("../../tests/support/embedded-postgres-child.ts", import.meta.url);

let dataDir: string;
let removeDataDir: () => Promise<void>;
const handles: EmbeddedHandle[] = [];
const pools: pg.Pool[] = [];
const children: JsonLineChild<unknown>[] = [];

beforeEach(async () => {
  ({ dataDir, remove: removeDataDir } = await newEmbeddedDataDir());
}, 120_000);

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()));
  for (const h of handles.splice(0)) await h.close();
  await stopChildren(children.splice(0));
  await removeDataDir();
});

async function open(dir = dataDir, opts: Parameters<typeof openEmbeddedPostgres>[1] = {}): Promise<EmbeddedHandle> {
  const handle = await openEmbeddedPostgres(dir, opts);
  handles.push(handle);
  return handle;
}

function poolFor(target: PostgresTarget, max: number): pg.Pool {
  const pool = new pg.Pool({ ...target, max });
  pool.on("error", () => {}); // idle clients see the server go away when a test closes it
  pools.push(pool);
  return pool;
}

async function withClient<T>(target: PostgresTarget, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(target);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function startChild(...args: string[]): JsonLineChild<ChildReport> {
  const child = startJsonLineChild<ChildReport>(childScript, [dataDir, ...args], 90_000);
  children.push(child);
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("openEmbeddedPostgres as the owner", () => {
  it("serves the folder on a private unix socket, keeps data across a close and a reopen, and cleans up", async () => {
    const first = await open();
    expect(first.role).toBe("owner");
    expect(first.target.host).toBe(dataDir);
    expect(first.maxClientConnections).toBe(8);
    const socket = join(dataDir, `.s.PGSQL.${first.target.port}`);
    expect((await stat(socket)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(lockFilePath(dataDir), "utf8"))).toMatchObject({ pid: process.pid, socketDir: dataDir });

    await withClient(first.target, async (c) => {
      await c.query("CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)");
      await c.query("INSERT INTO note VALUES ($1, $2), ($3, $4)", [1, "première", 2, "zweite"]);
    });
    await first.close();
    handles.splice(0);
    expect(existsSync(lockFilePath(dataDir))).toBe(false);
    expect(existsSync(socket)).toBe(false);

    const again = await open();
    expect(again.role).toBe("owner");
    const rows = await withClient(again.target, async (c) => (await c.query("SELECT id, body FROM note ORDER BY id")).rows);
    expect(rows).toEqual([
      { id: 1, body: "première" },
      { id: 2, body: "zweite" },
    ]);
  }, 60_000);

  it("runs PGlite in a worker thread when asked, on the same socket, and the data outlives it", async () => {
    const threaded = await open(dataDir, { thread: true, sharedBuffersMb: 16 });
    expect(threaded.role).toBe("owner");
    await withClient(threaded.target, async (c) => {
      expect((await c.query("SHOW shared_buffers")).rows).toEqual([{ shared_buffers: "16MB" }]);
      await c.query("CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)");
      await c.query("BEGIN");
      await c.query("INSERT INTO note VALUES ($1, $2)", [1, "fil"]);
      await c.query("COMMIT");
    });
    await threaded.close();
    handles.splice(0);
    expect(existsSync(lockFilePath(dataDir))).toBe(false);
    const here = await open();
    expect(await withClient(here.target, async (c) => (await c.query("SELECT body FROM note")).rows)).toEqual([{ body: "fil" }]);
    // 32 MiB unless told otherwise (PGlite's own default is 128).
    expect(await withClient(here.target, async (c) => (await c.query("SHOW shared_buffers")).rows)).toEqual([{ shared_buffers: "32MB" }]);
  }, 60_000);

  it("puts the socket in a private temp directory when the data folder path is too long for one", async () => {
    const longDir = join(dataDir, "a-very-long-folder-name-".repeat(4));
    await seedEmbeddedDataDir(await embeddedTemplate(), longDir);
    const handle = await open(longDir);
    expect(handle.role).toBe("owner");
    expect(handle.target.host.startsWith(join(tmpdir(), "relais-pg-"))).toBe(true);
    expect((await stat(handle.target.host)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(lockFilePath(longDir), "utf8")).socketDir).toBe(handle.target.host);
    expect(await withClient(handle.target, async (c) => (await c.query("SELECT 1 + 1 AS two")).rows)).toEqual([{ two: 2 }]);
    await handle.close();
    expect(existsSync(handle.target.host)).toBe(false);
  }, 60_000);
});

describe("a folder held by another process", () => {
  it("keeps committed data after kill -9 of its owner; the next owner takes over the stale lock and the leftover socket", async () => {
    const child = startChild();
    const report = await child.report;
    expect(report.role).toBe("owner");
    await withClient(report.target!, async (c) => {
      await c.query("CREATE TABLE survivor (n int NOT NULL)");
      await c.query("BEGIN");
      await c.query("INSERT INTO survivor SELECT generate_series(1, 100)");
      await c.query("COMMIT");
      await c.query("INSERT INTO survivor VALUES ($1)", [101]);
    });
    child.process.kill("SIGKILL");
    expect(await child.exited).toBe("SIGKILL");
    expect(JSON.parse(await readFile(lockFilePath(dataDir), "utf8")).pid).toBe(report.pid);
    expect(existsSync(join(report.target!.host, `.s.PGSQL.${report.target!.port}`))).toBe(true);

    const next = await open(dataDir, { mustOwn: true });
    expect(next.role).toBe("owner");
    const rows = await withClient(next.target, async (c) => (await c.query("SELECT count(*)::int AS n, max(n) AS top FROM survivor")).rows);
    expect(rows).toEqual([{ n: 101, top: 101 }]);
  }, 90_000);

  it("makes another process a client of the owner's socket, which sees and writes the same data; mustOwn names the holder", async () => {
    const child = startChild("--seed");
    const report = await child.report;
    expect(report.role).toBe("owner");

    const client = await open();
    expect(client.role).toBe("client");
    expect(client.target).toEqual(report.target);
    expect(client.maxClientConnections).toBe(1);
    await withClient(client.target, async (c) => {
      expect((await c.query("SELECT pid FROM seeded")).rows).toEqual([{ pid: report.pid }]);
      await c.query("INSERT INTO seeded (pid) VALUES ($1)", [process.pid]);
    });
    await expect(openEmbeddedPostgres(dataDir, { mustOwn: true })).rejects.toMatchObject({
      code: "data_dir_in_use",
      message: expect.stringContaining(`in use by process ${report.pid}`),
    });

    child.process.stdin?.end(); // the child closes cleanly
    expect(await child.exited).toBe(0);
    expect(existsSync(lockFilePath(dataDir))).toBe(false);
    const owner = await open(dataDir, { mustOwn: true });
    const pids = await withClient(owner.target, async (c) => (await c.query("SELECT pid FROM seeded ORDER BY pid")).rows);
    expect(pids.map((r) => r.pid).sort()).toEqual([report.pid, process.pid].sort());
  }, 90_000);

  it("among processes starting together on one folder, exactly one owns it and the others become its clients", async () => {
    const at = Date.now() + 2000;
    const racers = [startChild(`--at=${at}`), startChild(`--at=${at}`), startChild(`--at=${at}`)];
    const reports = await Promise.all(racers.map((c) => c.report));
    const owners = reports.filter((r) => r.role === "owner");
    expect(owners).toHaveLength(1);
    expect(reports.filter((r) => r.role === "client")).toHaveLength(2);
    expect(reports.every((r) => r.target?.host === owners[0]!.target!.host)).toBe(true);
    expect(JSON.parse(await readFile(lockFilePath(dataDir), "utf8")).pid).toBe(owners[0]!.pid);
    // Every client really reaches the one owner.
    for (const r of reports) {
      expect(await withClient(r.target!, async (c) => (await c.query("SELECT 42 AS answer")).rows)).toEqual([{ answer: 42 }]);
    }
  }, 90_000);
});

describe("connections through the socket (one shared PGlite session)", () => {
  it.each([
    { where: "on this thread", thread: false },
    { where: "in a worker thread", thread: true },
  ])("serves a full pool of parallel parameterised queries without mixing their parameters or results ($where)", async ({ thread }) => {
    const owner = await open(dataDir, { thread });
    const pool = poolFor(owner.target, owner.maxClientConnections);
    await pool.query("CREATE TABLE blob (id int PRIMARY KEY, body text NOT NULL)");
    // Parameters larger than a socket buffer (~200 kB) arrive in several reads: without guardSession,
    // another connection's Bind ran in between and 8 of these 30 queries got others' parameters.
    const big = "x".repeat(1_000_000);
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        if (i % 3 === 0) {
          const r = await pool.query("INSERT INTO blob VALUES ($1, $2) RETURNING id, length(body) AS len", [i, big + i]);
          return r.rows[0].id === i && r.rows[0].len === big.length + String(i).length;
        }
        if (i % 3 === 1) {
          const r = await pool.query("SELECT $1::int AS a, $2::text AS b", [i, `s${i}`]);
          return r.rows[0].a === i && r.rows[0].b === `s${i}`;
        }
        const r = await pool.query("SELECT $1::text AS x", [`q${i}`]);
        return r.rows[0].x === `q${i}`;
      }),
    );
    expect(results.filter((ok) => !ok)).toEqual([]);
    expect(pool.totalCount).toBe(owner.maxClientConnections);
    expect((await pool.query("SELECT count(*)::int AS n FROM blob")).rows).toEqual([{ n: 10 }]);
  }, 90_000);

  it("leaves room for a CLI client while the app pool holds every one of its connections", async () => {
    const owner = await open();
    const pool = poolFor(owner.target, owner.maxClientConnections);
    const held = await Promise.all(Array.from({ length: owner.maxClientConnections }, () => pool.connect()));
    try {
      expect(await withClient(owner.target, async (c) => (await c.query("SELECT 'cli' AS who")).rows)).toEqual([{ who: "cli" }]);
    } finally {
      for (const c of held) c.release();
    }
  }, 60_000);

  it("serialises transactions: other connections wait for COMMIT/ROLLBACK and never see uncommitted rows", async () => {
    const owner = await open();
    const pool = poolFor(owner.target, owner.maxClientConnections);
    await pool.query("CREATE TABLE item (n int NOT NULL)");
    const tx = await pool.connect();
    await tx.query("BEGIN");
    await tx.query("INSERT INTO item VALUES (1)");
    let otherDone = false;
    const other = pool.query("SELECT count(*)::int AS n FROM item").finally(() => {
      otherDone = true;
    });
    await sleep(500);
    // Observed: the other connection's query is queued until the transaction ends (one session).
    expect(otherDone).toBe(false);
    await tx.query("ROLLBACK");
    tx.release();
    expect((await other).rows).toEqual([{ n: 0 }]);
  }, 60_000);

  it("rolls back the transaction of a connection that hangs up inside it, and the others carry on", async () => {
    const owner = await open();
    const pool = poolFor(owner.target, owner.maxClientConnections);
    await pool.query("CREATE TABLE item (n int NOT NULL)");
    const quitter = new pg.Client(owner.target);
    await quitter.connect();
    await quitter.query("BEGIN");
    await quitter.query("INSERT INTO item VALUES ($1)", [1]);
    await quitter.end(); // no COMMIT
    expect((await pool.query("SELECT count(*)::int AS n FROM item")).rows).toEqual([{ n: 0 }]);
    await pool.query("INSERT INTO item VALUES ($1)", [2]);
    expect((await pool.query("SELECT n FROM item")).rows).toEqual([{ n: 2 }]);
  }, 60_000);

  it("holds the session for a connection between its Parse and its Sync, and resets it when that connection hangs up", async () => {
    const owner = await open();
    const pool = poolFor(owner.target, owner.maxClientConnections);
    const raw = await rawConnection(join(owner.target.host, `.s.PGSQL.${owner.target.port}`));
    // The Bind fails (not an int): PostgreSQL then ignores messages until a Sync, which never comes.
    raw.write(parseAndBindWithoutSync("SELECT $1::int AS v", "not a number"));
    await sleep(200);
    let otherDone = false;
    const other = pool.query("SELECT $1::text AS x", ["other"]).finally(() => {
      otherDone = true;
    });
    await sleep(500);
    expect(otherDone).toBe(false); // waits for the Sync that would end the raw connection's cycle
    raw.destroy();
    expect((await other).rows).toEqual([{ x: "other" }]);
    expect((await pool.query("SELECT $1::int + 1 AS y", [41])).rows).toEqual([{ y: 42 }]);
  }, 60_000);
});

/** A protocol-level connection that has completed its startup (seen ReadyForQuery). */
function rawConnection(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let received = Buffer.alloc(0);
    socket.once("error", reject);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      for (let at = 0; at + 5 <= received.length; at += 1 + received.readInt32BE(at + 1)) {
        if (received[at] === 0x5a) {
          socket.removeAllListeners("data");
          resolve(socket);
          return;
        }
      }
    });
    const params = Buffer.from("user\0postgres\0database\0postgres\0\0");
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([startup, params]));
  });
}

function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

/** Parse and Bind of an unnamed statement with one text parameter, and no Sync. */
function parseAndBindWithoutSync(sql: string, param: string): Buffer {
  const parse = frame("P", Buffer.concat([Buffer.from(`\0${sql}\0`), Buffer.from([0, 0])]));
  const value = Buffer.from(param);
  const length = Buffer.alloc(4);
  length.writeInt32BE(value.length, 0);
  const bind = frame("B", Buffer.concat([Buffer.from("\0\0"), Buffer.from([0, 0, 0, 1]), length, value, Buffer.from([0, 0])]));
  return Buffer.concat([parse, bind]);
}
