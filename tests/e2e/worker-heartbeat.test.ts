// The worker's liveness probe (issue 12): `relais worker` on PostgreSQL rewrites RELAIS_HEARTBEAT_FILE
// while its event loop runs; bin/relais-alive.js (what compose and the chart run) says alive while the
// file is fresh, not alive once the process is frozen (SIGSTOP: an event loop that does not turn), alive
// again once it runs, and not alive after it stopped (the file is removed).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, runCli, startProcess } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";
import { until } from "../support/wait.ts";

const probe = fileURLToPath(new URL("../../bin/relais-alive.js", import.meta.url));
const alive = (file: string, maxAgeSeconds: number) => spawnSync(process.execPath, [probe, file, String(maxAgeSeconds)]).status;

describe("worker heartbeat", () => {
  const dir = mkdtempSync(join(tmpdir(), "relais-heartbeat-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is fresh while the worker runs, stale while it is frozen, gone once it stopped", async () => {
    const db = await createTestDatabase("heartbeat");
    const file = join(dir, "worker.alive");
    const env = {
      RELAIS_ORIGIN: `http://127.0.0.1:${await freePort()}`,
      RELAIS_DATA_DIR: dir,
      DATABASE_URL: db.url,
      RELAIS_HEARTBEAT_FILE: file,
    };
    try {
      expect((await runCli(["migrate"], env)).code).toBe(0);
      expect(alive(file, 60)).toBe(1); // no worker yet
      const worker = await startProcess(["worker"], env, /worker started/);
      try {
        expect(alive(file, 60)).toBe(0);
        const first = statSync(file).mtimeMs;
        await until("a second beat", async () => statSync(file).mtimeMs > first, 15_000);

        worker.child.kill("SIGSTOP");
        try {
          await new Promise((r) => setTimeout(r, 3_000));
          expect(alive(file, 2)).toBe(1);
        } finally {
          worker.child.kill("SIGCONT");
        }
        await until("a beat after the freeze", async () => alive(file, 2) === 0, 15_000);
      } finally {
        expect(await worker.stop()).toBe(0);
      }
      expect(existsSync(file)).toBe(false);
      expect(alive(file, 60)).toBe(1);
    } finally {
      await db.drop();
    }
  }, 90_000);
});
