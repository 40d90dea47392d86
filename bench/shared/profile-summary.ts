// Reads a V8 CPU profile (node --cpu-prof) and says where the time went: by owner (Relais's own code,
// Fedify, other packages, Node and V8) and by function, self time only.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Who owns the code at `url`: "Relais: src/…", "Fedify", a package name, or "Node/V8". */
export function ownerOf(url: string, functionName: string): string {
  if (url === "") {
    if (functionName === "(garbage collector)") return "V8 garbage collector";
    if (functionName === "(idle)") return "idle";
    if (functionName === "(program)") return "V8/Node native (program)";
    return "V8/Node native";
  }
  if (url.startsWith("node:")) return "Node built-ins";
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url.replaceAll("\\", "/"));
  if (pkg) {
    const name = pkg[1] as string;
    if (name.startsWith("@fedify/")) return `Fedify (${name})`;
    return name;
  }
  const own = /\/(src|bench|tests)\/(.*)$/.exec(url);
  if (own) return `Relais: ${own[1]}/${own[2]}`;
  return url;
}

export interface ProfileSummary {
  totalMs: number;
  /** Busy time (idle excluded). */
  busyMs: number;
  byOwner: { owner: string; ms: number; share: number }[];
  byFunction: { name: string; owner: string; ms: number; share: number }[];
}

/** Monotonic clock in µs, the clock of V8's profile timestamps on Linux: to mark a window to summarise. */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** Self time by owner and function; with `window` ([from, to] in µs of `monotonicMicros`), only samples taken then. */
export function summarizeProfile(path: string, top = 20, window?: readonly [number, number]): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window[0] || at > window[1])) continue;
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + delta / 1000);
  }
  const owners = new Map<string, number>();
  const functions = new Map<string, { owner: string; ms: number }>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const owner = ownerOf(node.callFrame.url, node.callFrame.functionName);
    total += ms;
    if (owner === "idle") {
      idle += ms;
      continue;
    }
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    const file = node.callFrame.url.split("/").slice(-1)[0] ?? "";
    const key = `${node.callFrame.functionName || "(anonymous)"} ${file}:${node.callFrame.lineNumber + 1}`;
    const f = functions.get(key) ?? { owner, ms: 0 };
    f.ms += ms;
    functions.set(key, f);
  }
  const busy = total - idle;
  // Group Relais's own files together too, so the owner table stays short.
  const grouped = new Map<string, number>();
  for (const [owner, ms] of owners) {
    const key = owner.startsWith("Relais: ") ? "Relais (ours, all files)" : owner;
    grouped.set(key, (grouped.get(key) ?? 0) + ms);
  }
  return {
    totalMs: total,
    busyMs: busy,
    byOwner: [...grouped].map(([owner, ms]) => ({ owner, ms, share: ms / busy })).sort((a, b) => b.ms - a.ms),
    byFunction: [...functions]
      .map(([name, f]) => ({ name, owner: f.owner, ms: f.ms, share: f.ms / busy }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
  };
}

/** The summary as Markdown: owners above 1 %, then the top functions. */
export function profileMarkdown(summary: ProfileSummary, title: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const owners = summary.byOwner.filter((o) => o.share >= 0.01).map((o) => `| ${o.owner} | ${pct(o.share)} |`);
  const fns = summary.byFunction.map((f) => `| ${f.name.replaceAll("|", "\\|")} | ${f.owner} | ${pct(f.share)} |`);
  return [
    `#### ${title}: ${summary.busyMs.toFixed(0)} ms busy (self time)`,
    "",
    "| owner | share of busy time |",
    "| --- | --- |",
    ...owners,
    "",
    "| function (self time) | owner | share |",
    "| --- | --- | --- |",
    ...fns,
    "",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node bench/shared/profile-summary.ts <file.cpuprofile>");
    process.exit(2);
  }
  process.stdout.write(`${profileMarkdown(summarizeProfile(file, 30), file)}\n`);
}
