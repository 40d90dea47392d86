import type { EntityManager } from "@mikro-orm/postgresql";
import type { KitCountDetail } from "./actionkit.types.ts";
import { ActionKitCountSentSchema, ActionKitRemoteCountSchema, type CountsByLanguage } from "./network-count.entity.ts";

/**
 * A report `r` counts while the collective its copy is attributed to follows (pending or accepted) the
 * collective of the kit it reports for (ADR 0035): an unfollow, a Reject, a block, a Delete of that actor
 * or its inbox gone all remove the follow, and its counts stop counting. A copy that last reported before
 * its collective was kept (null) counts until it reports again.
 */
const stillFollowing = `(r."copy_actor_ap_id" is null or exists (
  select 1 from "follower" f join "remote_actor" ra on ra."id" = f."actor_id" join "action_kit" ck on ck."id" = r."kit_id"
  where ra."ap_id" = r."copy_actor_ap_id" and f."collective_id" = ck."collective_id"))`;

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
     select 'elsewhere', e."key", sum(e."value"::bigint)::bigint from "action_kit_remote_count" r, jsonb_each_text(r."counts") e where r."kit_id" in (select "id" from kits) and ${stillFollowing} group by e."key"`,
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
     where r."kit_id" in (select k."id" from "action_kit" k where k."id" = ? or (k."origin_ap_id" = ? and k."deleted_at" is null)) and ${stillFollowing}
     order by r."copy_ap_id"`,
    [kitId, apId],
  );
  return rows.map((r) => ({
    copyApId: r.copy_ap_id,
    counts: typeof r.counts === "string" ? (JSON.parse(r.counts) as CountsByLanguage) : r.counts,
    receivedAt: new Date(r.received_at),
  }));
}

/** Reports of copies summed per server (the copies' host), its languages in order, most letters first (ADR 0032). */
export function reportsByServer(reports: readonly { copyApId: string; counts: CountsByLanguage; receivedAt: Date }[]): KitCountDetail["servers"] {
  const servers = new Map<string, { server: string; copies: number; total: number; byLanguage: CountsByLanguage; lastReportAt: Temporal.Instant }>();
  for (const r of reports) {
    const server = new URL(r.copyApId).host;
    const at = Temporal.Instant.fromEpochMilliseconds(r.receivedAt.getTime());
    const s = servers.get(server) ?? { server, copies: 0, total: 0, byLanguage: {}, lastReportAt: at };
    s.copies += 1;
    for (const [lang, n] of Object.entries(r.counts)) {
      s.byLanguage[lang] = (s.byLanguage[lang] ?? 0) + n;
      s.total += n;
    }
    if (Temporal.Instant.compare(at, s.lastReportAt) > 0) s.lastReportAt = at;
    servers.set(server, s);
  }
  return [...servers.values()]
    .map((s) => ({ ...s, byLanguage: Object.fromEntries(Object.entries(s.byLanguage).sort(([x], [y]) => x.localeCompare(y))) }))
    .sort((x, y) => y.total - x.total || x.server.localeCompare(y.server));
}

/** Whether another server's copy already reported counts for this kit (it was checked then, and its collective kept). */
export async function knownRemoteCopy(em: EntityManager, kitId: string, copyApId: string): Promise<boolean> {
  return (await em.count(ActionKitRemoteCountSchema, { kit: kitId, copyApId, copyActorApId: { $ne: null } })) > 0;
}

/** Forgets what another server reported for its copy of a kit (the copy was deleted there); whether there was anything. */
export async function forgetRemoteCopy(em: EntityManager, kitId: string, copyApId: string): Promise<boolean> {
  return (await em.nativeDelete(ActionKitRemoteCountSchema, { kit: kitId, copyApId })) > 0;
}

/**
 * Keeps what another server reports for its copy of a kit: what `keep` makes of its counts (given the
 * counts kept before, none for a first report, and the time since) replaces the last ones (a report is
 * absolute, so a repeated one changes nothing). A copy reports at most once per `minIntervalMs`: an
 * earlier report is refused with the seconds to wait.
 */
export async function storeRemoteCounts(
  em: EntityManager,
  kitId: string,
  copy: { apId: string; actorApId: string | undefined },
  keep: (previous: CountsByLanguage | undefined, elapsedMs: number) => CountsByLanguage,
  now: Date,
  minIntervalMs: number,
): Promise<{ ok: true; created: boolean; kept: CountsByLanguage } | { ok: false; retryAfterSeconds: number }> {
  return em.transactional(async (tx) => {
    const rows = await tx.execute<{ id: string; counts: CountsByLanguage | string; received_at: Date }[]>(
      `select "id", "counts", "received_at" from "action_kit_remote_count" where "kit_id" = ? and "copy_ap_id" = ? for update`,
      [kitId, copy.apId],
    );
    const row = rows[0];
    if (!row) {
      const kept = keep(undefined, 0);
      tx.create(ActionKitRemoteCountSchema, { kit: kitId, copyApId: copy.apId, copyActorApId: copy.actorApId ?? null, counts: kept, receivedAt: now });
      await tx.flush();
      return { ok: true as const, created: true, kept };
    }
    const elapsed = now.getTime() - new Date(row.received_at).getTime();
    if (elapsed < minIntervalMs) return { ok: false as const, retryAfterSeconds: Math.ceil((minIntervalMs - elapsed) / 1000) };
    const kept = keep(typeof row.counts === "string" ? (JSON.parse(row.counts) as CountsByLanguage) : row.counts, elapsed);
    await tx.execute(`update "action_kit_remote_count" set "counts" = ?, "received_at" = ?, "copy_actor_ap_id" = coalesce(?, "copy_actor_ap_id") where "id" = ?`, [
      JSON.stringify(kept),
      now,
      copy.actorApId ?? null,
      row.id,
    ]);
    return { ok: true as const, created: false, kept };
  });
}

/** A LIKE pattern for every URL on our origin. */
const ourUrls = (ourOrigin: string) => `${ourOrigin.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;

/** Our published kits adopted from another server (`origin` is not ours), oldest report first, to report their counts. */
export async function adoptedFromElsewhere(em: EntityManager, ourOrigin: string, limit: number): Promise<{ id: string; originApId: string; sent: CountsByLanguage | null }[]> {
  const rows = await em.execute<{ id: string; origin_ap_id: string; counts: CountsByLanguage | string | null }[]>(
    `select k."id", k."origin_ap_id", s."counts" from "action_kit" k left join "action_kit_count_sent" s on s."kit_id" = k."id"
     where k."published" and k."deleted_at" is null and k."origin_ap_id" is not null and k."origin_ap_id" not like ?
     order by s."sent_at" asc nulls first, k."id" limit ?`,
    [ourUrls(ourOrigin), limit],
  );
  return rows.map((r) => ({ id: r.id, originApId: r.origin_ap_id, sent: typeof r.counts === "string" ? (JSON.parse(r.counts) as CountsByLanguage) : r.counts }));
}

/**
 * Our copies of kits on another server whose origin was told their counts and that are gone here: deleted
 * (`deleted_at`), or removed with their collective (the sent row kept, its link set to null). The origin
 * must hear they are gone (ADR 0035).
 */
export async function deletedCopiesToTell(em: EntityManager, ourOrigin: string, limit: number): Promise<{ id: string; originApId: string }[]> {
  const rows = await em.execute<{ id: string; origin_ap_id: string }[]>(
    `select s."copy_kit_id" as "id", s."origin_ap_id" from "action_kit_count_sent" s left join "action_kit" k on k."id" = s."kit_id"
     where (s."kit_id" is null or k."deleted_at" is not null) and s."origin_ap_id" not like ?
     order by s."sent_at" asc, s."copy_kit_id" limit ?`,
    [ourUrls(ourOrigin), limit],
  );
  return rows.map((r) => ({ id: r.id, originApId: r.origin_ap_id }));
}

/** The origin heard that our copy is gone (or cannot hear it): nothing more to tell it. */
export async function forgetCountsSent(em: EntityManager, copyKitId: string): Promise<void> {
  await em.nativeDelete(ActionKitCountSentSchema, { copyKitId });
}

/** Remembers what the origin was told (or that it need not be asked again until the counts change). */
export async function markCountsSent(em: EntityManager, kitId: string, originApId: string, counts: CountsByLanguage, now: Date): Promise<void> {
  await em
    .createQueryBuilder(ActionKitCountSentSchema)
    .insert({ kit: kitId, copyKitId: kitId, originApId, counts, sentAt: now })
    .onConflict(["kit"])
    .merge(["counts", "sentAt"])
    .execute();
}
