// A Relais for the benchmarks: a fresh database (the test PostgreSQL, or an embedded data folder),
// seeded in this process through the runtime, then `relais start` as a child process (web and worker
// in one process, as the embedded default runs), measured from outside.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigFromProcess } from "../../src/config/config-files.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { newEmbeddedDataDir } from "../../tests/support/embedded-template.ts";
import { freePort } from "../../tests/support/relais-process.ts";
import { createTestDatabase } from "../../tests/support/services.ts";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export interface BenchDatabase {
  readonly kind: "PostgreSQL" | "embedded (PGlite)";
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh database: a new database in the test PostgreSQL, or a new embedded data folder. */
export async function benchDatabase(embedded: boolean): Promise<BenchDatabase> {
  if (embedded) {
    const { dataDir, remove } = await newEmbeddedDataDir("bench");
    return { kind: "embedded (PGlite)", env: { RELAIS_DATA_DIR: dataDir, DATABASE_URL: "" }, drop: remove };
  }
  const db = await createTestDatabase("bench");
  const dataDir = mkdtempSync(join(tmpdir(), "relais-bench-"));
  return {
    kind: "PostgreSQL",
    env: { DATABASE_URL: db.url, RELAIS_DATA_DIR: dataDir },
    drop: async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The environment of a benchmark's Relais on `port`: rate limits lifted, private addresses allowed, no Redis. */
export function benchEnv(db: BenchDatabase, port: number, extra: Record<string, string> = {}): Record<string, string> {
  const mediaDir = mkdtempSync(join(tmpdir(), "relais-bench-media-"));
  return {
    ...db.env,
    PORT: String(port),
    RELAIS_ORIGIN: `http://127.0.0.1:${port}`,
    RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
    RELAIS_INBOX_RATE_LIMIT: "1000000",
    RELAIS_API_AUTH_FAILURE_LIMIT: "1000000",
    RELAIS_MEDIA_DIR: mediaDir,
    RELAIS_LOG_LEVEL: "warning",
    REDIS_URL: "",
    ...extra,
  };
}

/** Runs `fn` with a runtime over the benchmark's database (migrated), then closes it. */
export async function seed<T>(env: Record<string, string>, fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(loadConfigFromProcess({ ...process.env, ...env }), "cli", { migrations: "apply" });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

export interface RelaisServer {
  readonly pid: number;
  readonly port: number;
  readonly origin: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM and wait; with `cpuProfileDir`, the profile written there on exit. */
  stop(): Promise<string | undefined>;
}

/** `relais start` on `env`'s PORT; resolves when it listens. `nodeFlags` go to Node (e.g. --cpu-prof). */
export async function startRelais(env: Record<string, string>, opts: { cpuProfileDir?: string; nodeFlags?: string[] } = {}): Promise<RelaisServer> {
  const flags = [...(opts.nodeFlags ?? []), ...(opts.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfileDir}`] : [])];
  const child = spawn(process.execPath, [...flags, main, "start"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  });
  const started = Date.now();
  while (!/listening on port/.test(out)) {
    if (child.exitCode !== null) throw new Error(`relais start exited with ${child.exitCode}:\n${out}`);
    if (Date.now() - started > 180_000) throw new Error(`relais start not ready after 180 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = Number(env.PORT);
  return {
    pid: child.pid as number,
    port,
    origin: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        await exited;
        clearTimeout(timer);
      }
      if (!opts.cpuProfileDir) return undefined;
      const file = readdirSync(opts.cpuProfileDir).find((f) => f.endsWith(".cpuprofile"));
      return file ? join(opts.cpuProfileDir, file) : undefined;
    },
  };
}

export { freePort };

/** A bare Express 5 hello world in its own process (the floor of every read): its port and pid. */
export async function startHelloWorld(): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const script = fileURLToPath(new URL("./hello-server.ts", import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  while (!/port (\d+)/.test(out)) {
    if (child.exitCode !== null) throw new Error(`the hello world exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port: Number(/port (\d+)/.exec(out)?.[1]),
    pid: child.pid as number,
    async stop() {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}
