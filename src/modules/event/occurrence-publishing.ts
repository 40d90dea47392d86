import { getLogger } from "@logtape/logtape";
import type { EventSeriesService } from "./event-series.service.ts";
import { sleepUnlessAborted } from "../../shared/sleep.ts";

const logger = getLogger(["relais", "event"]);

/**
 * How long before it starts an occurrence goes out to followers by default (FEDERATION.md "Recurring
 * events"); the instance's is `RELAIS_OCCURRENCE_LEAD_HOURS` (src/config/config.ts), given to
 * EventSeriesService.
 */
export const occurrenceLeadMs = 5 * 24 * 3_600_000;

/**
 * Publishes the occurrences of recurring events that start within the service's lead time of the clock,
 * in the worker, every `intervalMs` (ten minutes by default): each occurrence goes out once, days before it.
 */
export async function publishOccurrencesAhead(
  series: Pick<EventSeriesService, "publishDue">,
  signal: AbortSignal,
  now: () => Date,
  opts: { intervalMs?: number } = {},
): Promise<void> {
  while (!signal.aborted) {
    try {
      const queued = await series.publishDue(now());
      if (queued > 0) logger.info("published {queued} occurrence(s) of recurring events", { queued });
    } catch (error) {
      logger.warn("could not publish the occurrences of recurring events: {error}", { error: String(error) });
    }
    await sleepUnlessAborted(opts.intervalMs ?? 10 * 60_000, signal);
  }
}
