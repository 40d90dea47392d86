#!/usr/bin/env node
// Liveness probe of `relais worker` (it serves no HTTP): exits 0 when the heartbeat file the worker
// rewrites every 5 s (RELAIS_HEARTBEAT_FILE) is younger than the given age, 1 otherwise. Loads nothing
// of Relais, so a probe costs a Node start only. Usage: relais-alive.js [file] [max age in seconds]
import { statSync } from "node:fs";

const [file = "/tmp/relais-worker.alive", maxAge = "60"] = process.argv.slice(2);
try {
  process.exit(Date.now() - statSync(file).mtimeMs < Number(maxAge) * 1000 ? 0 : 1);
} catch {
  process.exit(1);
}
