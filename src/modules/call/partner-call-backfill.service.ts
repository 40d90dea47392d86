import type { EntityManager } from "@mikro-orm/postgresql";
import { claimBackfills } from "./partner-call-backfill.repository.ts";
import { PartnerCallBackfillSchema } from "./partner-call.entity.ts";

/** Tries before a backfill is given up (the calls still arrive with their next Create or Update). */
export const backfillMaxAttempts = 5;
/** How long a claimed backfill is left to the worker reading it. */
const leaseSeconds = 60;

/**
 * The partners whose open calls are to be read once their follow is accepted (the due rows are written by
 * PartnerService.answered, in its transaction): claimed by the worker, deleted when read, and on failure
 * tried again after 1, 4, 9, 16 minutes, then given up.
 */
export class PartnerCallBackfillService {
  readonly #em: EntityManager;
  readonly #now: () => Date;

  constructor(em: EntityManager, opts: { now?: (() => Date) | undefined } = {}) {
    this.#em = em;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Up to `limit` backfills due now, claimed for this worker. */
  claim(limit: number): Promise<{ actorApId: string; attempts: number }[]> {
    return claimBackfills(this.#em.fork(), this.#now(), limit, leaseSeconds);
  }

  async done(actorApId: string): Promise<void> {
    await this.#em.fork().nativeDelete(PartnerCallBackfillSchema, { actorApId });
  }

  /** Another try later, or given up after the last one; returns whether it will be tried again. */
  async failed(actorApId: string, reason: string): Promise<boolean> {
    const em = this.#em.fork();
    const row = await em.findOne(PartnerCallBackfillSchema, { actorApId });
    if (!row) return false;
    row.attempts += 1;
    if (row.attempts >= backfillMaxAttempts) {
      em.remove(row);
      await em.flush();
      return false;
    }
    row.dueAt = new Date(this.#now().getTime() + row.attempts * row.attempts * 60_000);
    row.lastError = reason.slice(0, 500);
    await em.flush();
    return true;
  }
}
