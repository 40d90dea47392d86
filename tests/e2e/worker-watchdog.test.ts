// The worker's own watchdog (RELAIS_WATCHDOG_SECONDS, src/ops/watchdog.ts): Docker Compose does not
// restart an unhealthy container, only one that exits, so a `relais worker` whose event loop stalls ends
// itself with a clear line. A real worker process on PostgreSQL: it keeps running past the limit while
// its loop turns, survives being frozen whole (SIGSTOP: nothing stalled, the whole process slept), and
// ends with SIGKILL and the watchdog's line once its main thread is held still: paused through the
// inspector, as a loop stuck in synchronous code would be, while its other threads run on.
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { watchdogLine } from "../../src/ops/watchdog.ts";
import { freePort, runCli, startProcess } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";
import { until } from "../support/wait.ts";

const LIMIT_S = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pauses the main thread of the process whose inspector listens at `url` (the Chrome DevTools protocol). */
async function pauseMainThread(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await once(socket as unknown as EventTarget, "open");
  const paused = new Promise<void>((resolve) =>
    socket.addEventListener("message", (e) => {
      if ((JSON.parse(String(e.data)) as { method?: string }).method === "Debugger.paused") resolve();
    }),
  );
  socket.send(JSON.stringify({ id: 1, method: "Debugger.enable" }));
  socket.send(JSON.stringify({ id: 2, method: "Debugger.pause" }));
  await paused;
  return socket;
}

describe("the worker's watchdog", () => {
  const dir = mkdtempSync(join(tmpdir(), "relais-watchdog-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes one line in the shape of the process's logs", () => {
    const at = new Date("2026-12-03T14:00:00Z");
    expect(watchdogLine("text", "relais worker", 12_400, 10_000, at)).toBe(
      "2026-12-03T14:00:00.000Z [FTL] relais·watchdog: relais worker: the event loop has not turned for 12 s (RELAIS_WATCHDOG_SECONDS=10), ending the process so that it is restarted\n",
    );
    const json = JSON.parse(watchdogLine("json", "relais worker", 12_400, 10_000, at));
    expect(json).toMatchObject({ "@timestamp": at.toISOString(), level: "FATAL", logger: "relais.watchdog", properties: { role: "relais worker", stalledSeconds: 12, limitSeconds: 10 } });
  });

  it("lets a running or frozen worker be, and ends one whose event loop stalls, saying why", async () => {
    const db = await createTestDatabase("watchdog");
    const env = {
      RELAIS_ORIGIN: `http://127.0.0.1:${await freePort()}`,
      RELAIS_DATA_DIR: dir,
      DATABASE_URL: db.url,
      RELAIS_WATCHDOG_SECONDS: String(LIMIT_S),
      RELAIS_LOG_FORMAT: "json",
      NODE_OPTIONS: "--inspect=127.0.0.1:0",
    };
    try {
      expect((await runCli(["migrate"], { ...env, NODE_OPTIONS: "" })).code).toBe(0);
      const worker = await startProcess(["worker"], env, /worker started/);
      try {
        await until("the watchdog's start line", async () => /watchdog on: the process ends itself if its event loop stalls 10 s/.test(worker.output()), 5_000);
        const exited = once(worker.child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
        // Past the limit with a turning loop, then frozen whole for longer than the limit: still running.
        await sleep((LIMIT_S + 2) * 1000);
        worker.child.kill("SIGSTOP");
        await sleep((LIMIT_S + 2) * 1000);
        worker.child.kill("SIGCONT");
        await sleep(3_000);
        expect(worker.child.exitCode).toBeNull();
        expect(worker.child.signalCode).toBeNull();
        expect(worker.output()).not.toMatch(/relais\.watchdog/);

        // Its main thread held still: ended within the limit and a few seconds, with the line.
        const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(worker.output())?.[1];
        expect(inspector).toBeDefined();
        const socket = await pauseMainThread(inspector as string);
        const pausedAt = Date.now();
        try {
          const [code, signal] = await exited;
          expect([code, signal]).toEqual([null, "SIGKILL"]);
          // Not at once, and not long after the limit (the last beat may precede the pause by a second
          // or more on a loaded machine: the line below says how long the loop had stalled).
          expect(Date.now() - pausedAt).toBeGreaterThanOrEqual((LIMIT_S / 2) * 1000);
          expect(Date.now() - pausedAt).toBeLessThan((LIMIT_S + 10) * 1000);
        } finally {
          socket.close();
        }
        await until("the watchdog's line", async () => /relais\.watchdog/.test(worker.output()), 5_000);
        const line = worker.output().split("\n").find((l) => l.includes('"relais.watchdog"')) as string;
        expect(JSON.parse(line)).toMatchObject({ level: "FATAL", properties: { role: "relais worker", limitSeconds: LIMIT_S } });
        expect(JSON.parse(line).properties.stalledSeconds).toBeGreaterThanOrEqual(LIMIT_S);
        expect(JSON.parse(line).message).toMatch(/^relais worker: the event loop has not turned for \d+ s \(RELAIS_WATCHDOG_SECONDS=10\), ending the process so that it is restarted$/);
      } finally {
        await worker.stop();
      }
    } finally {
      await db.drop();
    }
  }, 120_000);
});
