import { isActor, Object as AsObject } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { FollowerService } from "../modules/follower/follower.service.ts";
import { sleepUnlessAborted } from "../shared/sleep.ts";
import type { PartnerService } from "../modules/partner/partner.service.ts";
import { forgetGoneActor } from "./gone-actors.ts";
import type { CosignService } from "../modules/cosign/cosign.service.ts";
import { instanceIdentifier, type Urls } from "../shared/urls.ts";
import type { RelaisFederation } from "./federation.ts";
import { fetchErrorStatus } from "./inbox/inbox-handlers.ts";
import { remoteActorInfo } from "./mappers/collective.mapper.ts";

const logger = getLogger(["relais", "actors"]);

/** Cached actors are refreshed after a day: servers move inboxes, accounts disappear. */
export const actorMaxAgeMs = 24 * 60 * 60 * 1000;

/**
 * Keeps the cached actors of followers and partners fresh (the worker runs it every few minutes): each
 * actor not fetched for a day is fetched again, with a signed GET from the instance actor. A 410 means
 * the account is gone: its follows, our partner follows of it and the events it brought are removed
 * (gone-actors.ts); other failures (404 included) leave the cache as it was until the next day.
 */
export class ActorRefresher {
  readonly #federation: RelaisFederation;
  readonly #urls: Urls;
  readonly #followers: FollowerService;
  readonly #partners: PartnerService;
  readonly #cosign: CosignService | undefined;

  constructor(deps: { federation: RelaisFederation; urls: Urls; followers: FollowerService; partners: PartnerService; cosign?: CosignService }) {
    this.#federation = deps.federation;
    this.#urls = deps.urls;
    this.#followers = deps.followers;
    this.#partners = deps.partners;
    this.#cosign = deps.cosign;
  }

  /** Refreshes up to `limit` stale actors; returns what happened to each. */
  async refreshStale(limit = 50, maxAgeMs = actorMaxAgeMs): Promise<{ refreshed: number; removed: number; failed: number }> {
    const stale = await this.#followers.staleActors(maxAgeMs, limit);
    const result = { refreshed: 0, removed: 0, failed: 0 };
    if (stale.length === 0) return result;
    const ctx = this.#federation.createContext(this.#urls.origin, undefined);
    const documentLoader = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
    for (const apId of stale) {
      try {
        // The loader throws with the HTTP status (lookupObject would hide it behind a null).
        const { document } = await documentLoader(apId);
        const object = await AsObject.fromJsonLd(document, { documentLoader, contextLoader: ctx.contextLoader });
        const info = isActor(object) ? remoteActorInfo(object) : undefined;
        if (info && info.apId.href === apId) {
          await this.#followers.refreshActor(info);
          result.refreshed += 1;
        } else {
          await this.#followers.touchActor(apId);
          result.failed += 1;
        }
      } catch (error) {
        const status = fetchErrorStatus(error);
        // Only 410 says the account is gone for good; a 404 may be a passing misconfiguration.
        if (status === 410) {
          const gone = await forgetGoneActor({ followers: this.#followers, partners: this.#partners, cosign: this.#cosign }, apId);
          result.removed += 1;
          logger.info("an actor is gone ({status}): removed {follows} follow(s), {partners} partner follow(s), {events} partner event(s)", {
            status,
            ...gone,
          });
          logger.debug("{actor} is gone ({status})", { actor: apId, status });
        } else {
          await this.#followers.touchActor(apId);
          result.failed += 1;
        }
      }
    }
    return result;
  }

  /** Runs every `intervalMs` until the signal aborts. */
  async run(signal: AbortSignal, intervalMs = 5 * 60 * 1000): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.refreshStale();
      } catch (error) {
        logger.warn("refreshing remote actors failed: {error}", { error });
      }
      await sleepUnlessAborted(intervalMs, signal);
    }
  }
}
