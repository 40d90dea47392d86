// Relais as real child processes (`node bin/relais.js …`), the way an operator runs it.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/relais.js", import.meta.url));

/** A free TCP port on `host` (the origin must name the port before the server starts). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const s = createServer();
  s.listen(0, host);
  await once(s, "listening");
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A command line that runs Relais inside another command (e.g. `unshare … sh -c '…; exec "$@"' sh`):
 * the launcher's words come first, then `node bin/relais.js` and the arguments.
 */
export type Launcher = readonly string[];

function command(args: string[], launcher: Launcher | undefined): [string, string[]] {
  if (!launcher || launcher.length === 0) return [process.execPath, [bin, ...args]];
  return [launcher[0] as string, [...launcher.slice(1), process.execPath, bin, ...args]];
}

/** Runs a one-shot CLI command to completion. */
export async function runCli(args: string[], env: Record<string, string>, input?: string, launcher?: Launcher): Promise<CliResult> {
  const [file, argv] = command(args, launcher);
  const child = spawn(file, argv, {
    env: { ...process.env, RELAIS_LOG_LEVEL: "warning", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.end(input ?? "");
  const [code] = (await once(child, "exit")) as [number | null];
  return { code: code ?? -1, stdout, stderr };
}

export interface RelaisProcess {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, then the exit code (SIGKILL after the timeout). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** `kill -9`, as a crash would; resolves once the process is gone. */
  crash(): Promise<void>;
}

/** Starts a long-running command and resolves once it printed `readyLine`. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  readyLine: RegExp,
  timeoutMs = 90_000,
  launcher?: Launcher,
): Promise<RelaisProcess> {
  const [file, argv] = command(args, launcher);
  const child = spawn(file, argv, {
    env: { ...process.env, RELAIS_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relais ${args.join(" ")} not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (readyLine.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`relais ${args.join(" ")} exited with ${code} before it was ready:\n${out}`));
    });
  });
  await ready;
  return {
    child,
    output: () => out,
    async stop(ms = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit") as Promise<[number | null]>;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), ms);
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
    async crash() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
  };
}
