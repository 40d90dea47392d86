import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type JsonLineChild, startJsonLineChild, stopChildren } from "../../tests/support/json-line-child.ts";
import { type DataDirLockInfo, isLockHolderAlive, lockFilePath, readDataDirLock, tryAcquireDataDirLock } from "./data-dir-lock.ts";

const request = { socketDir: "/tmp/sock", socketPort: 5432, maxConnections: 10, reservedConnections: 2 };
const lockChild = new URL("../../tests/support/data-dir-lock-child.ts", import.meta.url);

let dir: string;
const children: JsonLineChild<unknown>[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "relais-lock-"));
});

afterEach(async () => {
  await stopChildren(children.splice(0));
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function staleLock(pid: number, extra: Partial<DataDirLockInfo> = {}): string {
  return JSON.stringify({ pid, hostname: hostname(), startedAt: "2026-01-01T00:00:00.000Z", ...request, ...extra });
}

describe("tryAcquireDataDirLock", () => {
  it("takes a free folder, records who holds it, and refuses a second taker until released", async () => {
    const first = await tryAcquireDataDirLock(dir, request);
    expect(first.acquired).toBe(true);
    const recorded = await readDataDirLock(dir);
    expect(recorded).toMatchObject({ pid: process.pid, hostname: hostname(), ...request });

    const second = await tryAcquireDataDirLock(dir, request);
    expect(second).toMatchObject({ acquired: false, holder: { pid: process.pid } });

    if (first.acquired) await first.lock.release();
    expect(existsSync(lockFilePath(dir))).toBe(false);
    const third = await tryAcquireDataDirLock(dir, request);
    expect(third.acquired).toBe(true);
    if (third.acquired) await third.lock.release();
    // No temporary files are left behind.
    expect(await readdir(dir)).toEqual([]);
  });

  it("tells a second taker the origin its holder publishes as", async () => {
    const first = await tryAcquireDataDirLock(dir, { ...request, origin: "https://relais.example/" });
    const second = await tryAcquireDataDirLock(dir, { ...request, origin: "http://localhost:3000/" });
    expect(second).toMatchObject({ acquired: false, holder: { pid: process.pid, origin: "https://relais.example/" } });
    if (first.acquired) await first.lock.release();
  });

  it("takes over the lock of a process that is gone", async () => {
    const pid = deadPid();
    await writeFile(lockFilePath(dir), staleLock(pid));
    const attempt = await tryAcquireDataDirLock(dir, request);
    expect(attempt.acquired).toBe(true);
    expect((await readDataDirLock(dir))?.pid).toBe(process.pid);
  });

  it("takes over a lock file that is not a lock (garbage, empty)", async () => {
    await writeFile(lockFilePath(dir), "");
    expect((await tryAcquireDataDirLock(dir, request)).acquired).toBe(true);
  });

  it.runIf(existsSync("/proc/self/stat"))("takes over a lock whose pid now belongs to another, younger process", async () => {
    await writeFile(lockFilePath(dir), staleLock(process.pid, { pidStartTicks: "1" }));
    expect((await tryAcquireDataDirLock(dir, request)).acquired).toBe(true);
  });

  it("release leaves alone a lock that is no longer ours", async () => {
    const attempt = await tryAcquireDataDirLock(dir, request);
    if (!attempt.acquired) throw new Error("expected to acquire");
    await writeFile(lockFilePath(dir), staleLock(12345));
    await attempt.lock.release();
    expect((await readDataDirLock(dir))?.pid).toBe(12345);
  });

  it("among many takers arriving within a few milliseconds, exactly one gets a stale lock (30 rounds)", async () => {
    // The jitter matters: without the takeover guard (check content, unlink, link), most rounds had two winners.
    for (let round = 0; round < 30; round++) {
      const roundDir = await mkdtemp(join(dir, "round-"));
      await writeFile(lockFilePath(roundDir), staleLock(999_999_999));
      const attempts = await Promise.all(
        Array.from({ length: 10 }, () => sleep(Math.random() * 3).then(() => tryAcquireDataDirLock(roundDir, request))),
      );
      expect(attempts.filter((a) => a.acquired)).toHaveLength(1);
      expect(await readdir(roundDir)).toEqual(["relais.lock"]);
    }
  });

  it("among processes racing for a stale lock, exactly one gets it and the others name it", async () => {
    await writeFile(lockFilePath(dir), staleLock(deadPid()));
    const startAt = Date.now() + 1500;
    for (let i = 0; i < 6; i++) children.push(startJsonLineChild(lockChild, [dir, String(startAt)]));
    const reports = (await Promise.all(children.map((c) => c.report))) as { pid: number; acquired: boolean; holderPid: number }[];
    const winners = reports.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.pid;
    expect(reports.every((r) => r.holderPid === winner)).toBe(true);
    expect((await readDataDirLock(dir))?.pid).toBe(winner);
  });
});

describe("isLockHolderAlive", () => {
  it("tells a live process from a gone one, and trusts a holder on another host", () => {
    expect(isLockHolderAlive({ pid: process.pid, hostname: hostname() })).toBe(true);
    expect(isLockHolderAlive({ pid: deadPid(), hostname: hostname() })).toBe(false);
    expect(isLockHolderAlive({ pid: deadPid(), hostname: `${hostname()}-elsewhere` })).toBe(true);
  });
});
