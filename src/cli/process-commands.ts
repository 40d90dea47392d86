import { once } from "node:events";
import type { Server } from "node:http";
import type { Command } from "commander";
import { getLogger } from "@logtape/logtape";
import type { Config } from "../config/config.ts";
import { migrate } from "../db/orm.ts";
import { createRuntime, type Role, type Runtime } from "../runtime.ts";
import { appFor } from "../web/routers.ts";
import { listenMetrics } from "../web/http-metrics.ts";
import { startHeartbeat } from "../ops/heartbeat.ts";
import { startWatchdog } from "../ops/watchdog.ts";

const logger = getLogger(["relais", "process"]);

/**
 * How long a stopping process may take to finish its requests and queued messages in hand before it
 * exits anyway (status 1): below the orchestrator's grace period (Kubernetes: 30 s by default, the
 * chart gives 45 s). A message still in hand then is handled again once its lease runs out, as after a crash.
 */
export const shutdownGraceMs = 35_000;

/** Resolves when SIGTERM or SIGINT arrives (the first one; a second one exits at once). */
function shutdownSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (sig: string) => {
    if (controller.signal.aborted) process.exit(130);
    logger.info("{signal} received: shutting down", { signal: sig });
    setTimeout(() => {
      logger.error("still stopping after {seconds} s: exiting with work in hand (it will be taken again)", { seconds: shutdownGraceMs / 1000 });
      process.exit(1);
    }, shutdownGraceMs).unref();
    controller.abort();
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
  return controller.signal;
}

async function listen(runtime: Runtime): Promise<Server> {
  const app = appFor(runtime);
  const server = app.listen(runtime.config.port, runtime.config.host);
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : runtime.config.port;
  logger.info("listening on {host}:{port}, public origin {origin}", {
    host: runtime.config.host,
    port,
    origin: runtime.config.origin.href,
  });
  // Machine-readable line for supervisors and tests (the port matters when PORT=0).
  process.stdout.write(`relais: listening on port ${port}\n`);
  return server;
}

async function run(config: Config, role: Role): Promise<void> {
  const signal = shutdownSignal();
  const runtime = await createRuntime(config, role);
  let server: Server | undefined;
  let metricsServer: Server | undefined;
  let stopHeartbeat: (() => void) | undefined;
  const { watchdogSeconds } = runtime.config;
  // Kept until the very end: a shutdown stuck on a blocked loop is ended too.
  const stopWatchdog = watchdogSeconds > 0 ? startWatchdog({ limitSeconds: watchdogSeconds, format: runtime.config.logFormat, role: `relais ${role === "all" ? "start" : role === "web" ? "serve" : role}` }) : undefined;
  if (watchdogSeconds > 0) logger.info("watchdog on: the process ends itself if its event loop stalls {seconds} s", { seconds: watchdogSeconds });
  try {
    const { port: metricsPort, host: metricsHost } = runtime.config.metrics;
    if (metricsPort !== undefined) {
      metricsServer = await listenMetrics(runtime.metrics, metricsHost, metricsPort);
      logger.info("metrics on http://{host}:{port}/metrics", { host: metricsHost, port: metricsPort });
    }
    if (role === "all" || role === "web") server = await listen(runtime);
    if (role === "all" || role === "worker") {
      const { heartbeatFile } = runtime.config;
      stopHeartbeat = heartbeatFile ? startHeartbeat(heartbeatFile) : undefined;
      if (role === "worker") process.stdout.write("relais: worker started\n");
      await runtime.runWorker(signal);
    } else {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    }
  } finally {
    stopHeartbeat?.();
    metricsServer?.close();
    if (server) {
      const closed = new Promise((resolve) => server?.close(resolve));
      server.closeIdleConnections();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
    }
    await runtime.close();
    stopWatchdog?.();
    logger.info("stopped");
  }
}

export function registerProcessCommands(program: Command, config: () => Config): void {
  program
    .command("start")
    .description("run the web server and the worker in one process (the embedded default: no DATABASE_URL, no REDIS_URL)")
    .action(() => run(config(), "all"));
  program
    .command("serve")
    .description("run the web server only (needs DATABASE_URL, REDIS_URL recommended; run `relais worker` beside it)")
    .action(() => run(config(), "web"));
  program
    .command("worker")
    .description("run the queue worker only: deliveries, inbox processing, outbox relay (needs DATABASE_URL, REDIS_URL recommended)")
    .action(() => run(config(), "worker"));
  program
    .command("migrate")
    .description("apply pending database migrations")
    .action(async () => {
      const runtime = await createRuntime(config(), "cli", { migrations: "skip" });
      try {
        const applied = await migrate(runtime.orm);
        process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "the database is up to date\n");
      } finally {
        await runtime.close();
      }
    });
}
