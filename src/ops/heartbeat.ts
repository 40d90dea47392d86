import { rmSync, writeFileSync } from "node:fs";
import { getLogger } from "@logtape/logtape";

const logger = getLogger(["relais", "heartbeat"]);

/** How often the worker rewrites its heartbeat file; probes allow several missed beats (bin/relais-alive.js: 60 s). */
export const heartbeatIntervalMs = 5_000;

/**
 * The worker's liveness for probes (it serves no HTTP): `file` is rewritten every few seconds by a
 * timer of the worker's own event loop, so it goes stale when that loop is blocked or the process hangs,
 * and stays fresh during a database or Redis outage (the worker waits for them; restarting it would not
 * help). Returns the function that stops it and removes the file (a stopped worker is not alive).
 */
export function startHeartbeat(file: string, everyMs = heartbeatIntervalMs): () => void {
  let warned = false;
  const beat = () => {
    try {
      writeFileSync(file, `${new Date().toISOString()}\n`);
      warned = false;
    } catch (error) {
      if (!warned) logger.warn("cannot write the heartbeat file {file}: {error}", { file, error: String(error) });
      warned = true;
    }
  };
  beat();
  const timer = setInterval(beat, everyMs);
  return () => {
    clearInterval(timer);
    rmSync(file, { force: true });
  };
}
