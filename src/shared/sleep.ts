import { setTimeout as delay } from "node:timers/promises";

/** Waits `ms`, or less when `signal` aborts (then resolves rather than throws): the pause of a polling loop. */
export async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
