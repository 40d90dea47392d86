/**
 * The process's own liveness check (RELAIS_WATCHDOG_SECONDS): a thread that watches the main event loop
 * and ends the process when that loop has not turned for the limit, so that a supervisor that restarts
 * what exits (Docker Compose's `restart: unless-stopped`, systemd's `Restart=`) brings it back; Compose
 * marks a container unhealthy but never restarts it. The main thread stores the time every second; the
 * thread reads it. A blocked or hung loop cannot log or exit by itself, so the thread writes its line
 * straight to standard error and sends SIGKILL to the process (exit status 137): what the process held
 * is taken again once its leases run out, as after any crash. A database or Redis outage does not stop
 * the loop and so never ends the process (a restart would not help).
 */
import { writeSync } from "node:fs";
import { isMainThread, Worker, workerData } from "node:worker_threads";

interface WatchdogInput {
  readonly watchdog: true;
  readonly beats: SharedArrayBuffer;
  readonly limitMs: number;
  readonly format: "text" | "json";
  /** The command that runs (`relais worker`), named in the line. */
  readonly role: string;
}

/** How often the main loop marks that it turned, and how often the thread looks. */
const beatEveryMs = 1_000;

/** Starts the watchdog; returns the function that stops it (before a clean exit). */
export function startWatchdog(opts: { limitSeconds: number; format: "text" | "json"; role: string }): () => void {
  const beats = new SharedArrayBuffer(8);
  const last = new BigInt64Array(beats);
  const beat = () => Atomics.store(last, 0, BigInt(Date.now()));
  beat();
  const timer = setInterval(beat, beatEveryMs);
  timer.unref();
  const input: WatchdogInput = { watchdog: true, beats, limitMs: opts.limitSeconds * 1000, format: opts.format, role: opts.role };
  const thread = new Worker(new URL(import.meta.url), { workerData: input });
  thread.unref();
  return () => {
    clearInterval(timer);
    void thread.terminate();
  };
}

/** One log line in the shape of the process's other lines (LogTape's text or JSON lines). */
export function watchdogLine(format: "text" | "json", role: string, stalledMs: number, limitMs: number, at: Date): string {
  const seconds = Math.round(stalledMs / 1000);
  const limit = Math.round(limitMs / 1000);
  const message = `${role}: the event loop has not turned for ${seconds} s (RELAIS_WATCHDOG_SECONDS=${limit}), ending the process so that it is restarted`;
  if (format === "json") {
    return `${JSON.stringify({ "@timestamp": at.toISOString(), level: "FATAL", message, logger: "relais.watchdog", properties: { role, stalledSeconds: seconds, limitSeconds: limit } })}\n`;
  }
  return `${at.toISOString()} [FTL] relais·watchdog: ${message}\n`;
}

function watch(input: WatchdogInput): void {
  const last = new BigInt64Array(input.beats);
  let lastLook = Date.now();
  let since = 0; // a time from which to count when the whole process was suspended (SIGSTOP, a VM paused)
  setInterval(() => {
    const now = Date.now();
    // This thread did not run either: the process was suspended, not its loop stalled. Count afresh.
    if (now - lastLook > 5 * beatEveryMs) since = now;
    lastLook = now;
    const stalledMs = now - Math.max(Number(Atomics.load(last, 0)), since);
    if (stalledMs < input.limitMs) return;
    try {
      writeSync(2, watchdogLine(input.format, input.role, stalledMs, input.limitMs, new Date(now)));
    } finally {
      process.kill(process.pid, "SIGKILL");
    }
  }, beatEveryMs);
}

if (!isMainThread && (workerData as WatchdogInput | undefined)?.watchdog === true) watch(workerData as WatchdogInput);
