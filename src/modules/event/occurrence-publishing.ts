import { getLogger } from "@logtape/logtape";
import type { EventSeriesService } from "./event-series.service.ts";
import { sleepUnlessAborted } from "../../shared/sleep.ts";

const logger = getLogger(["relais", "event"]);

/** How long before it starts an occurrence goes out to followers (FEDERATION.md "Recurring events"). */
export const occurrenceLeadMs = 5 * 24 * 3_600_000;

/**
 * Publishes the occurrences of recurring events that start within `leadMs` of the clock, in the worker,
 * every `intervalMs` (ten minutes by default): each occurrence goes out once, days before it.
 */
export async function publishOccurrencesAhead(
  series: Pick<EventSeriesService, "publishDue">,
  signal: AbortSignal,
  now: () => Date,
  opts: { leadMs?: number; intervalMs?: number } = {},
): Promise<void> {
  while (!signal.aborted) {
    try {
      const queued = await series.publishDue(now(), opts.leadMs ?? occurrenceLeadMs);
      if (queued > 0) logger.info("published {queued} occurrence(s) of recurring events", { queued });
    } catch (error) {
      logger.warn("could not publish the occurrences of recurring events: {error}", { error: String(error) });
    }
    await sleepUnlessAborted(opts.intervalMs ?? 10 * 60_000, signal);
  }
}
