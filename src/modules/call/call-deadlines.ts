import { getLogger } from "@logtape/logtape";
import { sleepUnlessAborted } from "../../shared/sleep.ts";
import type { CallService } from "./call.service.ts";

const logger = getLogger(["relais", "call"]);

/**
 * Closes open calls whose signing deadline has passed, in the worker, every `intervalMs` (a minute by
 * default): a call is closed at most that long after its deadline, and the closing goes out to
 * followers like an editor's.
 */
export async function closeCallsAtDeadline(calls: Pick<CallService, "closeDue">, signal: AbortSignal, intervalMs = 60_000): Promise<void> {
  while (!signal.aborted) {
    try {
      const closed = await calls.closeDue();
      if (closed > 0) logger.info("closed {closed} call(s) whose signing deadline passed", { closed });
    } catch (error) {
      logger.warn("could not close calls at their deadline: {error}", { error: String(error) });
    }
    await sleepUnlessAborted(intervalMs, signal);
  }
}

/** Writes the batched "new signatories" notes of open calls, in the worker, every `intervalMs` (ten minutes by default). */
export async function noteNewSignatoriesPeriodically(calls: Pick<CallService, "noteNewSignatories">, signal: AbortSignal, now: () => Date, intervalMs = 10 * 60_000): Promise<void> {
  while (!signal.aborted) {
    try {
      const written = await calls.noteNewSignatories(now());
      if (written > 0) logger.info("wrote {written} note(s) naming new signatories", { written });
    } catch (error) {
      logger.warn("could not write the new signatories' notes: {error}", { error: String(error) });
    }
    await sleepUnlessAborted(intervalMs, signal);
  }
}
