import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import type { ActionKitService } from "./actionkit.service.ts";
import { sortedJson } from "./actionkit.record.ts";
import type { ActionKitView, RemoteCountOutcome } from "./actionkit.types.ts";
import { capReportedCounts } from "./count-guard.ts";
import { adoptedFromElsewhere, deletedCopiesToTell, forgetCountsSent, forgetRemoteCopy, knownRemoteCopy, markCountsSent, storeRemoteCounts } from "./network-counts.ts";

/**
 * The counts of kits that cross servers (ADR 0032, 0035, 0036), for the federation layer's exchange:
 * as an origin, what other servers report for their copies of our kits (kept, capped, forgotten when
 * a copy is deleted); as an adopter, our copies' counts and deletions still to tell their origins.
 * The kits' pages read the sums through `ActionKitService.counts`.
 */
export class KitReportService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #kits: ActionKitService;

  constructor(em: EntityManager, urls: Urls, kits: ActionKitService) {
    this.#em = em;
    this.#urls = urls;
    this.#kits = kits;
  }

  /**
   * Counts another server reported for its copy of one of our published kits (the federation layer
   * checked the signature and, for a copy not known yet, that the copy names this kit as its origin).
   * At most one report per copy per `minIntervalMs`.
   */
  async receiveRemoteCounts(
    kitId: string,
    copy: { apId: string; actorApId?: string | undefined },
    counts: Record<string, number>,
    minIntervalMs: number,
  ): Promise<RemoteCountOutcome> {
    const kit = await this.#kits.load(kitId);
    if (!kit?.published || kit.deletedAt) return { ok: false, reason: "unknown-kit" };
    // Increases beyond what a server's counter can take in the time since its last report wait for later reports (ADR 0036).
    const keep = (previous: Record<string, number> | undefined, elapsedMs: number) => capReportedCounts(previous, counts, elapsedMs).kept;
    const stored = await storeRemoteCounts(this.#em.fork(), kit.id, { apId: copy.apId, actorApId: copy.actorApId }, keep, new Date(), minIntervalMs);
    return stored.ok ? { ok: true, created: stored.created, kept: stored.kept } : { ok: false, reason: "too-soon", retryAfterSeconds: stored.retryAfterSeconds };
  }

  /** Another server's copy of one of our kits was deleted there (its server said so, signed): its counts go. */
  async forgetRemoteCopy(kitId: string, copyApId: string): Promise<boolean> {
    return isUuid(kitId) && forgetRemoteCopy(this.#em.fork(), kitId, copyApId);
  }

  /** Whether this is a published kit of ours (not deleted). */
  async knowsKit(id: string): Promise<boolean> {
    const kit = await this.#kits.load(id);
    return kit?.published === true && !kit.deletedAt;
  }

  /** Whether this copy on another server reported counts for this kit already. */
  async knowsRemoteCopy(kitId: string, copyApId: string): Promise<boolean> {
    return isUuid(kitId) && knownRemoteCopy(this.#em.fork(), kitId, copyApId);
  }

  /** Our published kits adopted from other servers whose counts changed since their origin was last told, with their counts. */
  async countsToReport(limit: number): Promise<{ kit: ActionKitView; originApId: string; counts: Record<string, number> }[]> {
    const out: { kit: ActionKitView; originApId: string; counts: Record<string, number> }[] = [];
    for (const row of await adoptedFromElsewhere(this.#em.fork(), this.#urls.origin.origin, limit)) {
      const kit = await this.#kits.load(row.id);
      if (!kit) continue;
      const { byLanguage } = await this.#kits.counts(kit);
      if (row.sent && sortedJson(row.sent) === sortedJson(byLanguage)) await markCountsSent(this.#em.fork(), row.id, row.originApId, byLanguage, new Date());
      else out.push({ kit, originApId: row.originApId, counts: byLanguage });
    }
    return out;
  }

  /** Our copies of kits on other servers whose origins were told counts, deleted or removed with their collective, to tell them the copies are gone (ADR 0035). */
  async deletedCopiesToTell(limit: number): Promise<{ kitId: string; apId: URL; originApId: string }[]> {
    const rows = await deletedCopiesToTell(this.#em.fork(), this.#urls.origin.origin, limit);
    return rows.map((r) => ({ kitId: r.id, apId: this.#urls.actionKit(r.id), originApId: r.originApId }));
  }

  /** The origin heard that this copy is gone (or will never hear it): nothing more to tell. */
  async deletionReported(kitId: string): Promise<void> {
    await forgetCountsSent(this.#em.fork(), kitId);
  }

  /** The origin was told these counts (or refused them for good): not again until they change. */
  async countsReported(kitId: string, originApId: string, counts: Record<string, number>): Promise<void> {
    await markCountsSent(this.#em.fork(), kitId, originApId, counts, new Date());
  }
}
