import type { EntityManager } from "@mikro-orm/postgresql";
import type { Urls } from "../../shared/urls.ts";
import { findCollectiveById } from "../collective/collective.repository.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import { RemoteActorSchema } from "../remote-actor/remote-actor.entity.ts";
import { contentHash, eventColumns, olderThan, toDate } from "./partner-event-columns.ts";
import type { PartnerImages } from "./partner-images.ts";
import { undoAnnouncements } from "./partner-purge.ts";
import { type Partner, type PartnerEventRow, PartnerEventSchema } from "./partner.entity.ts";
import { addSource, announcements, insertEventIfNew, listeningPartners, lockEvent, markAnnounced, touchPartners } from "./partner.repository.ts";
import type { ForwardableActivity, PartnerBlockCheck, ReceiveEventInput, ReceiveEventResult, RelayingCollective } from "./partner.types.ts";

/**
 * Partner events as their origins and partners send them: stored once per ActivityPub id, changed
 * (SEQUENCE moved) only by their origin, relayed once per collective, deleted by their origin. Every
 * activity to send (an Announce, an Undo, a forwarded Update) is an outbox row written in the
 * transaction that stores the change.
 */
export class PartnerEventReceiver {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #images: PartnerImages;
  readonly #isBlocked: PartnerBlockCheck;
  readonly #onOutbox: () => void;
  readonly #onChange: () => void;

  constructor(em: EntityManager, urls: Urls, deps: { images: PartnerImages; isBlocked: PartnerBlockCheck; onOutbox: () => void; onChange: () => void }) {
    this.#em = em;
    this.#urls = urls;
    this.#images = deps.images;
    this.#isBlocked = deps.isBlocked;
    this.#onOutbox = deps.onOutbox;
    this.#onChange = deps.onChange;
  }

  /** See `PartnerService.receiveEvent`. */
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

    const image = await this.#images.keep(event, held?.image ?? null);
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
          remoteUpdatedAt: toDate(input.remoteUpdatedAt),
          createdAt: now,
          updatedAt: now,
        });
        row = await lockEvent(em, event.apId.href);
        if (row === null) throw new Error(`partner event ${event.apId.href} vanished while being stored`);
        if (inserted) result = "stored";
      }
      if (row.deletedAt) return { result: "deleted" as const, relayed: 0, collectives: 0, unusedImage: image?.name, forwarded: 0 };
      if (result !== "stored" && row.contentHash !== hash && !olderThan(input.remoteUpdatedAt, row)) {
        if (row.image?.name && row.image.name !== image?.name) replacedImage = row.image.name;
        em.assign(row, {
          ...eventColumns(event, image),
          organizerName: organizerName ?? row.organizerName ?? null,
          sequence: row.sequence + 1,
          contentHash: hash,
          remoteUpdatedAt: toDate(input.remoteUpdatedAt) ?? row.remoteUpdatedAt ?? null,
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
      // the origin) get that Update forwarded, once, only when it changed something here. Queued here,
      // in the transaction that stores the change, so that neither goes without the other.
      const forwarded = result === "changed" && input.path === "create" && input.forward ? await this.#queueForward(em, row, input.forward) : 0;
      return { result, relayed, collectives: new Set(listening.map((p) => p.collective.id)).size, unusedImage: unusedImage ?? replacedImage, forwarded };
    });
    if (outcome.unusedImage) await this.#images.remove([outcome.unusedImage]);
    if (outcome.result === "deleted") return { ok: false, reason: "deleted" };
    if (outcome.relayed > 0 || outcome.forwarded > 0) this.#onOutbox();
    if (outcome.result !== "unchanged") this.#onChange();
    return { ok: true, outcome: outcome.result, collectives: outcome.collectives, relayed: outcome.relayed, forwarded: outcome.forwarded };
  }

  /** Queues the forward of the origin's Update through the collectives that relayed the event; returns how many. */
  async #queueForward(em: EntityManager, row: PartnerEventRow, activity: ForwardableActivity): Promise<number> {
    const via = await this.#relayingCollectives(em, row.id);
    const first = via[0];
    if (!first) return 0;
    await writeOutbox(em, this.#urls.partnerForward(first.slug, row.apId, row.sequence).href, {
      kind: "forward-partner-update",
      collectiveId: first.collectiveId,
      via: via.map((c) => c.collectiveId),
      eventApId: row.apId,
      activity: activity.json,
      activityId: activity.id ?? null,
      activityType: activity.type,
    });
    return via.length;
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

  /** See `PartnerService.deleteEvent`. */
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
      const undone = await undoAnnouncements(em, this.#urls, await announcements(em, [row.id]));
      return { image, undone };
    });
    if (!outcome) return false;
    if (outcome.image) await this.#images.remove([outcome.image]);
    if (outcome.undone > 0) this.#onOutbox();
    this.#onChange();
    return true;
  }
}
