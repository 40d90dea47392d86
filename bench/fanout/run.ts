// Fan-out: one event to the followers of a collective, end to end (the API call that publishes it, the
// outbox relay, Fedify's queue in the database, signed POSTs), against two floors measured in the same
// run on the same servers with the same bytes:
//   - a raw loop signing with node:crypto and POSTing with keep-alive (raw-sender.ts): the floor;
//   - a bare Fedify sender (fedify-sender.ts): what Fedify's own delivery path costs.
// Sizes: 200 followers on 40 servers and 10,000 followers on 500 servers (deliveries go to each server's
// shared inbox: one per server); then the same with 5 % of the servers slow (10 s answers) or down
// (connection refused): the others must have the event within 1.2× of the unimpeded time.
//
//   node bench/fanout/run.ts                 PostgreSQL (the test server), both sizes
//   node bench/fanout/run.ts --embedded      the embedded default
//   node bench/fanout/run.ts --quick         200 on 40 only, 2 repetitions
//   node bench/fanout/run.ts --sizes 200x40,10000x500 --repeat 3 --concurrency 8
//                                            (--concurrency: Relais's RELAIS_DELIVERY_CONCURRENCY and the floors')
//   node bench/fanout/run.ts --profile       a CPU profile of Relais during the timed fan-outs, summarised
//   node bench/fanout/run.ts --latency-ms 150   the good servers answer after 150 ms (a real network)
import "../../src/temporal.ts";
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { publishEvent } from "../../tests/support/fan-out.ts";
import { createEditor } from "../../tests/support/editor.ts";
import { seedFollowers } from "../../tests/support/followers.ts";
import { loadAverage, markdownTable, median, processCpuMicros, processMemory } from "../shared/http-load.ts";
import { monotonicMicros, profileMarkdown, summarizeProfile } from "../shared/profile-summary.ts";
import { benchDatabase, benchEnv, freePort, seed, startRelais } from "../shared/relais-server.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(`--${name}`) ? String(args[args.indexOf(`--${name}`) + 1]) : fallback);
const quick = args.includes("--quick");
const embedded = args.includes("--embedded");
const sizes = option("sizes", quick ? "200x40" : "200x40,10000x500")
  .split(",")
  .map((s) => s.split("x").map(Number) as [number, number]);
const repeat = Number(option("repeat", quick ? "2" : "3"));
const floorConcurrency = Number(option("concurrency", "16"));
const slowMs = Number(option("slow-ms", "10000"));
/** How long the good servers take to answer (0: at once, as loopback does). */
const latencyMs = Number(option("latency-ms", "0"));
const profile = args.includes("--profile");
const now = () => performance.timeOrigin + performance.now();

/** A child process spoken to over IPC, one question at a time. */
class Child {
  readonly child: ChildProcess;
  readonly #waiting: ((m: Record<string, unknown>) => void)[] = [];
  readonly ready: Promise<Record<string, unknown>>;
  constructor(script: string, argv: string[]) {
    this.child = fork(fileURLToPath(new URL(script, import.meta.url)), argv, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.ready = this.#next();
    this.child.on("message", (m: Record<string, unknown>) => this.#waiting.shift()?.(m));
  }
  #next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  ask(message: unknown): Promise<Record<string, unknown>> {
    const reply = this.#next();
    this.child.send(message as string);
    return reply;
  }
  stop(): void {
    this.child.send("exit");
  }
}

interface PeerSet {
  readonly label: string;
  readonly followers: number;
  readonly servers: number;
  readonly impeded: number;
  readonly peers: Child;
  readonly ports: number[];
  readonly kinds: string[];
  readonly slug: string;
}

async function startPeers(followers: number, servers: number, impeded: boolean): Promise<PeerSet> {
  const bad = impeded ? Math.max(2, Math.round(servers * 0.05)) : 0;
  const slow = Math.ceil(bad / 2);
  const peers = new Child("./peers.ts", [String(servers), String(slow), String(bad - slow), String(slowMs), String(latencyMs)]);
  const { ports, kinds } = (await peers.ready) as { ports: number[]; kinds: string[] };
  const label = `${followers.toLocaleString("en")} followers on ${servers} servers${impeded ? `, ${slow} slow and ${bad - slow} down` : ""}`;
  return { label, followers, servers, impeded: bad, peers, ports, kinds, slug: `fan-${followers}-${servers}${impeded ? "-impeded" : ""}` };
}

const sharedInboxes = (set: PeerSet) => set.ports.map((p) => `http://127.0.0.1:${p}/inbox`);

/** When half, 90 % and all of the good servers had the last activity `arrived` waited for, from `t0`. */
let lastSpread = (_t0: number) => "";

/** Waits until `expected` servers (good ones, if `goodOnly`) have `id`; returns the last arrival time. */
async function arrived(set: PeerSet, id: string, expected: number, goodOnly: boolean, timeoutMs = 600_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const a = (await set.peers.ask({ arrivals: id })) as { servers: number; goodServers: number; last: number; lastGood: number; goodFirsts: number[] };
    lastSpread = (t0) => {
      const at = (q: number) => ((a.goodFirsts[Math.min(a.goodFirsts.length - 1, Math.floor(q * a.goodFirsts.length))] ?? t0) - t0).toFixed(0);
      return `50 % at ${at(0.5)} ms, 90 % at ${at(0.9)}, all at ${at(1)}`;
    };
    if ((goodOnly ? a.goodServers : a.servers) >= expected) return goodOnly ? a.lastGood : a.last;
    if (Date.now() - start > timeoutMs) throw new Error(`${id}: only ${goodOnly ? a.goodServers : a.servers} of ${expected} servers after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Peers first (their ports name the followers), then the database, then Relais.
const sets: PeerSet[] = [];
for (const [followers, servers] of sizes) {
  sets.push(await startPeers(followers, servers, false));
  sets.push(await startPeers(followers, servers, true));
}
const db = await benchDatabase(embedded);
const port = await freePort();
const env = benchEnv(db, port, { RELAIS_DELIVERY_CONCURRENCY: String(floorConcurrency) });
console.error(`seeding ${sets.map((s) => s.label).join("; ")} (${db.kind})…`);
const token = await seed(env, async (runtime) => {
  let editor: string | undefined;
  for (const set of sets) {
    await runtime.collectives.create({ slug: set.slug, name: { fr: "Grève" }, primaryLanguage: "fr" });
    if (!editor) editor = (await createEditor(runtime, set.slug, "fan@example.org", "owner")).token;
    else await runtime.users.addMember(set.slug, "fan@example.org", "owner");
    await seedFollowers(
      runtime,
      set.slug,
      Array.from({ length: set.followers }, (_, n) => {
        const origin = `http://127.0.0.1:${set.ports[n % set.servers]}`;
        return { actor: new URL(`${origin}/users/u${n}`), sharedInbox: new URL(`${origin}/inbox`) };
      }),
    );
  }
  return editor as string;
});
const profileDir = profile ? mkdtempSync(join(tmpdir(), "relais-bench-prof-")) : undefined;
const relais = await startRelais(env, profileDir ? { cpuProfileDir: profileDir } : {});
const raw = new Child("./raw-sender.ts", []);
const fedify = new Child("./fedify-sender.ts", [String(floorConcurrency)]);
await Promise.all([raw.ready, fedify.ready]);

interface Run {
  ms: number;
  cpuMs?: number;
}
const results = new Map<string, Run[]>();
const record = (key: string, run: Run) => results.set(key, [...(results.get(key) ?? []), run]);
const loadBefore = loadAverage();
const window: [number, number] = [Number.POSITIVE_INFINITY, 0];
const memoryAtRest = processMemory(relais.pid);

try {
  // Warm-ups first (NodeInfo lookups of new servers, slow servers found out, JIT; and the bytes Relais
  // sends, for the floors), then the sizes round robin, each unimpeded run next to its impeded one, so
  // that the machine's load weighs on both alike.
  const bodies = new Map<PeerSet, string>();
  for (const set of sets) {
    const warm = await publishEvent(relais.origin, set.slug, token);
    await arrived(set, warm, set.servers - set.impeded, true);
    bodies.set(set, (await set.peers.ask({ body: warm })).body as string);
  }
  for (let r = 0; r < repeat; r++) {
    for (const [followers, servers] of sizes) {
      const pair = sets.filter((s) => s.followers === followers && s.servers === servers);
      // Relais unimpeded and impeded back to back, in turns first (the floors after both: their
      // processes' aftermath must not weigh on one side only).
      for (const set of r % 2 === 0 ? pair : [...pair].reverse()) {
        const cpu0 = processCpuMicros(relais.pid);
        const t0 = now();
        window[0] = Math.min(window[0], monotonicMicros());
        const id = await publishEvent(relais.origin, set.slug, token);
        const last = await arrived(set, id, set.servers - set.impeded, true);
        window[1] = monotonicMicros();
        const cpuMs = (processCpuMicros(relais.pid) - cpu0) / 1000;
        record(`relais ${set.label}`, { ms: last - t0, cpuMs });
        console.error(`  relais ${set.label}: ${(last - t0).toFixed(0)} ms, CPU ${cpuMs.toFixed(0)} ms (${lastSpread(t0)}; load ${loadAverage()})`);
      }
      const set = pair.find((s) => !s.impeded) as PeerSet;
      const body = bodies.get(set) as string;
      const rawRun = (await raw.ask({ inboxes: sharedInboxes(set), body, concurrency: floorConcurrency, perOrigin: 4 })) as { started: number; ended: number };
      record(`raw ${set.label}`, { ms: rawRun.ended - rawRun.started });
      const f = (await fedify.ask({ inboxes: sharedInboxes(set), body })) as { started: number; id: string };
      const fLast = await arrived(set, f.id, set.servers, false);
      record(`fedify ${set.label}`, { ms: fLast - f.started });
      console.error(`  raw ${(rawRun.ended - rawRun.started).toFixed(0)} ms, bare Fedify ${(fLast - f.started).toFixed(0)} ms`);
    }
  }
  const loadAfter = loadAverage();
  const rate = (set: PeerSet, runs: Run[] | undefined) => (set.servers - set.impeded) / (median((runs ?? []).map((r) => r.ms)) / 1000);
  const rows: string[][] = [];
  for (const set of sets.filter((s) => !s.impeded)) {
    const ours = results.get(`relais ${set.label}`);
    const floor = rate(set, results.get(`raw ${set.label}`));
    const bare = rate(set, results.get(`fedify ${set.label}`));
    const mine = rate(set, ours);
    rows.push([
      set.label,
      mine.toFixed(0),
      bare.toFixed(0),
      floor.toFixed(0),
      (mine / floor).toFixed(2),
      (bare / floor).toFixed(2),
      (mine / bare).toFixed(2),
      `${median((ours ?? []).map((r) => r.cpuMs ?? 0) ?? []).toFixed(0)} ms (${((median((ours ?? []).map((r) => r.cpuMs ?? 0)) * 1000) / set.servers).toFixed(0)} µs/delivery)`,
      mine / floor >= 0.5 ? "≥ 0.5 ok" : "≥ 0.5 missed",
    ]);
  }
  const impededRows: string[][] = [];
  for (const set of sets.filter((s) => s.impeded)) {
    const plain = sets.find((s) => !s.impeded && s.followers === set.followers && s.servers === set.servers) as PeerSet;
    const unimpeded = median((results.get(`relais ${plain.label}`) ?? []).map((r) => r.ms));
    const impeded = median((results.get(`relais ${set.label}`) ?? []).map((r) => r.ms));
    const cpu = (label: string) => median((results.get(`relais ${label}`) ?? []).map((r) => r.cpuMs ?? 0)).toFixed(0);
    impededRows.push([
      set.label,
      unimpeded.toFixed(0),
      impeded.toFixed(0),
      `${(impeded / unimpeded).toFixed(2)}×`,
      `${cpu(plain.label)} / ${cpu(set.label)}`,
      impeded / unimpeded <= 1.2 ? "≤ 1.2× ok" : "≤ 1.2× missed",
    ]);
  }
  const connections = (await sets[0]?.peers.ask("connections"))?.connections;
  const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
  const memoryAfter = processMemory(relais.pid);
  process.stdout.write(`${
    [
      `### Fan-out (${db.kind}), ${new Date().toISOString().slice(0, 16)}Z`,
      "",
      `Node ${process.version}; ${repeat} fan-outs per size after a warm-up one (medians), Relais and the floors at ${floorConcurrency} deliveries at once; servers answer after ${latencyMs} ms; load average before ${loadBefore}, after ${loadAfter}.`,
      `Relais RSS at rest ${mb(memoryAtRest.rss)}, after ${mb(memoryAfter.rss)} (peak ${mb(memoryAfter.hwm)}). TCP connections the first ${sets[0]?.servers} servers saw in all (every sender, every run): ${connections}.`,
      "",
      markdownTable(
        ["followers and servers", "Relais deliveries/s", "bare Fedify deliveries/s", "raw signer deliveries/s", "Relais ÷ raw", "Fedify ÷ raw", "Relais ÷ Fedify", "Relais CPU per fan-out", "goal"],
        rows,
      ),
      "",
      "With 5 % of the servers slow or down: time until every other server has the event.",
      "",
      markdownTable(["followers and servers", "unimpeded (ms)", "impeded (ms)", "ratio", "Relais CPU (ms), unimpeded / impeded", "goal"], impededRows),
      "",
    ].join("\n")
  }\n`);
} finally {
  raw.stop();
  fedify.stop();
  for (const set of sets) set.peers.stop();
  const profileFile = await relais.stop();
  await db.drop();
  if (profileFile) process.stderr.write(`profile: ${profileFile}\n`);
  if (profileFile) process.stdout.write(`${profileMarkdown(summarizeProfile(profileFile, 25, window), "Profile of Relais during the timed fan-outs")}\n`);
}
