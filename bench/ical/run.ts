// iCal feed benchmark, in one run and against lower bounds measured in the same run:
// 1. rendering: the production renderer (ical-generator, src/modules/ical) against a minimal hand-written
//    one fed the same way (the same events, instants read as epoch milliseconds, no Temporal arithmetic),
//    on 1k and 10k synthetic events (cold: fresh process, zone cache cleared; warm);
// 2. HTTP (feed-http.ts): a 304 against Express's hello world, a warm full GET against the same bytes
//    served from memory. Results go to docs/performance.md.
//   node bench/ical/run.ts            full run (~1.5–2.5 minutes)
//   node bench/ical/run.ts --quick    fewer repetitions, no child processes for first renders
//   node bench/ical/run.ts --postgres also the HTTP part on PostgreSQL (production subject and source)
//   node bench/ical/run.ts --no-http / --http-only
import "../../src/temporal.ts";
import { execFileSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import ICAL from "ical.js";
import type { PublishedEvent } from "../../src/modules/event/event.types.ts";
import { renderCalendar } from "../../src/modules/ical/ical-renderer.ts";
import { clearZoneCache, vtimezone } from "../../src/modules/ical/vtimezone.ts";
import { runHttpBench } from "./feed-http.ts";
import { timeFolding } from "./folding.ts";
import { renderMinimal } from "./minimal-renderer.ts";
import { median } from "./stats.ts";
import { syntheticEvents } from "./synthetic-events.ts";

const sizes = [1000, 10_000];
const name = "Agenda des collectifs";
const languages = ["fr"];
const refreshMinutes = 60;
const now = Temporal.Instant.from("2024-12-01T00:00:00Z");

type Render = (events: readonly PublishedEvent[]) => string;

/** The VTIMEZONEs the minimal renderer gets for free, built before any timing. */
function readyMadeZones(events: readonly PublishedEvent[]): Map<string, string> {
  const years = new Map<string, [number, number]>();
  for (const e of events) {
    const from = new Date(e.startsAt.epochMilliseconds - 86_400_000).getUTCFullYear();
    const to = new Date((e.endsAt ?? e.startsAt).epochMilliseconds + 86_400_000).getUTCFullYear();
    const range = years.get(e.timezone);
    years.set(e.timezone, range === undefined ? [from, to] : [Math.min(from, range[0]), Math.max(to, range[1])]);
  }
  return new Map([...years].map(([zone, [from, to]]) => [zone, vtimezone(zone, from, to)]));
}

function renderers(events: readonly PublishedEvent[]): Record<string, Render> {
  const zones = readyMadeZones(events);
  return {
    minimal: (list) => renderMinimal(list, { name, languages, refreshMinutes }, zones),
    relais: (list) => renderCalendar(list, { name, languages, refreshMinutes, now }),
  };
}

function time(render: Render, events: readonly PublishedEvent[], clear: boolean): number {
  if (clear) clearZoneCache();
  const start = performance.now();
  const feed = render(events);
  const elapsed = performance.now() - start;
  if (feed.length === 0) throw new Error("empty feed");
  return elapsed;
}

/** In a child process: generate the events, then time the very first render (cold JIT, caches and ICU). */
function child(renderer: string, size: number): void {
  const events = syntheticEvents(size);
  const render = renderers(events)[renderer]!;
  clearZoneCache();
  process.stdout.write(String(time(render, events, true)));
}

function firstRender(renderer: string, size: number, runs: number): number {
  const script = fileURLToPath(import.meta.url);
  const values: number[] = [];
  for (let i = 0; i < runs; i++) {
    values.push(Number(execFileSync(process.execPath, [script, "--child", renderer, String(size)], { encoding: "utf8" })));
  }
  return median(values);
}

function renderBench(quick: boolean): string {
  const rows: string[][] = [];
  const foldRows: string[][] = [];
  for (const size of sizes) {
    const events = syntheticEvents(size);
    const all = renderers(events);
    const repetitions = quick ? 3 : size >= 10_000 ? 4 : 15;
    const warmups = quick || size >= 10_000 ? 1 : 5;
    // Each renderer stops after `repetitions` runs, or after 3 once it has used its time budget.
    const budgetMs = quick ? 5_000 : 8_000;
    const samples = new Map(Object.keys(all).map((label) => [label, { cleared: [] as number[], warm: [] as number[], spent: 0 }]));
    const sizes = new Map<string, number>();
    let relaisFeed = "";
    for (const [label, render] of Object.entries(all)) {
      // Check the output once: it must parse, with every event in it (parsing 12 MB takes seconds: at
      // 10k the events are counted, the same renderer's 1k output having been parsed).
      const feed = render(events);
      const parsed =
        size <= 1000
          ? new ICAL.Component(ICAL.parse(feed)).getAllSubcomponents("vevent").length
          : feed.split("BEGIN:VEVENT\r\n").length - 1;
      if (parsed !== size) throw new Error(`${label}: ${parsed} events parsed out of ${size}`);
      sizes.set(label, Buffer.byteLength(feed) / 1024);
      if (label === "relais") relaisFeed = feed;
      // Warm the JIT up, so that the timed runs measure rendering (the cold JIT is the "first render"
      // column): without it, a loaded machine leaves the larger renderer half-compiled for its few runs.
      for (let i = 0; i < warmups; i++) time(render, events, false);
    }
    // Round robin, so that the load of the machine weighs on every renderer alike.
    for (let i = 0; i < repetitions; i++) {
      for (const [label, render] of Object.entries(all)) {
        const s = samples.get(label)!;
        if (s.cleared.length >= 3 && s.spent > budgetMs) continue;
        const cleared = time(render, events, true);
        const warm = time(render, events, false);
        s.cleared.push(cleared);
        s.warm.push(warm);
        s.spent += cleared + warm;
      }
    }
    const results: Record<string, { first: number | undefined; cleared: number; warm: number; kb: number; runs: number }> = {};
    for (const label of Object.keys(all)) {
      const s = samples.get(label)!;
      results[label] = {
        first: quick ? undefined : firstRender(label, size, 3),
        cleared: median(s.cleared),
        warm: median(s.warm),
        kb: sizes.get(label)!,
        runs: s.cleared.length,
      };
    }
    const base = results["minimal"]!;
    const folding = timeFolding(relaisFeed, quick ? 3 : size >= 10_000 ? 3 : 9);
    foldRows.push([
      String(size),
      folding.icalGenerator.toFixed(1),
      folding.ours.toFixed(1),
      `${(folding.icalGenerator / base.cleared).toFixed(2)}×`,
      `${(folding.ours / base.cleared).toFixed(2)}×`,
    ]);
    for (const [label, r] of Object.entries(results)) {
      rows.push([
        String(size),
        label,
        r.first === undefined ? "–" : r.first.toFixed(1),
        r.cleared.toFixed(1),
        r.warm.toFixed(1),
        `${(r.cleared / base.cleared).toFixed(2)}×`,
        r.first === undefined || base.first === undefined ? "–" : `${(r.first / base.first).toFixed(2)}×`,
        r.kb.toFixed(0),
        String(r.runs),
      ]);
    }
  }
  const header = [
    "events",
    "renderer",
    "first render, fresh process (ms)",
    "render, zone cache cleared (ms, median)",
    "render, zone cache warm (ms, median)",
    "ratio (cleared) vs minimal",
    "ratio (first) vs minimal",
    "output (KiB)",
    "runs",
  ];
  const foldHeader = [
    "events",
    "ical-generator's foldLines (ms, median)",
    "ours (ms, median)",
    "ical-generator's vs minimal render",
    "ours vs minimal render",
  ];
  return `${markdownTable(header, rows)}\n\nFolding the relais feed's lines (the same unfolded text)\n\n${markdownTable(foldHeader, foldRows)}`;
}

function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  return [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const started = performance.now();
  process.stdout.write(`Node ${process.version}, ${process.arch}, ${os.availableParallelism()} CPUs\n\n`);
  if (!args.includes("--http-only")) process.stdout.write(`Rendering\n\n${renderBench(quick)}\n\n`);
  if (!args.includes("--no-http")) {
    const http = await runHttpBench({ events: 1000, rounds: quick ? 1 : 3, secondsPerRun: quick ? 1 : 1.5, connections: 8 });
    process.stdout.write(`${http}\n`);
    if (args.includes("--postgres")) {
      const options = { events: 1000, rounds: quick ? 1 : 3, secondsPerRun: quick ? 1 : 1.5, connections: 8, postgres: true };
      process.stdout.write(`${await runHttpBench({ ...options, coldAlso: 10_000 })}\n`);
    }
  }
  process.stdout.write(`Total: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

if (process.argv[2] === "--child") child(process.argv[3]!, Number(process.argv[4]));
else await main();
