/**
 * The embedded PostgreSQL's host in a worker thread: PGlite (its WebAssembly PostgreSQL) and its
 * socket server run there, so their CPU work leaves the server's own thread free for HTTP and the
 * queue. The main thread starts it with `startEmbeddedThread` and talks to it over the same unix
 * socket as before; nothing else changes (embedded-postgres.ts; ADR 0023).
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

interface ThreadInput {
  readonly pgliteDir: string;
  readonly socketPath: string;
  readonly maxConnections: number;
  readonly sharedBuffersMb: number;
}

type ThreadMessage = { kind: "ready" } | { kind: "failed"; message: string } | { kind: "stopped" };

/** Starts PGlite and its socket server in a worker thread; resolves once the socket listens. */
export async function startEmbeddedThread(input: ThreadInput): Promise<{ stop(): Promise<void> }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: input });
  const next = () =>
    new Promise<ThreadMessage>((resolve, reject) => {
      const onMessage = (m: ThreadMessage) => {
        worker.off("error", onError);
        worker.off("exit", onExit);
        resolve(m);
      };
      const onError = (e: Error) => {
        worker.off("message", onMessage);
        worker.off("exit", onExit);
        reject(e);
      };
      const onExit = (code: number) => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        reject(new Error(`the embedded database's thread exited with ${code}`));
      };
      worker.once("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
    });
  const first = await next();
  if (first.kind !== "ready") {
    await worker.terminate();
    throw new Error(first.kind === "failed" ? first.message : "the embedded database's thread did not start");
  }
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        const stopped = next().catch(() => ({ kind: "stopped" }) as const);
        worker.postMessage("stop");
        await stopped;
        await worker.terminate();
      })();
      return stopping;
    },
  };
}

/** In the worker thread: open the database, serve it, stop on "stop". */
async function serve(input: ThreadInput): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const [{ PGlite }, { PGLiteSocketServer }, { guardSession, pgliteStartParams }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite-socket"),
    import("./embedded-postgres.ts"),
  ]);
  let db: InstanceType<typeof PGlite> | undefined;
  let server: InstanceType<typeof PGLiteSocketServer> | undefined;
  try {
    db = await PGlite.create({ dataDir: input.pgliteDir, startParams: pgliteStartParams(input.sharedBuffersMb) });
    server = new PGLiteSocketServer({ db: guardSession(db), path: input.socketPath, maxConnections: input.maxConnections });
    await server.start();
  } catch (error) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    port.postMessage({ kind: "failed", message: String((error as Error)?.message ?? error) } satisfies ThreadMessage);
    return;
  }
  const [openDb, openServer] = [db, server];
  port.on("message", async (message) => {
    if (message !== "stop") return;
    try {
      await openServer.stop();
      await openDb.close();
    } finally {
      port.postMessage({ kind: "stopped" } satisfies ThreadMessage);
    }
  });
  port.postMessage({ kind: "ready" } satisfies ThreadMessage);
}

// No top-level await: the worker's import of embedded-postgres.ts comes back to this module.
if (!isMainThread && (workerData as ThreadInput | undefined)?.socketPath) {
  serve(workerData as ThreadInput).catch((error: unknown) => {
    parentPort?.postMessage({ kind: "failed", message: String((error as Error)?.message ?? error) } satisfies ThreadMessage);
  });
}
