import { getLogger } from "@logtape/logtape";
import type { PartnerCallBackfillService } from "../modules/call/partner-call-backfill.service.ts";
import type { PartnerCallService } from "../modules/call/partner-calls.service.ts";
import { sleepUnlessAborted } from "../shared/sleep.ts";
import { instanceIdentifier, type Urls } from "../shared/urls.ts";
import type { RelaisFederation } from "./federation.ts";
import { openCallsItems, openCallsStream, partnerCallFromArticle } from "./mappers/partner-call.mapper.ts";
import { signedGet } from "./object-proofs.ts";

const logger = getLogger(["relais", "partner-calls", "backfill"]);

/** Partners read at once: each costs at most one request's timeout (10 s, signedGet). */
const defaultMaxInFlight = 8;

export interface PartnerCallBackfillDeps {
  readonly federation: RelaisFederation;
  readonly urls: Urls;
  readonly backfills: PartnerCallBackfillService;
  readonly partnerCalls: Pick<PartnerCallService, "receive">;
  /** Whether a collective here still follows (or asked to follow) the actor. */
  readonly isListeningTo: (actorApId: string) => Promise<boolean>;
  /** Whether the actor is blocked instance-wide (nothing is fetched from it, nothing kept). */
  readonly isBlocked: (actor: URL) => Promise<boolean>;
  readonly allowPrivateAddresses: boolean;
  /** Partners read at once (8 unless told; tests). */
  readonly maxInFlight?: number;
}

/**
 * Fills the join screens with the calls a partner launched before our follow of it (FEDERATION.md "A
 * partner's open calls"). When a follow is accepted, PartnerService marks the partner due (in the
 * Accept's transaction, which nudges this); it reads the partner's actor document, then the open-calls
 * collection the actor lists in `streams` (none listed: nothing more is asked), GETs signed by the
 * instance actor, and keeps each call as a Create of it would be kept. Off the request and inbox paths,
 * bounded: one page of at most 50 calls, 10 s per request, at most 8 partners at once, each on its own
 * (a slow or silent server holds its own slot until its timeout, never the others'); a failure is tried
 * again later, a 404 or 410 ends it.
 */
export class PartnerCallBackfill {
  readonly #deps: PartnerCallBackfillDeps;
  readonly #inFlight = new Set<Promise<void>>();
  #claiming: Promise<void> | null = null;
  #again = false;
  /** Aborted once the worker stops: nothing new is started (the pools are about to end), reads in flight are cut. */
  readonly #stop = new AbortController();

  constructor(deps: PartnerCallBackfillDeps) {
    this.#deps = deps;
  }

  /**
   * Claims what is due, as far as there is room, and reads each partner on its own: a new partner never
   * waits for one being read. Concurrent calls coalesce; never throws.
   */
  nudge(): Promise<void> {
    if (this.#stop.signal.aborted) return Promise.resolve();
    if (this.#claiming) {
      this.#again = true;
      return this.#claiming;
    }
    // Cleared in a callback, never inside #claim: with no room #claim ends before its first await, and a
    // `finally` there ran before this assignment, leaving a settled promise here for ever (no claim ever
    // again, and idle() spinning on it without yielding to timers or I/O: the worker never stopped).
    const claiming: Promise<void> = this.#claim().finally(() => {
      if (this.#claiming === claiming) this.#claiming = null;
    });
    this.#claiming = claiming;
    return claiming;
  }

  async #claim(): Promise<void> {
    const max = this.#deps.maxInFlight ?? defaultMaxInFlight;
    try {
      do {
        this.#again = false;
        const room = max - this.#inFlight.size;
        if (room <= 0 || this.#stop.signal.aborted) break;
        const due = await this.#deps.backfills.claim(room);
        for (const { actorApId } of due) {
          const reading: Promise<void> = this.#one(actorApId).finally(() => {
            this.#inFlight.delete(reading);
            // Room again: what waited for it (more was due than there was room for) is taken now.
            if (due.length === room) void this.nudge();
          });
          this.#inFlight.add(reading);
        }
      } while (this.#again);
    } catch (error) {
      logger.error("partner calls backfill failed: {error}", { error: String(error) });
    }
  }

  /** Resolves once nothing is being claimed or read (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#claiming || this.#inFlight.size > 0) await Promise.allSettled([this.#claiming, ...this.#inFlight]);
  }

  /** The worker's safety net: a nudge every `intervalMs` (due rows whose nudge was lost, retries). */
  async run(signal: AbortSignal, intervalMs = 30_000): Promise<void> {
    while (!signal.aborted) {
      await this.nudge();
      await sleepUnlessAborted(intervalMs, signal);
    }
    // The reads in flight are cut (a silent server is not waited for), then their outcome is written.
    this.#stop.abort();
    await this.idle();
  }

  async #one(actorApId: string): Promise<void> {
    const { backfills } = this.#deps;
    try {
      const actor = new URL(actorApId);
      if ((await this.#deps.isBlocked(actor)) || !(await this.#deps.isListeningTo(actorApId))) return await backfills.done(actorApId);
      const ctx = this.#deps.federation.createContext(this.#deps.urls.origin, undefined);
      const opts = { allowPrivateAddresses: this.#deps.allowPrivateAddresses, signal: this.#stop.signal };
      // Only a collection the actor lists in its `streams` is read: other servers are never probed.
      const document = await signedGet(ctx, instanceIdentifier, actor, opts);
      if (!document.ok) return await this.#failed(actorApId, document);
      if (document.json.id !== actor.href) {
        await backfills.done(actorApId);
        return logger.info("open calls of {actor}: its origin answered with another actor", { actor: actorApId });
      }
      const url = openCallsStream(document.json, actor);
      if (!url) return await backfills.done(actorApId);
      const fetched = await signedGet(ctx, instanceIdentifier, url, opts);
      if (!fetched.ok) return await this.#failed(actorApId, fetched);
      if (fetched.json.id !== url.href) {
        await backfills.done(actorApId);
        return logger.info("open calls of {actor}: its origin answered with another document", { actor: actorApId });
      }
      let kept = 0;
      for (const article of openCallsItems(fetched.json)) {
        const read = partnerCallFromArticle(article, actor);
        if (read.ok && (await this.#deps.partnerCalls.receive(read.call)) !== "stale") kept++;
      }
      await backfills.done(actorApId);
      logger.info("open calls of {actor}: {kept} kept", { actor: actorApId, kept });
    } catch (error) {
      await backfills.failed(actorApId, String(error)).catch(() => false);
      logger.warn("open calls of {actor} could not be read: {error}", { actor: actorApId, error: String(error) });
    }
  }

  /** A read that failed: a 404 or 410 (nothing there) ends it, anything else is tried again later. */
  async #failed(actorApId: string, fetched: { status?: number; reason: string }): Promise<void> {
    const { backfills } = this.#deps;
    // Cut by the worker stopping: not an attempt; its lease ends and the next run reads it again.
    if (this.#stop.signal.aborted) return logger.info("open calls of {actor}: read cut, the worker stops", { actor: actorApId });
    if (fetched.status === 404 || fetched.status === 410) return await backfills.done(actorApId);
    const again = await backfills.failed(actorApId, fetched.reason);
    logger.info("open calls of {actor} not read ({reason}){retry}", { actor: actorApId, reason: fetched.reason, retry: again ? ", tried again later" : ", given up" });
  }
}
