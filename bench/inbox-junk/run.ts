// Memory and logs of the embedded server (`relais start`, PGlite, everything in one process) under a
// flood of junk to its shared inbox (issue 13, defect 5: it peaked at 921 MB in 90 s).
//
//   node bench/inbox-junk/run.ts                      # 60 s, 64 connections, rate limits lifted
//   node bench/inbox-junk/run.ts --seconds 90 --concurrency 128
//   node bench/inbox-junk/run.ts --default-limits     # with the default per-origin inbox rate limit
//   node bench/inbox-junk/run.ts --inbox-concurrency 1024   # (nearly) without the inbox admission bound
//   node bench/inbox-junk/run.ts --control            # the same connections on GET /healthz
//
// The lower bound is the same server, idle, in the same run: what the flood adds is peak − idle. The
// junk is what a stranger can send without any key: unsigned or badly signed activities, bodies at and
// over the size cap, invalid JSON, 10,000 nested arrays, NUL characters, cross-origin ids, a `@context`
// that never answers and a key on a host that refuses connections.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const seconds = option("seconds", 60);
const inboxConcurrency = option("inbox-concurrency", 0); // RELAIS_INBOX_CONCURRENCY; 0: the default
const concurrency = option("concurrency", 64);
const defaultLimits = args.includes("--default-limits");
// --skip <words>: leave out the junk whose name contains them (to see what each kind costs)
const skip = args.includes("--skip") ? String(args[args.indexOf("--skip") + 1]) : undefined;

const AS = "https://www.w3.org/ns/activitystreams";
const MAX_BODY = 1_048_576; // the default RELAIS_MAX_INBOX_BODY_BYTES

function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

// A server of JSON-LD contexts that never answers.
const hang = createServer(() => {}).listen(0, "127.0.0.1");
await once(hang, "listening");
const hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/context`;

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), "relais-junk-"));
// --relais <path of bin/relais.js>: measure another checkout (e.g. an older commit) with the same flood.
const bin = args.includes("--relais") ? String(args[args.indexOf("--relais") + 1]) : new URL("../../bin/relais.js", import.meta.url).pathname;
const child = spawn(process.execPath, [bin, "start"], {
  env: {
    ...process.env,
    PORT: String(port),
    RELAIS_ORIGIN: origin,
    RELAIS_DATA_DIR: dataDir,
    RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
    RELAIS_LOG_LEVEL: "info",
    ...(defaultLimits ? {} : { RELAIS_INBOX_RATE_LIMIT: "1000000" }),
    ...(inboxConcurrency > 0 ? { RELAIS_INBOX_CONCURRENCY: String(inboxConcurrency) } : {}),
    DATABASE_URL: "",
    REDIS_URL: "",
  },
  stdio: ["ignore", "pipe", "pipe"],
});
let logBytes = 0;
let logLines = 0;
let stdout = "";
let counting = false;
const lineKinds = new Map<string, number>();
child.stderr.on("data", (d: Buffer) => {
  logBytes += d.length;
  const lines = d.toString().split("\n").slice(0, -1);
  logLines += lines.length;
  if (!counting) return;
  for (const line of lines) {
    // "2026-… +00:00 [INF] relais·inbox: inbox POST /inbox refused: 400 unstorable" → level, category, words
    const kind = line.replace(/^\S+ \S+ /, "").replace(/\d+/g, "N").slice(0, 90);
    lineKinds.set(kind, (lineKinds.get(kind) ?? 0) + 1);
  }
});
child.stdout.on("data", (d: Buffer) => {
  stdout += d.toString();
});
const started = Date.now();
while (!/listening on port/.test(stdout)) {
  if (child.exitCode !== null) throw new Error(`relais start exited with ${child.exitCode}`);
  if (Date.now() - started > 120_000) throw new Error("relais start not ready after 120 s");
  await new Promise((r) => setTimeout(r, 200));
}
const pid = child.pid as number;
await new Promise((r) => setTimeout(r, 3_000)); // let start-up settle
// Start-up (initdb, migrations) peaks higher than anything after: reset the kernel's high-water mark.
writeFileSync(`/proc/${pid}/clear_refs`, "5");
const idle = rssOf(pid);
const logsAtStart = { bytes: logBytes, lines: logLines };
counting = true;

const id = () => `http://127.0.0.9/activities/${Math.random().toString(36).slice(2)}`;
const follow = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ "@context": AS, id: id(), type: "Follow", actor: "http://127.0.0.9/users/x", object: `${origin}/@x`, ...extra });
const fakeSignature = 'keyId="http://127.0.0.9:9/users/x#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAAA"';
const big = follow({ summary: "x".repeat(MAX_BODY - 300) });
const junk: { name: string; body: () => string; signed?: boolean; get?: string }[] = [
  { name: "unsigned Follow", body: () => follow() },
  { name: "badly signed Follow (key host refuses connections)", body: () => follow(), signed: true },
  { name: "invalid JSON", body: () => `{"type": "Follow", ${"x".repeat(200)}` },
  { name: "10,000 nested [", body: () => `{"@context":"${AS}","type":"Follow","tag":${"[".repeat(10_000)}${"]".repeat(10_000)}}` },
  { name: "NUL in a string", body: () => follow({ content: "a\u0000b" }) },
  { name: "body just under the cap", body: () => big, signed: true },
  { name: "body over the cap", body: () => `${big}${" ".repeat(2_000)}` },
  { name: "cross-origin @id", body: () => JSON.stringify({ "@context": AS, "@id": `${origin}/x`, type: "Delete", actor: "http://127.0.0.9/users/x", object: "http://127.0.0.9/users/x" }), signed: true },
  { name: "@context that never answers", body: () => follow({ "@context": [AS, hangUrl] }), signed: true },
];

// --control: the same connections asking GET /healthz, the cheapest answer the server gives.
if (args.includes("--control")) junk.splice(0, junk.length, { name: "GET /healthz (control)", body: () => "", get: "/healthz" });
if (skip) junk.splice(0, junk.length, ...junk.filter((j) => !j.name.includes(skip)));
const results = new Map<string, { count: number; statuses: Map<string, number>; ms: number[] }>();
let peak = idle;
const sampler = setInterval(() => {
  const now = rssOf(pid);
  if (now.rss > peak.rss) peak = now;
}, 250);

const deadline = Date.now() + seconds * 1000;
let turn = 0;
async function worker(): Promise<void> {
  while (Date.now() < deadline) {
    const kind = junk[turn++ % junk.length] as (typeof junk)[number];
    const t = performance.now();
    let status: string;
    try {
      const response = await fetch(`${origin}${kind.get ?? "/inbox"}`, {
        method: kind.get ? "GET" : "POST",
        headers: { "content-type": "application/activity+json", date: new Date().toUTCString(), ...(kind.signed ? { signature: fakeSignature } : {}) },
        body: kind.get ? null : kind.body(),
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      status = String(response.status);
    } catch (error) {
      status = (error as Error).name;
    }
    const r = results.get(kind.name) ?? { count: 0, statuses: new Map<string, number>(), ms: [] as number[] };
    r.count++;
    r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
    r.ms.push(performance.now() - t);
    results.set(kind.name, r);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
clearInterval(sampler);
await new Promise((r) => setTimeout(r, 2_000));
const after = rssOf(pid);
const hwm = after.hwm;

const print = (line: string) => process.stdout.write(`${line}\n`);
const total = [...results.values()].reduce((n, r) => n + r.count, 0);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
print(
  `\nrelais start (embedded), ${seconds} s, ${concurrency} connections, ${defaultLimits ? "default inbox rate limit" : "rate limits lifted"}, RELAIS_INBOX_CONCURRENCY ${inboxConcurrency || "default"}`,
);
print("| junk | requests | answers | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- |");
for (const [name, r] of results) {
  const answers = [...r.statuses].map(([s, n]) => `${s}×${n}`).join(" ");
  print(`| ${name} | ${r.count} | ${answers} | ${pct(r.ms, 0.5).toFixed(0)} | ${pct(r.ms, 0.99).toFixed(0)} |`);
}
const lines = logLines - logsAtStart.lines;
const bytes = logBytes - logsAtStart.bytes;
print(`\nrequests: ${total} (${(total / seconds).toFixed(0)}/s)`);
print(`memory: idle ${mb(idle.rss)}; peak RSS during the flood ${mb(Math.max(peak.rss, hwm))} (kernel high-water mark ${mb(hwm)}); 2 s after ${mb(after.rss)}`);
print(`flood adds at most ${mb(Math.max(peak.rss, hwm) - idle.rss)} over the same server idle`);
print("log lines by kind:");
for (const [kind, n] of [...lineKinds].sort((a, b) => b[1] - a[1]).slice(0, 12)) print(`  ${n}\t${kind}`);
print(`logs: ${lines} lines, ${(bytes / 1024).toFixed(0)} KiB for ${total} requests (${(lines / total).toFixed(2)} lines and ${(bytes / total).toFixed(0)} bytes per request)`);

child.kill("SIGTERM");
await once(child, "exit");
hang.closeAllConnections();
hang.close();
rmSync(dataDir, { recursive: true, force: true });
