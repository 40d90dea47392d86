// Loaded into the measured Relais with `--import` (bench/memory/run.ts): on SIGUSR2 it writes what
// Node and V8 say of this process's memory to `probe.json` in RELAIS_BENCH_PROBE_DIR, after a full
// garbage collection when that folder holds a file named `gc` (and the process runs with --expose-gc).
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";

process.on("SIGUSR2", () => {
  const dir = process.env.RELAIS_BENCH_PROBE_DIR;
  if (!dir) return;
  const collect = (globalThis as { gc?: () => void }).gc;
  if (existsSync(join(dir, "gc")) && collect) collect();
  const usage = process.memoryUsage();
  const heap = v8.getHeapStatistics();
  writeFileSync(join(dir, "probe.tmp"), JSON.stringify({ usage, heap }));
  renameSync(join(dir, "probe.tmp"), join(dir, "probe.json"));
});
