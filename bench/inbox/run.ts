// The inbox, end to end: signed Follows from remote actors to a collective (signature verified, actor
// fetched, follower stored, Accept sent back), then their Undos (follower removed), against a bare
// Fedify inbox doing the same in the same run (fedify-inbox.ts: in-memory store and queue). The time
// runs from the first POST until the followers count says every Follow, then every Undo, was handled.
//
//   node bench/inbox/run.ts               PostgreSQL (the test server)
//   node bench/inbox/run.ts --embedded    the embedded default (PGlite in the server process)
//   node bench/inbox/run.ts --embedded --thread   the same with PGlite in a worker thread (RELAIS_EMBEDDED_THREAD)
//   node bench/inbox/run.ts --quick       100 actors, 1 timed round
//   node bench/inbox/run.ts --actors 200 --rounds 3 --concurrency 8
//   node bench/inbox/run.ts --profile     a CPU profile of Relais during the timed rounds, summarised
import "../../src/temporal.ts";
import { type ChildProcess, fork, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSigningKey, type SigningKey, signedPostHeaders } from "../../tests/support/http-signatures.ts";
import { loadAverage, markdownTable, median, processCpuMicros, processMemory } from "../shared/http-load.ts";
import { monotonicMicros, profileMarkdown, summarizeProfile } from "../shared/profile-summary.ts";
import { benchDatabase, benchEnv, freePort, seed, startRelais } from "../shared/relais-server.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const quick = args.includes("--quick");
const embedded = args.includes("--embedded");
const actorCount = option("actors", quick ? 100 : 200);
const rounds = option("rounds", quick ? 1 : 3);
const concurrency = option("concurrency", 8);
const profile = args.includes("--profile");
const AS = "https://www.w3.org/ns/activitystreams";

// The remote actors.
const actorsChild: ChildProcess = fork(fileURLToPath(new URL("./actors.ts", import.meta.url)), [String(actorCount)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const replies: ((m: Record<string, unknown>) => void)[] = [];
actorsChild.on("message", (m: Record<string, unknown>) => replies.shift()?.(m));
const askActors = (message: unknown) =>
  new Promise<Record<string, unknown>>((resolve) => {
    replies.push(resolve);
    if (message !== undefined) actorsChild.send(message as string);
  });
const { port: actorsPort } = (await askActors(undefined)) as { port: number };
const actorsOrigin = `http://127.0.0.1:${actorsPort}`;
const base = await generateSigningKey(new URL(`${actorsOrigin}/users/a0#main-key`));
await askActors({ publicKeyPem: base.publicKeyPem });
const actors = Array.from({ length: actorCount }, (_, i) => ({
  id: `${actorsOrigin}/users/a${i}`,
  key: { ...base, keyId: new URL(`${actorsOrigin}/users/a${i}#main-key`) } satisfies SigningKey,
}));

// Relais.
const db = await benchDatabase(embedded);
const port = await freePort();
const thread = args.includes("--thread");
const env = benchEnv(db, port, thread ? { RELAIS_EMBEDDED_THREAD: "true" } : {});
await seed(env, async (runtime) => {
  await runtime.collectives.create({ slug: "bench", name: { fr: "Collectif" }, primaryLanguage: "fr" });
});
const profileDir = profile ? mkdtempSync(join(tmpdir(), "relais-bench-prof-")) : undefined;
const relais = await startRelais(env, profileDir ? { cpuProfileDir: profileDir } : {});

// The bare Fedify inbox.
const floorPort = await freePort();
const floor = spawn(process.execPath, [fileURLToPath(new URL("./fedify-inbox.ts", import.meta.url)), String(concurrency), String(floorPort)], { stdio: ["ignore", "pipe", "inherit"] });
let floorOut = "";
floor.stdout.on("data", (d: Buffer) => {
  floorOut += d.toString();
});
while (!/on port/.test(floorOut)) {
  if (floor.exitCode !== null) throw new Error("the Fedify inbox exited");
  await new Promise((r) => setTimeout(r, 50));
}

interface Target {
  readonly name: string;
  readonly origin: string;
  readonly pid: number;
  followers(): Promise<number>;
}
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const getJson = async (url: string, accept = "application/activity+json") => (await fetch(url, { headers: { accept } })).json() as Promise<Record<string, unknown>>;
const targets: Target[] = [
  {
    name: `Relais (${db.kind})`,
    origin: relais.origin,
    pid: relais.pid,
    followers: async () => Number((await getJson(`${relais.origin}/@bench/followers`)).totalItems),
  },
  { name: "bare Fedify inbox", origin: `http://127.0.0.1:${floorPort}`, pid: floor.pid as number, followers: async () => Number((await getJson(`http://127.0.0.1:${floorPort}/count`)).followers) },
];

/** POSTs a signed activity; a keep-alive socket the server closed meanwhile is retried once (inboxes are idempotent). */
async function post(url: URL, key: SigningKey, activity: Record<string, unknown>): Promise<number> {
  try {
    return await postOnce(url, key, activity);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ECONNRESET") throw error;
    return postOnce(url, key, activity);
  }
}

function postOnce(url: URL, key: SigningKey, activity: Record<string, unknown>): Promise<number> {
  const body = JSON.stringify(activity);
  const headers = signedPostHeaders(key, url, body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function sendAll(target: Target, make: (actor: (typeof actors)[number]) => Record<string, unknown>): Promise<void> {
  const inbox = new URL(`${target.origin}/@bench/inbox`);
  const work = [...actors];
  const bad: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let a = work.shift(); a !== undefined; a = work.shift()) {
        const status = await post(inbox, a.key, make(a));
        if (status !== 202) bad.push(status);
      }
    }),
  );
  if (bad.length > 0) throw new Error(`${target.name}: ${bad.length} POSTs not accepted (${[...new Set(bad)].join(", ")})`);
}

async function until(target: Target, count: number, timeoutMs = 600_000): Promise<void> {
  const start = Date.now();
  while ((await target.followers()) !== count) {
    if (Date.now() - start > timeoutMs) throw new Error(`${target.name}: followers never reached ${count}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One round: every actor follows, then every actor undoes; returns ms and the target's CPU ms. */
async function round(target: Target, tag: string): Promise<{ ms: number; cpuMs: number }> {
  const collective = `${target.origin}/@bench`;
  const followId = (a: (typeof actors)[number]) => `${a.id}#follows/${tag}`;
  const cpu0 = processCpuMicros(target.pid);
  const t0 = performance.now();
  await sendAll(target, (a) => ({ "@context": AS, id: followId(a), type: "Follow", actor: a.id, object: collective }));
  await until(target, actorCount);
  await sendAll(target, (a) => ({
    "@context": AS,
    id: `${followId(a)}/undo`,
    type: "Undo",
    actor: a.id,
    object: { id: followId(a), type: "Follow", actor: a.id, object: collective },
  }));
  await until(target, 0);
  return { ms: performance.now() - t0, cpuMs: (processCpuMicros(target.pid) - cpu0) / 1000 };
}

const results = new Map<string, { ms: number; cpuMs: number }[]>();
const window: [number, number] = [0, 0];
const loadBefore = loadAverage();
const memoryAtRest = processMemory(relais.pid);
try {
  // Warm-up: actors and keys fetched and cached, JIT.
  for (const t of targets) await round(t, "warm");
  window[0] = monotonicMicros();
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) results.set(t.name, [...(results.get(t.name) ?? []), await round(t, `r${r}`)]);
  }
  window[1] = monotonicMicros();
  const loadAfter = loadAverage();
  const accepts = (await askActors("accepts")) as { accepts: number; actorGets: number };
  const rate = (name: string) => (2 * actorCount) / (median((results.get(name) ?? []).map((x) => x.ms)) / 1000);
  const cpuPer = (name: string) => (median((results.get(name) ?? []).map((x) => x.cpuMs)) * 1000) / (2 * actorCount);
  const [ours, bare] = targets.map((t) => t.name) as [string, string];
  const ratio = rate(ours) / rate(bare);
  const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
  const memoryAfter = processMemory(relais.pid);
  process.stdout.write(
    `${[
      `### Inbox (${db.kind}), ${new Date().toISOString().slice(0, 16)}Z`,
      "",
      `Node ${process.version}; ${actorCount} actors follow then undo (${2 * actorCount} activities per round), ${concurrency} POSTs at once, ${rounds} timed rounds after a warm-up one (medians); load average before ${loadBefore}, after ${loadAfter}.`,
      `Accepts received by the actors' server in all: ${accepts.accepts} (both inboxes, every round); actor documents fetched: ${accepts.actorGets}. Relais RSS at rest ${mb(memoryAtRest.rss)}, after ${mb(memoryAfter.rss)} (peak ${mb(memoryAfter.hwm)}).`,
      "",
      markdownTable(
        ["inbox", "activities/s", "CPU µs/activity (the inbox's process)", "ratio to the bare Fedify inbox", "goal"],
        [
          [ours, rate(ours).toFixed(0), cpuPer(ours).toFixed(0), ratio.toFixed(2), ratio >= 0.7 ? "≥ 0.7 ok" : "≥ 0.7 missed"],
          [bare, rate(bare).toFixed(0), cpuPer(bare).toFixed(0), "1", "—"],
        ],
      ),
      "",
    ].join("\n")}\n`,
  );
} finally {
  agent.destroy();
  actorsChild.send("exit");
  floor.kill("SIGTERM");
  await once(floor, "exit");
  const profileFile = await relais.stop();
  await db.drop();
  if (profileFile) process.stderr.write(`profile: ${profileFile}\n`);
  if (profileFile) process.stdout.write(`${profileMarkdown(summarizeProfile(profileFile, 25, window), "Profile of Relais during the timed rounds")}\n`);
}
