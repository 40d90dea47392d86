import { getLogger } from "@logtape/logtape";
import type { EntityManager } from "@mikro-orm/postgresql";
import { forbidden, invalid, notFound } from "../../shared/errors.ts";
import type { Urls } from "../../shared/urls.ts";
import { deleteUnfollowedPartnerKits } from "../actionkit/partner-kits.ts";
import { scheduleBackfill } from "../call/partner-call-backfill.repository.ts";
import { deleteUnfollowedPartnerCalls } from "../call/partner-call-cleanup.ts";
import { type AuditActor, writeAudit } from "../audit/audit.writer.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { findCollectiveBySlug } from "../collective/collective.repository.ts";
import { can } from "../collective/collective.policy.ts";
import type { MediaService } from "../media/media.service.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import { upsertRemoteActor } from "../remote-actor/remote-actor.repository.ts";
import type { RemoteActorInfo } from "../remote-actor/remote-actor.types.ts";
import type { Principal } from "../user/user.service.ts";
import { PartnerImages } from "./partner-images.ts";
import { purgeWithin, recipientOf, removePartners } from "./partner-purge.ts";
import { PartnerEventReceiver } from "./partner-receiver.ts";
import { type Partner, PartnerEventSchema, PartnerSchema } from "./partner.entity.ts";
import { findPartnerByRef, listeningPartners, partnerActorsWithInbox, partnersFollowing, partnersOfCollective } from "./partner.repository.ts";
import type { ImageFetcher, PartnerBlockCheck, PartnerView, PurgeOutcome, PurgeResult, PurgeTarget, ReceiveEventInput, ReceiveEventResult } from "./partner.types.ts";

const logger = getLogger(["relais", "partner"]);

const toView = (p: Partner): PartnerView => ({
  id: p.id,
  actorApId: p.actor.apId,
  handle: p.actor.handle ?? null,
  name: p.actor.name ?? null,
  type: p.actor.type,
  state: p.state,
  relay: p.relay,
  lastActivityAt: p.lastActivityAt ?? null,
  since: p.createdAt,
});

/** Who manages partners: an owner or editor (API, web), or the operator at the CLI. */
export type PartnerManager = Principal | "cli";

const auditActor = (by: PartnerManager): AuditActor => (by === "cli" ? "cli" : { userId: by.userId, email: by.email });

/**
 * A collective's partners (remote actors it follows) and the events they bring. Following and
 * unfollowing write the partner row and the Follow/Undo to send in one transaction; received events
 * are stored once per ActivityPub id, with one row per partner that brought them; a collective that
 * relays a partner announces the partner's new events once. Moderation calls `purgeActor` and
 * `purgeDomain`.
 */
export class PartnerService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #images: PartnerImages;
  readonly #isBlocked: PartnerBlockCheck;
  readonly #onOutbox: () => void;
  readonly #onFollowAccepted: (() => void) | undefined;
  readonly #onChange: () => void;
  readonly #receiver: PartnerEventReceiver;

  constructor(
    em: EntityManager,
    urls: Urls,
    opts: {
      media: MediaService;
      /** Fetches partners' images; without it images are not shown. */
      images?: ImageFetcher | undefined;
      /** Blocks (moderation): instance-wide, or also a collective's when `collectiveId` is given. */
      isBlocked?: PartnerBlockCheck;
      onOutbox?: () => void;
      /** Partner events changed (feed caches of this process forget their versions). */
      onChange?: () => void;
      /** A follow was accepted and the backfill of the partner's calls is due (the worker may start at once). */
      onFollowAccepted?: () => void;
    },
  ) {
    this.#onFollowAccepted = opts.onFollowAccepted;
    this.#em = em;
    this.#urls = urls;
    this.#isBlocked = opts.isBlocked ?? (async () => false);
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#onChange = opts.onChange ?? (() => {});
    this.#images = new PartnerImages(opts.media, opts.images, this.#isBlocked);
    this.#receiver = new PartnerEventReceiver(em, urls, { images: this.#images, isBlocked: this.#isBlocked, onOutbox: this.#onOutbox, onChange: this.#onChange });
  }

  async #collective(em: EntityManager, slug: string): Promise<Collective> {
    const c = await findCollectiveBySlug(em, slug);
    if (!c) throw notFound(`the collective "${slug}"`);
    return c;
  }

  /** Owners and editors manage partners; the operator at the CLI (`"cli"`) manages every collective's. */
  #assertEditor(by: PartnerManager, collective: Collective): void {
    if (by !== "cli" && !can(by, "edit-events", collective.id)) throw forbidden(`you are not an editor of "${collective.slug}"`);
  }

  /** A partner of the collective by its id, actor URL or handle (`name@host`, with or without a leading @). */
  async #find(em: EntityManager, collective: Collective, ref: string): Promise<Partner> {
    const found = await findPartnerByRef(em, collective.id, ref);
    if (!found) throw notFound(`the partner "${ref}" of "${collective.slug}"`);
    return found;
  }

  async list(by: PartnerManager, slug: string): Promise<PartnerView[]> {
    const em = this.#em.fork();
    const collective = await this.#collective(em, slug);
    this.#assertEditor(by, collective);
    return (await partnersOfCollective(em, collective.id)).map(toView);
  }

  async get(by: PartnerManager, slug: string, ref: string): Promise<PartnerView> {
    const em = this.#em.fork();
    const collective = await this.#collective(em, slug);
    this.#assertEditor(by, collective);
    return toView(await this.#find(em, collective, ref));
  }

  /**
   * The collective follows `actor` (resolved by the federation layer from a handle or URL). A partner
   * already followed (or asked) stays as it is; one that rejected us is asked again, with a new Follow.
   */
  async follow(by: PartnerManager, slug: string, actor: RemoteActorInfo): Promise<{ partner: PartnerView; created: boolean }> {
    const result = await this.#em.fork().transactional(async (em) => {
      const collective = await this.#collective(em, slug);
      this.#assertEditor(by, collective);
      if (actor.apId.origin === this.#urls.origin.origin) {
        if (actor.apId.href === this.#urls.collective(slug).href) throw invalid(`"${slug}" cannot follow itself`);
      }
      if (await this.#isBlocked(actor.apId, collective.id)) {
        throw invalid(`${actor.apId.href} is blocked, on this instance or by "${slug}": lift the block first (relais block list)`, [
          { field: "actor", message: "is blocked" },
        ]);
      }
      const remote = await upsertRemoteActor(em, actor);
      const existing = await em.findOne(PartnerSchema, { collective: collective.id, actor: remote.id }, { populate: ["actor", "collective"] });
      if (existing && existing.state !== "rejected") return { partner: toView(existing), created: false };
      if (existing) {
        em.remove(existing);
        await em.flush();
      }
      const now = new Date();
      const followActivityId = this.#urls.partnerFollow(slug, remote.apId, now.getTime()).href;
      const row = em.create(PartnerSchema, {
        collective: collective.id,
        actor: remote.id,
        state: "pending",
        followActivityId,
        relay: existing?.relay ?? false,
        createdAt: now,
        updatedAt: now,
      });
      await em.flush();
      await writeOutbox(em, followActivityId, { kind: "follow-partner", collectiveId: collective.id, partner: recipientOf(remote), followActivityId });
      await writeAudit(em, { collectiveId: collective.id, actor: auditActor(by), action: "partner.follow", subject: remote.apId });
      await em.populate(row, ["actor", "collective"]);
      return { partner: toView(row), created: true };
    });
    this.#onOutbox();
    return result;
  }

  /** The collective stops following a partner: Undo(Follow), its relays undone, the events only it brought removed. */
  async unfollow(by: PartnerManager, slug: string, ref: string): Promise<void> {
    const images = await this.#em.fork().transactional(async (em) => {
      const collective = await this.#collective(em, slug);
      this.#assertEditor(by, collective);
      const partner = await this.#find(em, collective, ref);
      const removed = await removePartners(em, this.#urls, [partner], { undoFollows: true });
      await writeAudit(em, { collectiveId: collective.id, actor: auditActor(by), action: "partner.unfollow", subject: partner.actor.apId });
      return removed.images;
    });
    await this.#images.remove(images);
    this.#onOutbox();
    this.#onChange();
  }

  /** Switches "pass their new events on to our followers" for one partner. */
  async setRelay(by: PartnerManager, slug: string, ref: string, relay: boolean): Promise<PartnerView> {
    return this.#em.fork().transactional(async (em) => {
      const collective = await this.#collective(em, slug);
      this.#assertEditor(by, collective);
      const partner = await this.#find(em, collective, ref);
      if (partner.relay !== relay) {
        partner.relay = relay;
        await em.flush();
        await writeAudit(em, { collectiveId: collective.id, actor: auditActor(by), action: "partner.relay", subject: partner.actor.apId, detail: relay ? "on" : "off" });
      }
      return toView(partner);
    });
  }

  /**
   * A partner answered our Follow. Matched by the Follow's id when the answer names it, else by the
   * collective it names; only the followed actor's own answer counts. Returns the collective's slug.
   */
  async answered(answer: { actorApId: string; followActivityId?: string | undefined; collectiveApId?: string | undefined; accepted: boolean }): Promise<string | null> {
    const em = this.#em.fork();
    const partners = await partnersFollowing(em, answer.actorApId);
    const partner =
      partners.find((p) => answer.followActivityId !== undefined && p.followActivityId === answer.followActivityId) ??
      partners.find((p) => answer.collectiveApId !== undefined && this.#urls.collective(p.collective.slug).href === answer.collectiveApId);
    if (!partner) return null;
    partner.state = answer.accepted ? "accepted" : "rejected";
    partner.lastActivityAt = new Date();
    // Its calls launched before this follow: read from its origin by the worker (written in this flush).
    if (answer.accepted) await scheduleBackfill(em, answer.actorApId, new Date());
    await em.flush();
    if (answer.accepted) this.#onFollowAccepted?.();
    if (!answer.accepted) {
      await deleteUnfollowedPartnerKits(em);
      await deleteUnfollowedPartnerCalls(em);
    }
    return partner.collective.slug;
  }

  /** Whether some collective here follows (or asked to follow) this actor. */
  async isListeningTo(actorApId: string): Promise<boolean> {
    return (await listeningPartners(this.#em.fork(), actorApId)).length > 0;
  }

  /** Whether an event of this id is held (deleted or not): its origin may still change or delete it. */
  async holds(eventApId: string): Promise<boolean> {
    return (await this.#em.fork().count(PartnerEventSchema, { apId: eventApId })) > 0;
  }

  /**
   * An event from a partner: its origin's own Create or Update (`path` "create"), or a partner's
   * Announce of it (fetched from its origin by the federation layer). Stored once per ActivityPub id;
   * a change moves its SEQUENCE; each collective that listens to the sender sees it, and relays it
   * when it relays that partner and the event is the partner's own and new to it.
   */
  receiveEvent(input: ReceiveEventInput): Promise<ReceiveEventResult> {
    return this.#receiver.receiveEvent(input);
  }

  /**
   * The event's origin deleted it: it disappears from agendas and feeds (a tombstone stays so that a
   * late Create cannot bring it back), its image goes, and relays of it are undone. Only an actor on
   * the event's origin may; returns whether an event was deleted.
   */
  deleteEvent(senderApId: URL, eventApId: URL): Promise<boolean> {
    return this.#receiver.deleteEvent(senderApId, eventApId);
  }

  /**
   * Moderation: forgets everything that came from one actor — our follows of it (with an Undo when
   * `undoFollows`), the events it organises, the events only it brought — and undoes our relays of
   * them. Runs in its own transaction; image files are removed after the commit.
   */
  async purgeActor(actorApId: string, opts: { undoFollows?: boolean } = {}): Promise<PurgeResult> {
    return this.#purge({ actorApId }, opts);
  }

  /** Moderation: the same for every actor and event of a domain and its subdomains. */
  async purgeDomain(domain: string, opts: { undoFollows?: boolean } = {}): Promise<PurgeResult> {
    return this.#purge({ domain }, opts);
  }

  /**
   * The partners among `actorApIds` whose inbox or shared inbox answered 410 Gone: each is purged as
   * an actor gone for good (no Undo: nobody is there to read it).
   */
  async purgeByGoneInbox(inboxUrl: string, actorApIds: readonly string[]): Promise<PurgeResult> {
    const total = { partners: 0, events: 0 };
    for (const apId of await partnerActorsWithInbox(this.#em.fork(), inboxUrl, actorApIds)) {
      const purged = await this.purgeActor(apId, { undoFollows: false });
      total.partners += purged.partners;
      total.events += purged.events;
    }
    return total;
  }

  async #purge(target: PurgeTarget, opts: { undoFollows?: boolean }): Promise<PurgeResult> {
    const outcome = await this.#em.fork().transactional((em) => this.purgeWithin(em, target, null, { undoFollows: opts.undoFollows ?? false }));
    await this.afterPurge(outcome);
    return { partners: outcome.partners, events: outcome.events };
  }

  /**
   * Moderation, inside the caller's transaction (a block is stored, audited and purged at once). With
   * `collectiveId` null, everything from the target goes, as above; with a collective, only what that
   * collective has of it: its follows of the target (undone), what reached it from the target or
   * about the target's events (through other partners' relays too), its relays of those undone, and
   * the events no collective keeps any more. Hand the result to `afterPurge` once committed.
   */
  purgeWithin(em: EntityManager, target: PurgeTarget, collectiveId: string | null, opts: { undoFollows?: boolean } = {}): Promise<PurgeOutcome> {
    return purgeWithin(em, this.#urls, target, collectiveId, opts);
  }

  /** What a purge leaves to do once its transaction has committed: image files, the relay's nudge, feed caches. */
  async afterPurge(outcome: PurgeOutcome): Promise<void> {
    await this.#images.remove(outcome.images);
    if (outcome.undone > 0 || outcome.followsUndone > 0) this.#onOutbox();
    if (outcome.events > 0 || outcome.partners > 0) this.#onChange();
    logger.info("purged {partners} partner follow(s) and {events} partner event(s)", { partners: outcome.partners, events: outcome.events });
  }
}
