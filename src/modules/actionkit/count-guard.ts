import type { CountsByLanguage } from "./network-count.entity.ts";

/**
 * How much a copy's reported total may grow per hour since its last accepted report (ADR 0036): more
 * than its server's own counter lets many people count in an hour, far less than a made-up figure.
 */
export const maxIncreasePerHour = 500;
const hourMs = 60 * 60 * 1000;

/**
 * A rough guard against overstated counts from another server: what is kept of a report, given the
 * counts kept before (none for a copy's first report) and the time since they were received. Decreases
 * are kept as reported; the increases, taken language by language in alphabetical order, are kept until
 * they add up to `maxIncreasePerHour` per hour elapsed (at least one hour's worth, and one hour's for a
 * first report); the rest is left for later reports, as counts are absolute. Pure.
 */
export function capReportedCounts(previous: CountsByLanguage | undefined, reported: CountsByLanguage, elapsedMs: number): { kept: CountsByLanguage; capped: boolean } {
  let allowance = Math.floor(maxIncreasePerHour * Math.max(1, previous ? elapsedMs / hourMs : 1));
  const kept: CountsByLanguage = {};
  let capped = false;
  for (const lang of Object.keys(reported).sort()) {
    const before = previous?.[lang] ?? 0;
    const now = reported[lang] ?? 0;
    if (now <= before) {
      kept[lang] = now;
      continue;
    }
    const increase = Math.min(now - before, allowance);
    allowance -= increase;
    if (increase < now - before) capped = true;
    if (before + increase > 0) kept[lang] = before + increase;
  }
  return { kept, capped };
}
