import type { EntityManager } from "@mikro-orm/postgresql";
import { PartnerCallBackfillSchema } from "./partner-call.entity.ts";

/** Makes the partner's backfill due now (a new one, or one waiting for a retry: attempts start again). Flushed by the caller. */
export async function scheduleBackfill(em: EntityManager, actorApId: string, now: Date): Promise<void> {
  const existing = await em.findOne(PartnerCallBackfillSchema, { actorApId });
  if (existing) {
    existing.dueAt = now;
    existing.attempts = 0;
    existing.lastError = null;
  } else {
    em.create(PartnerCallBackfillSchema, { actorApId, dueAt: now, attempts: 0, lastError: null });
  }
}

/**
 * Claims up to `limit` due backfills in one statement: each is pushed `leaseSeconds` ahead, so another
 * worker (or the next round) leaves it while it is read.
 */
export async function claimBackfills(em: EntityManager, now: Date, limit: number, leaseSeconds: number): Promise<{ actorApId: string; attempts: number }[]> {
  const rows = await em.execute<{ actor_ap_id: string; attempts: number }[]>(
    `update "partner_call_backfill" set "due_at" = ? where "actor_ap_id" in
      (select "actor_ap_id" from "partner_call_backfill" where "due_at" <= ? order by "due_at" limit ?) returning "actor_ap_id", "attempts"`,
    [new Date(now.getTime() + leaseSeconds * 1000), now, limit],
  );
  return rows.map((r) => ({ actorApId: r.actor_ap_id, attempts: r.attempts }));
}
