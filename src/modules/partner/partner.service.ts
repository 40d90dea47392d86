import { createHash } from "node:crypto";
import { getLogger } from "@logtape/logtape";
import type { EntityManager } from "@mikro-orm/postgresql";
import { forbidden, invalid, notFound } from "../../shared/errors.ts";
import type { Urls } from "../../shared/urls.ts";
import { deleteUnfollowedPartnerKits } from "../actionkit/partner-kits.ts";
import { type AuditActor, writeAudit } from "../audit/audit.writer.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { findCollectiveById, findCollectiveBySlug } from "../collective/collective.repository.ts";
import { can } from "../collective/collective.policy.ts";
import type { MediaService } from "../media/media.service.ts";
import { type OutboxRecipient, writeOutbox } from "../outbox/outbox.writer.ts";
import { type RemoteActor, RemoteActorSchema } from "../remote-actor/remote-actor.entity.ts";
import { upsertRemoteActor } from "../remote-actor/remote-actor.repository.ts";
import type { RemoteActorInfo } from "../remote-actor/remote-actor.types.ts";
import type { Principal } from "../user/user.service.ts";
import { type Partner, type PartnerEventImage, type PartnerEventRow, PartnerEventSchema, PartnerSchema } from "./partner.entity.ts";
import {
  addSource,
  announcements,
  announcementsVia,
  deleteEvents,
  deleteOrphanEvents,
  deleteSources,
  eventsOf,
  findPartnerByRef,
  imageNames,
  insertEventIfNew,
  listeningPartners,
  lockEvent,
  markAnnounced,
  partnerActorsWithInbox,
  partnersFollowing,
  partnersOf,
  partnersOfCollective,
  sourcesOfCollective,
  touchPartners,
} from "./partner.repository.ts";
import type {
  ImageFetcher,
  IncomingEvent,
  PartnerBlockCheck,
  PartnerView,
  PurgeOutcome,
  PurgeResult,
  PurgeTarget,
  ReceiveEventInput,
  ReceiveEventResult,
  RelayingCollective,
} from "./partner.types.ts";

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

const recipientOf = (a: RemoteActor): OutboxRecipient => ({ apId: a.apId, inboxUrl: a.inboxUrl, sharedInboxUrl: a.sharedInboxUrl ?? null });

const date = (i: Temporal.Instant | undefined) => (i === undefined ? null : new Date(i.epochMilliseconds));

/** What people see of an event, as column values (the hash of which tells a change from a repeat). */
function eventColumns(event: IncomingEvent, image: PartnerEventImage | null) {
  return {
    url: event.url?.href ?? null,
    name: event.name,
    summary: event.summary ?? null,
    description: event.description ?? null,
    startsAt: new Date(event.startsAt.epochMilliseconds),
    endsAt: date(event.endsAt),
    timezone: event.timezone,
    allDay: event.allDay,
    location: event.location ?? null,
    onlineUrl: event.onlineUrl ?? null,
    category: event.category ?? null,
    tags: [...event.tags],
    status: event.status,
    image,
    links: [...event.links],
    visibility: event.visibility,
  };
}

function contentHash(event: IncomingEvent): string {
  const { image, ...rest } = eventColumns(event, null);
  const seen = { ...rest, startsAt: rest.startsAt.toISOString(), endsAt: rest.endsAt?.toISOString() ?? null, image: event.image ?? null };
  return createHash("sha256").update(JSON.stringify(seen)).digest("base64url");
}

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
  readonly #media: MediaService;
  readonly #images: ImageFetcher | undefined;
  readonly #isBlocked: PartnerBlockCheck;
  readonly #onOutbox: () => void;
  readonly #onChange: () => void;

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
    },
  ) {
    this.#em = em;
    this.#urls = urls;
    this.#media = opts.media;
    this.#images = opts.images;
    this.#isBlocked = opts.isBlocked ?? (async () => false);
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#onChange = opts.onChange ?? (() => {});
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
      const removed = await this.#removePartners(em, [partner], { undoFollows: true });
      await writeAudit(em, { collectiveId: collective.id, actor: auditActor(by), action: "partner.unfollow", subject: partner.actor.apId });
      return removed.images;
    });
    await this.#removeImages(images);
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
    await em.flush();
    if (!answer.accepted) await deleteUnfollowedPartnerKits(em);
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
  async receiveEvent(input: ReceiveEventInput): Promise<ReceiveEventResult> {
    const { event, senderApId } = input;
    if (event.apId.origin === this.#urls.origin.origin) return { ok: false, reason: "our-own" };
    const concerned = [event.apId, senderApId, event.organizerId];
    const blockedFor = async (collectiveId: string | null) => (await Promise.all(concerned.map((u) => this.#isBlocked(u, collectiveId)))).some(Boolean);
    if (await blockedFor(null)) return { ok: false, reason: "blocked-domain" };
    if (input.path === "create" && senderApId.origin !== event.apId.origin) return { ok: false, reason: "not-its-origin" };
    const em0 = this.#em.fork();
    // A collective that blocks the sender, the event's server or its organiser does not get it.
    const listening: Partner[] = [];
    for (const partner of await listeningPartners(em0, senderApId.href)) {
      if (!(await blockedFor(partner.collective.id))) listening.push(partner);
    }
    // The organiser's own origin may change an event we hold even when it is not itself a partner
    // (a Mobilizon member edits the group's event).
    const held = await em0.findOne(PartnerEventSchema, { apId: event.apId.href });
    if (listening.length === 0 && !(held && input.path === "create")) return { ok: false, reason: "not-followed" };
    if (held?.deletedAt) return { ok: false, reason: "deleted" };

    const image = await this.#image(event, held?.image ?? null);
    // The organiser's name as its server gives it: known when it is a partner (or a follower) here.
    const organizerName = input.organizerName ?? (await em0.findOne(RemoteActorSchema, { apId: event.organizerId.href }))?.name ?? undefined;
    const hash = contentHash(event);
    const now = new Date();
    const outcome = await this.#em.fork().transactional(async (em) => {
      let row = await lockEvent(em, event.apId.href);
      let result: "stored" | "changed" | "unchanged" = "unchanged";
      let replacedImage: string | undefined;
      if (row === null) {
        const inserted = await insertEventIfNew(em, {
          id: crypto.randomUUID(),
          apId: event.apId.href,
          domain: event.apId.hostname.toLowerCase(),
          organizerApId: event.organizerId.href,
          organizerName: organizerName ?? null,
          ...eventColumns(event, image),
          sequence: 0,
          contentHash: hash,
          remoteUpdatedAt: date(input.remoteUpdatedAt),
          createdAt: now,
          updatedAt: now,
        });
        row = await lockEvent(em, event.apId.href);
        if (row === null) throw new Error(`partner event ${event.apId.href} vanished while being stored`);
        if (inserted) result = "stored";
      }
      if (row.deletedAt) return { result: "deleted" as const, relayed: 0, collectives: 0, unusedImage: image?.name, forwardVia: [] };
      if (result !== "stored" && row.contentHash !== hash && !olderThan(input.remoteUpdatedAt, row)) {
        if (row.image?.name && row.image.name !== image?.name) replacedImage = row.image.name;
        em.assign(row, {
          ...eventColumns(event, image),
          organizerName: organizerName ?? row.organizerName ?? null,
          sequence: row.sequence + 1,
          contentHash: hash,
          remoteUpdatedAt: date(input.remoteUpdatedAt) ?? row.remoteUpdatedAt ?? null,
          updatedAt: now,
        });
        await em.flush();
        result = "changed";
      }
      let relayed = 0;
      for (const partner of listening) {
        const added = await addSource(em, row.id, partner.id, input.path);
        // "Their new events": the partner's own (published on its origin: created by it, or announced by
        // it as a Mobilizon group does its members' events), first seen from it, and only once per
        // collective. An event of ours, or one the partner only relays, is never passed on: no loops.
        if (added && partner.relay && partner.state === "accepted" && new URL(partner.actor.apId).origin === event.apId.origin) {
          const queued = await writeOutbox(em, this.#urls.partnerAnnounce(partner.collective.slug, row.apId).href, {
            kind: "announce-partner-event",
            collectiveId: partner.collective.id,
            eventApId: row.apId,
          });
          if (queued) {
            await markAnnounced(em, row.id, partner.id);
            relayed++;
          }
        }
      }
      await touchPartners(em, listening.map((p) => p.id));
      const unusedImage = image?.name && image.name !== row.image?.name ? image.name : undefined;
      // The origin's own Update of an event our collectives relayed: their followers (who may not follow
      // the origin) get that Update forwarded, once, only when it changed something here.
      const forwardVia = result === "changed" && input.path === "create" ? await this.#relayingCollectives(em, row.id) : [];
      return { result, relayed, collectives: new Set(listening.map((p) => p.collective.id)).size, unusedImage: unusedImage ?? replacedImage, forwardVia };
    });
    if (outcome.unusedImage) await this.#removeImages([outcome.unusedImage]);
    if (outcome.result === "deleted") return { ok: false, reason: "deleted" };
    if (outcome.relayed > 0) this.#onOutbox();
    if (outcome.result !== "unchanged") this.#onChange();
    return { ok: true, outcome: outcome.result, collectives: outcome.collectives, relayed: outcome.relayed, forwardVia: outcome.forwardVia };
  }

  /** The collectives that announced this event (and have not undone it), by their slugs. */
  async #relayingCollectives(em: EntityManager, eventId: string): Promise<RelayingCollective[]> {
    const out: RelayingCollective[] = [];
    for (const a of await announcements(em, [eventId])) {
      const collective = await findCollectiveById(em, a.collectiveId);
      if (collective) out.push({ collectiveId: collective.id, slug: collective.slug });
    }
    return out;
  }

  /**
   * The event's origin deleted it: it disappears from agendas and feeds (a tombstone stays so that a
   * late Create cannot bring it back), its image goes, and relays of it are undone. Only an actor on
   * the event's origin may; returns whether an event was deleted.
   */
  async deleteEvent(senderApId: URL, eventApId: URL): Promise<boolean> {
    if (senderApId.origin !== eventApId.origin) return false;
    const outcome = await this.#em.fork().transactional(async (em) => {
      const row = await lockEvent(em, eventApId.href);
      if (!row || row.deletedAt) return null;
      const image = row.image?.name;
      row.deletedAt = new Date();
      row.updatedAt = row.deletedAt;
      row.image = null;
      row.description = null;
      await em.flush();
      const undone = await this.#undoAnnouncements(em, await announcements(em, [row.id]));
      return { image, undone };
    });
    if (!outcome) return false;
    if (outcome.image) await this.#removeImages([outcome.image]);
    if (outcome.undone > 0) this.#onOutbox();
    this.#onChange();
    return true;
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
  async purgeWithin(em: EntityManager, target: PurgeTarget, collectiveId: string | null, opts: { undoFollows?: boolean } = {}): Promise<PurgeOutcome> {
    const partners = (await partnersOf(em, target)).filter((p) => collectiveId === null || p.collective.id === collectiveId);
    const removed = await this.#removePartners(em, partners, { undoFollows: opts.undoFollows ?? true });
    if (collectiveId === null) {
      const events = await eventsOf(em, target);
      const ids = events.map((e) => e.id);
      const undone = await this.#undoAnnouncements(em, await announcements(em, ids));
      const deleted = await deleteEvents(em, ids);
      return { partners: partners.length, events: deleted + removed.events, images: [...removed.images, ...imageNames(events.map((e) => e.image))], undone, followsUndone: opts.undoFollows !== false ? partners.length : 0 };
    }
    const sources = await sourcesOfCollective(em, collectiveId, target);
    const undone = await this.#undoAnnouncements(em, sources.filter((s) => s.announced).map((s) => ({ collectiveId, eventApId: s.eventApId })));
    await deleteSources(em, sources.map((s) => s.id));
    const orphans = await deleteOrphanEvents(em);
    return {
      partners: partners.length,
      events: removed.events + orphans.count,
      images: [...removed.images, ...orphans.images],
      undone,
      followsUndone: opts.undoFollows !== false ? partners.length : 0,
    };
  }

  /** What a purge leaves to do once its transaction has committed: image files, the relay's nudge, feed caches. */
  async afterPurge(outcome: PurgeOutcome): Promise<void> {
    await this.#removeImages(outcome.images);
    if (outcome.undone > 0 || outcome.followsUndone > 0) this.#onOutbox();
    if (outcome.events > 0 || outcome.partners > 0) this.#onChange();
    logger.info("purged {partners} partner follow(s) and {events} partner event(s)", { partners: outcome.partners, events: outcome.events });
  }

  /** Removes partner rows (their sources go with them), undoing their relays; orphaned events go too. */
  async #removePartners(em: EntityManager, partners: readonly Partner[], opts: { undoFollows: boolean }): Promise<{ events: number; images: string[] }> {
    if (partners.length === 0) return { events: 0, images: [] };
    await this.#undoAnnouncements(em, await announcementsVia(em, partners.map((p) => p.id)));
    for (const p of partners) {
      if (opts.undoFollows) {
        await writeOutbox(em, this.#urls.undoOf(p.followActivityId).href, {
          kind: "undo-follow-partner",
          collectiveId: p.collective.id,
          partner: recipientOf(p.actor),
          followActivityId: p.followActivityId,
        });
      }
    }
    await em.nativeDelete(PartnerSchema, { id: { $in: partners.map((p) => p.id) } });
    await deleteUnfollowedPartnerKits(em);
    const orphans = await deleteOrphanEvents(em);
    return { events: orphans.count, images: orphans.images };
  }

  async #undoAnnouncements(em: EntityManager, list: readonly { collectiveId: string; eventApId: string }[]): Promise<number> {
    let n = 0;
    for (const a of list) {
      const collective = await findCollectiveById(em, a.collectiveId);
      if (!collective) continue;
      const announceId = this.#urls.partnerAnnounce(collective.slug, a.eventApId).href;
      if (await writeOutbox(em, this.#urls.undoOf(announceId).href, { kind: "undo-announce-partner-event", collectiveId: a.collectiveId, eventApId: a.eventApId })) n++;
    }
    return n;
  }

  /** The event's image as we keep it: fetched and re-encoded once per source URL, or not shown. */
  async #image(event: IncomingEvent, held: PartnerEventImage | null): Promise<PartnerEventImage | null> {
    const wanted = event.image;
    if (!wanted) return null;
    if (held?.sourceUrl === wanted.url) return { ...held, alt: wanted.alt };
    let name: string | undefined;
    let mediaType: string | undefined;
    // Nothing is fetched from a server blocked instance-wide.
    if (this.#images && URL.canParse(wanted.url) && !(await this.#isBlocked(new URL(wanted.url), null))) {
      try {
        const bytes = await this.#images.fetch(new URL(wanted.url));
        const stored = bytes ? await this.#media.storeImage(bytes) : undefined;
        if (stored?.ok) {
          name = stored.image.name;
          mediaType = stored.image.mediaType;
        } else if (stored) {
          logger.debug("a partner event's image was not kept: {reason}", { reason: stored.reason });
        }
      } catch (error) {
        logger.debug("a partner event's image could not be fetched: {error}", { error: String(error) });
      }
    }
    return { name, mediaType, sourceUrl: wanted.url, alt: wanted.alt };
  }

  async #removeImages(names: readonly string[]): Promise<void> {
    for (const name of names) {
      try {
        await this.#media.remove(name);
      } catch (error) {
        logger.warn("could not remove the image {name}: {error}", { name, error: String(error) });
      }
    }
  }
}

/** Whether an Update says it is older than what we applied (servers that give `updated`). */
function olderThan(updated: Temporal.Instant | undefined, row: PartnerEventRow): boolean {
  return updated !== undefined && row.remoteUpdatedAt != null && updated.epochMilliseconds < row.remoteUpdatedAt.getTime();
}
