import { getLogger } from "@logtape/logtape";
import { sleepUnlessAborted } from "../../shared/sleep.ts";
import type { PressKitService } from "./presskit.service.ts";

const logger = getLogger(["relais", "presskit"]);

/**
 * Publishes press kits whose embargo has passed, in the worker, every `intervalMs` (15 s by default):
 * a kit goes public at most that long after its embargo. Several workers may run this at once; each
 * kit is still published once (PressKitService.publishDue).
 */
export async function publishAtEmbargo(kits: Pick<PressKitService, "publishDue">, signal: AbortSignal, intervalMs = 15_000): Promise<void> {
  while (!signal.aborted) {
    try {
      const published = await kits.publishDue();
      if (published > 0) logger.info("published {published} press kit(s) whose embargo was lifted", { published });
    } catch (error) {
      logger.warn("could not publish press kits at their embargo: {error}", { error: String(error) });
    }
    await sleepUnlessAborted(intervalMs, signal);
  }
}
