// Memory of the embedded server (`relais start` on PGlite, the default), at rest and under load:
// resident memory from /proc (sampled every 250 ms for the peak) and, from inside the process (probe.ts),
// V8's heap, the memory outside it ("external": PGlite's WebAssembly memory, Buffers) and ArrayBuffers,
// after a full garbage collection where it says so (what is retained, not garbage not yet collected).
// The load: 8 connections reading the actor, an event (AS2) and WebFinger, while an event goes to
// 2,000 followers on 100 servers every 3 s.
//
//   node bench/memory/run.ts                     ~2 minutes
//   node bench/memory/run.ts --seconds 60        a longer load
//   node bench/memory/run.ts --thread            PGlite in a worker thread (RELAIS_EMBEDDED_THREAD)
import "../../src/temporal.ts";
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { publishEvent } from "../../tests/support/fan-out.ts";
import { createEditor } from "../../tests/support/editor.ts";
import { seedFollowers } from "../../tests/support/followers.ts";
import { load, loadAverage, markdownTable, processMemory, rawRequest } from "../shared/http-load.ts";
import { benchDatabase, benchEnv, freePort, seed, startRelais } from "../shared/relais-server.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(`--${name}`) ? String(args[args.indexOf(`--${name}`) + 1]) : fallback);
const seconds = Number(option("seconds", "30"));
const thread = args.includes("--thread");
const probeFlag = `--import=${fileURLToPath(new URL("./probe.ts", import.meta.url))}`;

// The followers' servers (bench/fanout/peers.ts): 100 of them, answering at once.
const peers: ChildProcess = fork(fileURLToPath(new URL("../fanout/peers.ts", import.meta.url)), ["100"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const { ports } = await new Promise<{ ports: number[] }>((resolve) => peers.once("message", (m) => resolve(m as { ports: number[] })));

const platformFetch = globalThis.fetch;
const db = await benchDatabase(true);
const port = await freePort();
const probeDir = mkdtempSync(join(tmpdir(), "relais-bench-memory-"));
const env = benchEnv(db, port, { ...(thread ? { RELAIS_EMBEDDED_THREAD: "true" } : {}), RELAIS_BENCH_PROBE_DIR: probeDir });
console.error(`seeding 2,000 followers on 100 servers (${db.kind}${thread ? ", PGlite in a worker thread" : ""})…`);
const { token, eventId } = await seed(env, async (runtime) => {
  await runtime.collectives.create({ slug: "memoire", name: { fr: "Mémoire" }, primaryLanguage: "fr" });
  const editor = await createEditor(runtime, "memoire", "memory@example.org", "owner");
  await seedFollowers(
    runtime,
    "memoire",
    Array.from({ length: 2000 }, (_, n) => {
      const origin = `http://127.0.0.1:${ports[n % ports.length]}`;
      return { actor: new URL(`${origin}/users/u${n}`), sharedInbox: new URL(`${origin}/inbox`) };
    }),
  );
  const { event } = await runtime.events.create(editor.principal, "memoire", {
    name: { fr: "Assemblée" },
    startsAt: "2030-03-08T10:00",
    timezone: "Europe/Paris",
    onlineUrl: "https://meet.example/a",
    published: true,
  });
  return { token: editor.token, eventId: event.id };
});

// Seeding went through a runtime, which bounds this process's fetch like the server's: the API calls
// below may wait longer than its deadlines while the server is under load.
globalThis.fetch = platformFetch;
const relais = await startRelais(env, { nodeFlags: ["--expose-gc", probeFlag] });
const mb = (b: number) => (b / 1048576).toFixed(0);

/** Asks the probe in Relais for its figures (after a full GC with `gc`). */
async function probe(gc: boolean): Promise<{ usage: NodeJS.MemoryUsage; heap: { malloced_memory: number } }> {
  const file = join(probeDir, "probe.json");
  rmSync(file, { force: true });
  if (gc) writeFileSync(join(probeDir, "gc"), "");
  else rmSync(join(probeDir, "gc"), { force: true });
  process.kill(relais.pid, "SIGUSR2");
  const started = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - started > 30_000) throw new Error("the probe did not answer");
    await new Promise((r) => setTimeout(r, 50));
  }
  const figures = JSON.parse(readFileSync(file, "utf8"));
  unlinkSync(file);
  return figures;
}

const rows: string[][] = [];
async function row(phase: string, gc: boolean, peakRss?: number): Promise<void> {
  const p = await probe(gc);
  const rss = processMemory(relais.pid).rss;
  rows.push([
    phase,
    mb(rss),
    peakRss === undefined ? "" : mb(peakRss),
    mb(p.usage.heapUsed),
    mb(p.usage.heapTotal),
    mb(p.usage.external - p.usage.arrayBuffers),
    mb(p.usage.arrayBuffers),
    mb(p.heap.malloced_memory),
  ]);
}

const loadBefore = loadAverage();
try {
  await new Promise((r) => setTimeout(r, 10_000));
  await row("at rest, 10 s after start", true);
  // Under load.
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, processMemory(relais.pid).rss);
  }, 250);
  const stopAt = Date.now() + seconds * 1000;
  const fanOuts = (async () => {
    let n = 0;
    while (Date.now() < stopAt) {
      await publishEvent(relais.origin, "memoire", token);
      n++;
      await new Promise((r) => setTimeout(r, 3000));
    }
    return n;
  })();
  // Awaited after the reads: without a handler now, a failed publication would end this process
  // before `finally` stops the server and the peers.
  fanOuts.catch(() => {});
  const as2 = { Accept: "application/activity+json" };
  const requests = [rawRequest("/@memoire", as2), rawRequest(`/events/${eventId}`, as2), rawRequest(`/.well-known/webfinger?resource=acct:memoire@127.0.0.1:${port}`)];
  let i = 0;
  const reads = await load({ port, raw: () => requests[i++ % requests.length] as Buffer, expected: 200, ms: seconds * 1000, connections: 8 });
  const published = await fanOuts;
  clearInterval(sampler);
  await row(`end of ${seconds} s of load (${reads.requests} reads, ${published} fan-outs of 100 deliveries)`, false, peak);
  await row("the same, after a full GC", true);
  await new Promise((r) => setTimeout(r, 15_000));
  await row("15 s later, after a full GC", true);
  process.stdout.write(
    `${[
      `### Memory of the embedded server${thread ? " (PGlite in a worker thread)" : ""}, ${new Date().toISOString().slice(0, 16)}Z`,
      "",
      `Node ${process.version}; load average before ${loadBefore}, after ${loadAverage()}. MB = MiB. "Outside V8's heap" is Node's external memory minus ArrayBuffers: PGlite's WebAssembly memory above all.`,
      "",
      markdownTable(["when", "RSS", "peak RSS", "V8 heap used", "V8 heap total", "outside V8's heap", "ArrayBuffers", "malloc (V8)"], rows),
      "",
    ].join("\n")}\n`,
  );
} finally {
  peers.send("exit");
  await relais.stop();
  await db.drop();
  rmSync(probeDir, { recursive: true, force: true });
}
