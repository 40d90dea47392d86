/**
 * A separate process for the lock race test: tries to take the lock on a data folder, prints
 * `{pid, acquired, holderPid}` and, if it got the lock, holds it until its stdin closes.
 * With a start instant (epoch ms), waits for it, so that racing children really start together.
 *   node tests/support/data-dir-lock-child.ts <dataDir> [startAtMs]
 */
import { tryAcquireDataDirLock } from "../../src/db/data-dir-lock.ts";

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error("usage: data-dir-lock-child.ts <dataDir> [startAtMs]");
await new Promise((r) => setTimeout(r, Math.max(0, Number(process.argv[3] ?? 0) - Date.now())));
const attempt = await tryAcquireDataDirLock(dataDir, {
  socketDir: dataDir,
  socketPort: 5432,
  maxConnections: 10,
  reservedConnections: 2,
});
const holderPid = attempt.acquired ? process.pid : attempt.holder.pid;
process.stdout.write(JSON.stringify({ pid: process.pid, acquired: attempt.acquired, holderPid }) + "\n");
if (attempt.acquired) {
  process.stdin.on("end", async () => {
    await attempt.lock.release();
    process.exit(0);
  });
  process.stdin.resume();
}
