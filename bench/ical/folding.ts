// Why the feed's lines are folded by src/modules/ical/ical-text.ts rather than by ical-generator's
// calendar.toString(): both fold the same unfolded text of the production feed, round robin.
import { foldLines as icalGeneratorFoldLines } from "ical-generator";
import { foldLine } from "../../src/modules/ical/ical-text.ts";
import { median } from "./stats.ts";

/** Median milliseconds to fold `feed` (unfolded first) with ical-generator's foldLines and with ours. */
export function timeFolding(feed: string, repetitions: number): { icalGenerator: number; ours: number } {
  const unfolded = feed.replaceAll("\r\n ", "");
  const folders = { icalGenerator: icalGeneratorFoldLines, ours: (text: string) => text.split("\r\n").map(foldLine).join("\r\n") };
  const samples = { icalGenerator: [] as number[], ours: [] as number[] };
  for (let i = 0; i < repetitions; i++) {
    for (const [label, fold] of Object.entries(folders) as [keyof typeof folders, (text: string) => string][]) {
      const start = performance.now();
      const folded = fold(unfolded);
      samples[label].push(performance.now() - start);
      if (folded.length < unfolded.length) throw new Error(`${label} lost text while folding`);
    }
  }
  return { icalGenerator: median(samples.icalGenerator), ours: median(samples.ours) };
}
