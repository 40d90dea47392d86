import type { EntityManager } from "@mikro-orm/postgresql";
import { notFound } from "../../shared/errors.ts";
import { instanceIdentifier, type Urls } from "../../shared/urls.ts";
import { findCollectiveBySlug } from "../collective/collective.repository.ts";
import { type AuditActor, writeAudit } from "../audit/audit.writer.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import { findRemoteActor, touchRemoteActor, upsertRemoteActor } from "../remote-actor/remote-actor.repository.ts";
import type { Recipient, RemoteActorInfo } from "../remote-actor/remote-actor.types.ts";
import type { FollowerState } from "./follower.entity.ts";
import {
  countAcceptedFollows,
  deleteActorAndFollows,
  deleteFollow,
  deleteFollowByActivityId,
  deleteFollowsByInbox,
  findFollow,
  followerAddresses,
  followsOf,
  staleFollowerActors,
  upsertFollow,
} from "./follower.repository.ts";

/** What a follow is for: a collective, or the instance actor (`collectiveId` null, slug `relais.instance`). */
interface FollowTarget {
  readonly collectiveId: string | null;
  readonly slug: string;
  readonly manuallyApprovesFollowers: boolean;
}

export type ReceiveFollowResult =
  | { ok: true; state: FollowerState; created: boolean; answerQueued: boolean }
  | { ok: false; reason: "unknown-collective" | "blocked" };

/** Whether an actor is blocked for a collective (null: the instance), read in the caller's transaction. */
export type BlockCheck = (em: EntityManager, actor: URL, collectiveId: string | null) => Promise<boolean>;

export interface FollowerView {
  readonly actorApId: string;
  readonly handle: string | null;
  readonly state: FollowerState;
  readonly since: Date;
}

export class FollowerService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #isBlocked: BlockCheck;
  /** Called after a transaction that queued outbox rows has committed. */
  readonly #onOutbox: () => void;

  /** Whether following the instance actor waits for an operator (configuration). */
  readonly instanceManuallyApprovesFollowers: boolean;

  constructor(
    em: EntityManager,
    urls: Urls,
    opts: { isBlocked?: BlockCheck; onOutbox?: () => void; instanceManuallyApprovesFollowers?: boolean } = {},
  ) {
    this.#em = em;
    this.#urls = urls;
    this.#isBlocked = opts.isBlocked ?? (async () => false);
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.instanceManuallyApprovesFollowers = opts.instanceManuallyApprovesFollowers ?? false;
  }

  /** The collective named `slug`, or the instance actor for `relais.instance`; null when unknown. */
  async #target(em: EntityManager, slug: string): Promise<FollowTarget | null> {
    if (slug === instanceIdentifier) {
      return { collectiveId: null, slug, manuallyApprovesFollowers: this.instanceManuallyApprovesFollowers };
    }
    const collective = await findCollectiveBySlug(em, slug);
    return collective ? { collectiveId: collective.id, slug, manuallyApprovesFollowers: collective.manuallyApprovesFollowers } : null;
  }

  /**
   * A remote actor asks to follow a collective (or the instance actor). Stored exactly once per
   * (collective, actor), whatever the number of (concurrent, replayed) Follows. With automatic approval
   * an Accept is queued for every Follow received, so a server that lost our first Accept gets another.
   * An actor blocked instance-wide or by the collective is refused, as the blocks stand now (not as a
   * cache remembers them): nothing is stored and nothing is sent.
   */
  async receiveFollow(input: { slug: string; actor: RemoteActorInfo; followActivityId: string }): Promise<ReceiveFollowResult> {
    const result = await this.#em.fork().transactional(async (em): Promise<ReceiveFollowResult> => {
      const target = await this.#target(em, input.slug);
      if (!target) return { ok: false, reason: "unknown-collective" };
      if (await this.#isBlocked(em, input.actor.apId, target.collectiveId)) return { ok: false, reason: "blocked" };
      const actor = await upsertRemoteActor(em, input.actor);
      const row = await upsertFollow(em, {
        collectiveId: target.collectiveId,
        actorId: actor.id,
        state: target.manuallyApprovesFollowers ? "pending" : "accepted",
        followActivityId: input.followActivityId,
      });
      let answerQueued = false;
      if (row.state === "accepted") {
        answerQueued = await this.#queueAnswer(em, target, "accept", input.actor.apId.href, input.followActivityId);
      }
      return { ok: true, state: row.state, created: row.created, answerQueued };
    });
    if (result.ok && result.answerQueued) this.#onOutbox();
    return result;
  }

  /** Undo(Follow): the actor stops following. Returns whether a follow existed. */
  async removeFollow(slug: string, actorApId: string): Promise<boolean> {
    const em = this.#em.fork();
    const target = await this.#target(em, slug);
    if (!target) return false;
    return deleteFollow(em, target.collectiveId, actorApId);
  }

  /**
   * Undo of a Follow known by its id: removes the follow that `actorApId` made with that Follow (the
   * latest one stored for it). Returns the collective's slug, or null when there was none.
   */
  async removeFollowByActivityId(actorApId: string, followActivityId: string): Promise<string | null> {
    const removed = await deleteFollowByActivityId(this.#em.fork(), actorApId, followActivityId);
    if (!removed) return null;
    return removed.slug ?? instanceIdentifier;
  }

  /** The actor was deleted on its server: forget every follow it had, and the actor. */
  async removeActor(actorApId: string): Promise<number> {
    return this.#em.fork().transactional((tx) => deleteActorAndFollows(tx, actorApId));
  }

  /** Removes the follows of the actors whose inbox (personal or shared) answered 410 Gone. */
  async removeByGoneInbox(inboxUrl: string, actorApIds: readonly string[]): Promise<number> {
    if (actorApIds.length === 0) return 0;
    return deleteFollowsByInbox(this.#em.fork(), inboxUrl, actorApIds);
  }

  /** Cached actors of followers and partners not fetched for `maxAgeMs`, oldest first: the worker refreshes them. */
  async staleActors(maxAgeMs: number, limit: number): Promise<string[]> {
    return staleFollowerActors(this.#em.fork(), new Date(Date.now() - maxAgeMs), limit);
  }

  /** Stores what a fresh fetch of a remote actor says (inbox, shared inbox, name…). */
  async refreshActor(info: RemoteActorInfo): Promise<void> {
    await upsertRemoteActor(this.#em.fork(), info);
  }

  /** Marks an actor as checked without changing it (its server did not answer this time). */
  async touchActor(apId: string): Promise<void> {
    await touchRemoteActor(this.#em.fork(), apId);
  }

  /** Accepts a follow request; `by` is who decided (an owner in the web interface, or the CLI), for the audit log. */
  async approve(slug: string, actorApId: string, by: AuditActor = "cli"): Promise<void> {
    await this.#decide(slug, actorApId, "accept", by);
  }

  async reject(slug: string, actorApId: string, by: AuditActor = "cli"): Promise<void> {
    await this.#decide(slug, actorApId, "reject", by);
  }

  async #decide(slug: string, actorApId: string, decision: "accept" | "reject", by: AuditActor): Promise<void> {
    await this.#em.fork().transactional(async (em) => {
      const target = await this.#target(em, slug);
      if (!target) throw notFound(`the collective "${slug}"`);
      const follow = await findFollow(em, target.collectiveId, actorApId);
      if (!follow) throw notFound(`a follow request from ${actorApId} to "${slug}"`);
      if (decision === "accept") {
        follow.state = "accepted";
      } else {
        em.remove(follow);
      }
      await em.flush();
      await this.#queueAnswer(em, target, decision, actorApId, follow.followActivityId);
      // The audit log is a collective's, for its owners; the instance actor's followers are the operator's.
      if (target.collectiveId !== null) {
        await writeAudit(em, { collectiveId: target.collectiveId, actor: by, action: decision === "accept" ? "follower.approve" : "follower.reject", subject: actorApId });
      }
    });
    this.#onOutbox();
  }

  async #queueAnswer(
    em: EntityManager,
    target: FollowTarget,
    kind: "accept" | "reject",
    followerApId: string,
    followActivityId: string,
  ): Promise<boolean> {
    const id = this.#urls.followAnswer(target.slug, kind, followActivityId).href;
    return writeOutbox(em, id, {
      kind: kind === "accept" ? "accept-follow" : "reject-follow",
      collectiveId: target.collectiveId,
      followerApId,
      followActivityId,
    });
  }

  async list(slug: string): Promise<FollowerView[]> {
    const em = this.#em.fork();
    const target = await this.#target(em, slug);
    if (!target) throw notFound(`the collective "${slug}"`);
    const rows = await followsOf(em, target.collectiveId);
    return rows.map((r) => ({ actorApId: r.actor.apId, handle: r.actor.handle ?? null, state: r.state, since: r.createdAt }));
  }

  /** Accepted followers of a collective, or of the instance actor (`null`). */
  async countAccepted(collectiveId: string | null): Promise<number> {
    return countAcceptedFollows(this.#em.fork(), collectiveId);
  }

  /** Accepted followers of a collective, or of the instance actor (`null`), for delivery. */
  async recipients(collectiveId: string | null): Promise<Recipient[]> {
    return (await followerAddresses(this.#em.fork(), collectiveId, "accepted")).map(toRecipient);
  }

  async recipient(actorApId: string): Promise<Recipient | null> {
    const a = await findRemoteActor(this.#em.fork(), actorApId);
    return a ? toRecipient(a) : null;
  }
}

function toRecipient(a: { apId: string; inboxUrl: string; sharedInboxUrl?: string | null }): Recipient {
  return {
    apId: new URL(a.apId),
    inboxUrl: new URL(a.inboxUrl),
    sharedInboxUrl: a.sharedInboxUrl ? new URL(a.sharedInboxUrl) : undefined,
  };
}
