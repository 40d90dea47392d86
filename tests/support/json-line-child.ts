import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A child process running a TypeScript script that reports on stdout with one JSON line. */
export interface JsonLineChild<T> {
  readonly process: ChildProcess;
  /** The first JSON line the child printed; rejects if it exits first or stays silent for `timeoutMs`. */
  readonly report: Promise<T>;
  /** Resolves with the exit code (or signal) once the child has exited. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

export function startJsonLineChild<T>(script: URL, args: string[], timeoutMs = 60_000): JsonLineChild<T> {
  const child = spawn(process.execPath, [script.pathname, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1));
  });
  const report = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child ${child.pid} printed nothing in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as T);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`child ${child.pid} exited (${code}) before reporting: ${stderr}`));
    });
  });
  report.catch(() => {}); // the caller may never await it after an earlier failure
  return { process: child, report, exited };
}

/** Ends children that are still running (those a test failed to stop): closes stdin, then SIGKILL. */
export async function stopChildren(children: Iterable<JsonLineChild<unknown>>): Promise<void> {
  await Promise.all(
    [...children].map(async (c) => {
      if (c.process.exitCode !== null || c.process.signalCode !== null) return;
      c.process.stdin?.end();
      const timer = setTimeout(() => c.process.kill("SIGKILL"), 10_000);
      await c.exited;
      clearTimeout(timer);
    }),
  );
}
