import type { EntityManager } from "@mikro-orm/postgresql";
import { ActionKitCountSentSchema, ActionKitRemoteCountSchema, type CountsByLanguage } from "./network-count.entity.ts";

/**
 * The counts of a kit across the network, per language (ADR 0032): its own opt-in count, that of the
 * kits here adopted from it, and what other servers last reported for their copies of either. Split in
 * what was counted here and what other servers reported.
 */
export async function networkCounts(em: EntityManager, kitId: string, apId: string): Promise<{ here: CountsByLanguage; elsewhere: CountsByLanguage }> {
  const rows = await em.execute<{ source: "here" | "elsewhere"; language: string; n: string | number }[]>(
    `with kits as (select k."id" from "action_kit" k where k."id" = ? or (k."origin_ap_id" = ? and k."deleted_at" is null))
     select 'here' as "source", c."language", sum(c."count")::bigint as "n" from "action_kit_count" c where c."kit_id" in (select "id" from kits) group by c."language"
     union all
     select 'elsewhere', e."key", sum(e."value"::bigint)::bigint from "action_kit_remote_count" r, jsonb_each_text(r."counts") e where r."kit_id" in (select "id" from kits) group by e."key"`,
    [kitId, apId],
  );
  const here: CountsByLanguage = {};
  const elsewhere: CountsByLanguage = {};
  for (const r of rows) (r.source === "here" ? here : elsewhere)[r.language] = Number(r.n);
  return { here, elsewhere };
}

/**
 * What another server last reported for each copy of a kit (the kit itself and the kits here adopted
 * from it, as in `networkCounts`): the copy, its counts per language and when they were received.
 */
export async function remoteCopyReports(em: EntityManager, kitId: string, apId: string): Promise<{ copyApId: string; counts: CountsByLanguage; receivedAt: Date }[]> {
  const rows = await em.execute<{ copy_ap_id: string; counts: CountsByLanguage | string; received_at: Date | string }[]>(
    `select r."copy_ap_id", r."counts", r."received_at" from "action_kit_remote_count" r
     where r."kit_id" in (select k."id" from "action_kit" k where k."id" = ? or (k."origin_ap_id" = ? and k."deleted_at" is null))
     order by r."copy_ap_id"`,
    [kitId, apId],
  );
  return rows.map((r) => ({
    copyApId: r.copy_ap_id,
    counts: typeof r.counts === "string" ? (JSON.parse(r.counts) as CountsByLanguage) : r.counts,
    receivedAt: new Date(r.received_at),
  }));
}

/** Whether another server's copy already reported counts for this kit (it was checked then). */
export async function knownRemoteCopy(em: EntityManager, kitId: string, copyApId: string): Promise<boolean> {
  return (await em.count(ActionKitRemoteCountSchema, { kit: kitId, copyApId })) > 0;
}

/**
 * Keeps what another server reports for its copy of a kit: its counts replace the last ones (a report
 * is absolute, so a repeated one changes nothing). A copy reports at most once per `minIntervalMs`: an
 * earlier report is refused with the seconds to wait.
 */
export async function storeRemoteCounts(
  em: EntityManager,
  kitId: string,
  copyApId: string,
  counts: CountsByLanguage,
  now: Date,
  minIntervalMs: number,
): Promise<{ ok: true; created: boolean } | { ok: false; retryAfterSeconds: number }> {
  return em.transactional(async (tx) => {
    const rows = await tx.execute<{ id: string; received_at: Date }[]>(
      `select "id", "received_at" from "action_kit_remote_count" where "kit_id" = ? and "copy_ap_id" = ? for update`,
      [kitId, copyApId],
    );
    const row = rows[0];
    if (!row) {
      tx.create(ActionKitRemoteCountSchema, { kit: kitId, copyApId, counts, receivedAt: now });
      await tx.flush();
      return { ok: true as const, created: true };
    }
    const wait = new Date(row.received_at).getTime() + minIntervalMs - now.getTime();
    if (wait > 0) return { ok: false as const, retryAfterSeconds: Math.ceil(wait / 1000) };
    await tx.execute(`update "action_kit_remote_count" set "counts" = ?, "received_at" = ? where "id" = ?`, [JSON.stringify(counts), now, row.id]);
    return { ok: true as const, created: false };
  });
}

/** Our published kits adopted from another server (`origin` is not ours), oldest report first, to report their counts. */
export async function adoptedFromElsewhere(em: EntityManager, ourOrigin: string, limit: number): Promise<{ id: string; originApId: string; sent: CountsByLanguage | null }[]> {
  const rows = await em.execute<{ id: string; origin_ap_id: string; counts: CountsByLanguage | string | null }[]>(
    `select k."id", k."origin_ap_id", s."counts" from "action_kit" k left join "action_kit_count_sent" s on s."kit_id" = k."id"
     where k."published" and k."deleted_at" is null and k."origin_ap_id" is not null and k."origin_ap_id" not like ?
     order by s."sent_at" asc nulls first, k."id" limit ?`,
    [`${ourOrigin.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`, limit],
  );
  return rows.map((r) => ({ id: r.id, originApId: r.origin_ap_id, sent: typeof r.counts === "string" ? (JSON.parse(r.counts) as CountsByLanguage) : r.counts }));
}

/** Remembers what the origin was told (or that it need not be asked again until the counts change). */
export async function markCountsSent(em: EntityManager, kitId: string, counts: CountsByLanguage, now: Date): Promise<void> {
  await em
    .createQueryBuilder(ActionKitCountSentSchema)
    .insert({ kit: kitId, counts, sentAt: now })
    .onConflict(["kit"])
    .merge(["counts", "sentAt"])
    .execute();
}
