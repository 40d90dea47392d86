import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { conflict, forbidden, invalid, notFound } from "../../shared/errors.ts";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import type { CallActor } from "../call/call.service.ts";
import { can } from "../collective/collective.policy.ts";
import { toPublishedEvent } from "../event/event.record.ts";
import { findEvent, findLiveEvent } from "../event/event.repository.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import {
  EventCoorganizerInvitationSchema,
  type EventCoorganizerInvitationRow,
  type EventCoorganizerRow,
  EventCoorganizerSchema,
} from "./coorganise.entity.ts";
import type { CoorganizePartner, CoorganizerInvitationView, CoorganizerView, IncomingCoorganizeStamp, Outcome } from "./coorganise.types.ts";
import type { EventDigester } from "./event-essentials.ts";

const day = 24 * 60 * 60 * 1000;
/** An invitation without an explicit end expires after this, or when the event starts if sooner. */
export const coorganizeInvitationDays = 14;
/** A declined invitation may be sent again only after this. */
export const coorganizeDeclineCooldownDays = 7;

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());
const mayEdit = (actor: CallActor, collectiveId: string) => actor === "cli" || can(actor, "edit-events", collectiveId);
type LiveEvent = NonNullable<Awaited<ReturnType<typeof findLiveEvent>>>;

/**
 * The host's side of events organised together (FEDERATION.md "Co-organised events"): invitations to
 * partner collectives on other servers, the co-organisers it verified and lists in the event's
 * `organizers`, and their reconfirmation when the time or the place changes (they stay listed, as
 * "pending", meanwhile). Every change and the activity it sends are written in one transaction; the
 * federation layer checks signatures, proofs and origins before it calls the `incoming*` methods.
 */
export class CoorganiseHostService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #digest: EventDigester;
  readonly #onOutbox: () => void;
  readonly #onChange: () => void | Promise<void>;
  readonly #now: () => Date;

  constructor(em: EntityManager, urls: Urls, opts: { digest: EventDigester; onOutbox?: () => void; onChange?: () => void | Promise<void>; now?: () => Date }) {
    this.#em = em;
    this.#urls = urls;
    this.#digest = opts.digest;
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#onChange = opts.onChange ?? (() => {});
    this.#now = opts.now ?? (() => new Date());
  }

  /** Invites a partner collective to co-organise a published event (a CoorganizeRequest). */
  async invite(actor: CallActor, eventId: string, partner: CoorganizePartner, opts: { expiresAt?: Temporal.Instant | undefined } = {}): Promise<CoorganizerInvitationView> {
    if (!isUuid(eventId)) throw notFound(`the event ${eventId}`);
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const event = await this.#editableEvent(em, actor, eventId, true);
      if (!event.published) throw conflict("a draft cannot be co-organised: publish the event before inviting co-organisers");
      if (partner.apId.href === this.#urls.collective(event.collective.slug).href) {
        throw invalid("a collective cannot invite itself to co-organise its own event", [{ field: "partner", message: "is the event's own collective" }]);
      }
      const now = this.#now();
      const digest = await this.#digest(toPublishedEvent(event, event.collective, this.#urls));
      const listed = await em.findOne(EventCoorganizerSchema, { event: event.id, partnerApId: partner.apId.href, state: { $in: ["current", "pending"] } });
      if (listed?.state === "current") throw conflict(`${partner.apId.href} co-organises this event already`);
      const previous = await em.find(EventCoorganizerInvitationSchema, { event: event.id, partnerApId: partner.apId.href }, { orderBy: { createdAt: "desc" } });
      const open = previous.find((i) => i.state === "invited" && i.expiresAt > now);
      if (open && open.digest === digest) return { view: this.#invitationView(open), queued: false };
      const declined = previous.find((i) => i.state === "declined");
      if (declined?.answeredAt && now.getTime() - declined.answeredAt.getTime() < coorganizeDeclineCooldownDays * day) {
        const again = new Date(declined.answeredAt.getTime() + coorganizeDeclineCooldownDays * day);
        throw conflict(`${partner.apId.href} declined on ${declined.answeredAt.toISOString().slice(0, 10)}: it may be invited again from ${again.toISOString().slice(0, 10)}`);
      }
      const expiresAt = this.#expiry(event, opts.expiresAt, now);
      const { row, queued } = await this.#request(em, event, { apId: partner.apId.href, inbox: partner.inboxUrl.href, sharedInbox: partner.sharedInboxUrl?.href ?? null, name: partner.name ?? null }, digest, listed ? "reconfirm" : "invite", expiresAt);
      await writeAudit(em, { collectiveId: event.collective.id, actor: actor === "cli" ? "cli" : actor, action: "event.coorganizer-invite", subject: event.id, detail: partner.apId.href });
      return { view: this.#invitationView(row), queued };
    });
    if (queued) this.#onOutbox();
    return view;
  }

  /** The invitations an event's editors sent and its co-organisers (every state): private. */
  async overview(actor: CallActor, eventId: string): Promise<{ invitations: CoorganizerInvitationView[]; coorganizers: CoorganizerView[] }> {
    if (!isUuid(eventId)) throw notFound(`the event ${eventId}`);
    const em = this.#em.fork();
    const event = await this.#editableEvent(em, actor, eventId, false);
    const invitations = await em.find(EventCoorganizerInvitationSchema, { event: event.id }, { orderBy: { createdAt: "asc" } });
    const coorganizers = await em.find(EventCoorganizerSchema, { event: event.id }, { orderBy: { createdAt: "asc" } });
    const now = this.#now();
    return { invitations: invitations.map((i) => this.#invitationView(i, now)), coorganizers: coorganizers.map((c) => this.#coorganizerView(c)) };
  }

  /** The co-organisers listed in the event's `organizers` (current and pending reconfirmation), oldest first: public. */
  async listed(eventId: string): Promise<CoorganizerView[]> {
    if (!isUuid(eventId)) return [];
    const rows = await this.#em.fork().find(EventCoorganizerSchema, { event: eventId, state: { $in: ["current", "pending"] } }, { orderBy: { createdAt: "asc" } });
    return rows.map((r) => this.#coorganizerView(r));
  }

  /** Where the listed co-organisers of an event receive its changes. */
  async recipients(eventId: string): Promise<{ apId: string; inboxUrl: string; sharedInboxUrl: string | null }[]> {
    if (!isUuid(eventId)) return [];
    const rows = await this.#em.fork().find(EventCoorganizerSchema, { event: eventId, state: { $in: ["current", "pending"] } });
    return rows.map((r) => ({ apId: r.partnerApId, inboxUrl: r.partnerInbox, sharedInboxUrl: r.partnerSharedInbox ?? null }));
  }

  /** An invitation, for the federation layer (to send it, or to match an answer to it). */
  async invitation(id: string): Promise<(CoorganizerInvitationView & { partnerInbox: string; collectiveSlug: string }) | null> {
    if (!isUuid(id)) return null;
    const row = await this.#em.fork().findOne(EventCoorganizerInvitationSchema, { id }, { populate: ["event", "event.collective"] });
    return row ? { ...this.#invitationView(row), partnerInbox: row.partnerInbox, collectiveSlug: row.event.collective.slug } : null;
  }

  /** A co-organiser row, for the federation layer (to tell it it is listed). */
  async coorganizer(id: string): Promise<(CoorganizerView & { partnerInbox: string }) | null> {
    if (!isUuid(id)) return null;
    const row = await this.#em.fork().findOne(EventCoorganizerSchema, { id });
    return row ? { ...this.#coorganizerView(row), partnerInbox: row.partnerInbox } : null;
  }

  /** Whether a stamp id is one we list or listed (a Delete of it is then worth checking). */
  async isKnownStamp(stampId: string): Promise<boolean> {
    return (await this.#em.fork().count(EventCoorganizerSchema, { stampId })) > 0;
  }

  /**
   * A co-organiser's Accept, its stamp fetched from its origin and its proof checked by the federation
   * layer. Listed when it answers an open invitation of this very collective and pins a digest the
   * host published for it; a stamp id seen before changes nothing (a revoked one is refused).
   */
  async incomingAccept(invitationId: string, stamp: IncomingCoorganizeStamp): Promise<Outcome<{ coorganizerId: string; state: "current" | "pending" }>> {
    if (!isUuid(invitationId)) return { ok: false, reason: "it answers no invitation of ours" };
    const result = await this.#em.fork().transactional(async (em): Promise<Outcome<{ coorganizerId: string; state: "current" | "pending" }> & { queued?: boolean }> => {
      const invitation = await em.findOne(EventCoorganizerInvitationSchema, { id: invitationId }, { populate: ["event", "event.collective"], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!invitation) return { ok: false, reason: "it answers no invitation of ours" };
      if (invitation.partnerApId !== stamp.partnerApId) return { ok: false, reason: "the invitation was sent to another collective" };
      const seen = await em.findOne(EventCoorganizerSchema, { stampId: stamp.stampId });
      if (seen) {
        if (seen.state === "revoked" || seen.state === "superseded") return { ok: false, reason: `that stamp is ${seen.state}: its id is never listed again` };
        return { ok: true, value: { coorganizerId: seen.id, state: seen.state } };
      }
      const event = invitation.event;
      if (event.deletedAt || !event.published) return { ok: false, reason: "the event is deleted" };
      if (invitation.state !== "invited") return { ok: false, reason: `the invitation is ${invitation.state}` };
      if (invitation.expiresAt <= this.#now()) return { ok: false, reason: "the invitation has expired" };
      if (stamp.digest !== invitation.digest) return { ok: false, reason: "the stamp pins another time or place than the invitation's" };
      // Accepted an older time or place while the event moved on: listed, and asked to reconfirm.
      const now = await this.#digest(toPublishedEvent(event, event.collective, this.#urls));
      const state = now === stamp.digest ? "current" : "pending";
      for (const old of await em.find(EventCoorganizerSchema, { event: event.id, partnerApId: stamp.partnerApId, state: { $in: ["current", "pending"] } })) old.state = "superseded";
      const row = em.create(EventCoorganizerSchema, {
        event: event.id,
        invitation: invitation.id,
        partnerApId: stamp.partnerApId,
        partnerInbox: invitation.partnerInbox,
        partnerSharedInbox: invitation.partnerSharedInbox,
        partnerName: invitation.partnerName,
        stampId: stamp.stampId,
        digest: stamp.digest,
        stamp: stamp.document,
        state,
        createdAt: this.#now(),
        verifiedAt: this.#now(),
      });
      invitation.state = "accepted";
      invitation.answeredAt = this.#now();
      await em.flush();
      let queued = await writeOutbox(em, `${this.#urls.eventCoorganizers(event.id).href}#add-${row.id}`, { kind: "coorganize-listed", collectiveId: event.collective.id, coorganizerId: row.id });
      // The co-organisers already listed learn the new `organizers` (an Update of the event).
      queued = (await this.#organizersChanged(em, event.id, event.collective.id, `listed-${row.id}`)) || queued;
      if (state === "pending") queued = (await this.#reconfirm(em, event, row, now)) || queued;
      return { ok: true, value: { coorganizerId: row.id, state }, queued };
    });
    if (result.ok) await this.#onChange();
    if ("queued" in result && result.queued) this.#onOutbox();
    return result.ok ? { ok: true, value: result.value } : result;
  }

  /** A collective declined (Reject of the invitation): private, nothing is sent. */
  async incomingDecline(invitationId: string, partnerApId: string): Promise<Outcome> {
    if (!isUuid(invitationId)) return { ok: false, reason: "it answers no invitation of ours" };
    return this.#em.fork().transactional(async (em) => {
      const invitation = await em.findOne(EventCoorganizerInvitationSchema, { id: invitationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!invitation || invitation.partnerApId !== partnerApId) return { ok: false, reason: "it answers no invitation of ours to that collective" };
      if (invitation.state !== "invited") return { ok: true, value: undefined };
      invitation.state = "declined";
      invitation.answeredAt = this.#now();
      await em.flush();
      return { ok: true, value: undefined };
    });
  }

  /** A withdrawal confirmed by the stamp's origin (410 or 404): the co-organiser is no longer listed. Idempotent. */
  async incomingRevocation(stampId: string, partnerApId: string): Promise<{ unlisted: number }> {
    const { unlisted, queued } = await this.#em.fork().transactional(async (em) => {
      const rows = await em.find(EventCoorganizerSchema, { stampId, partnerApId, state: { $in: ["current", "pending"] } }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ["event"] });
      let queued = false;
      for (const r of rows) {
        r.state = "revoked";
        r.revokedAt = this.#now();
        await em.flush();
        // The co-organisers still listed learn the new `organizers` (an Update of the event).
        if (!r.event.deletedAt) queued = (await this.#organizersChanged(em, r.event.id, r.event.collective.id, `revoked-${r.id}`)) || queued;
      }
      await em.flush();
      return { unlisted: rows.length, queued };
    });
    if (unlisted > 0) await this.#onChange();
    if (queued) this.#onOutbox();
    return { unlisted };
  }

  /** After the list changed: an Update of the event (its new `organizers`) to every co-organiser still listed. */
  async #organizersChanged(em: EntityManager, eventId: string, collectiveId: string, reason: string): Promise<boolean> {
    if ((await em.count(EventCoorganizerSchema, { event: eventId, state: { $in: ["current", "pending"] } })) === 0) return false;
    return writeOutbox(em, `${this.#urls.event(eventId).href}#organizers-${reason}`, { kind: "coorganize-event-changed", collectiveId, eventId });
  }

  /**
   * An event was changed or deleted (in the caller's transaction): its co-organisers are sent the
   * change; when the time, the place or the name changed, every current co-organiser moves to pending
   * reconfirmation (still listed) and is asked again (so is one already pending, when what it was last
   * asked to confirm is not the new essentials), and open invitations are sent again for the new
   * essentials. Returns whether activities were queued.
   */
  async reviewEvent(em: EntityManager, eventId: string): Promise<boolean> {
    const event = await findEvent(em, eventId);
    if (!event?.published) return false;
    const listed = await em.find(EventCoorganizerSchema, { event: event.id, state: { $in: ["current", "pending"] } });
    const open = await em.find(EventCoorganizerInvitationSchema, { event: event.id, state: "invited", expiresAt: { $gt: this.#now() } });
    if (listed.length === 0 && open.length === 0) return false;
    let queued = false;
    if (listed.length > 0) {
      queued = await writeOutbox(em, `${this.#urls.event(event.id).href}#coorganizers-${event.deletedAt ? "delete" : `update-${event.version}`}`, {
        kind: "coorganize-event-changed",
        collectiveId: event.collective.id,
        eventId: event.id,
      });
    }
    if (event.deletedAt) return queued;
    const digest = await this.#digest(toPublishedEvent(event, event.collective, this.#urls));
    for (const c of listed) {
      if (c.state === "current" && c.digest !== digest) {
        c.state = "pending";
        queued = (await this.#reconfirm(em, event, c, digest)) || queued;
      } else if (c.state === "pending" && c.digest === digest) {
        c.state = "current"; // back to what was accepted
      } else if (c.state === "pending" && (await this.#lastAsked(em, event.id, c.partnerApId))?.digest !== digest) {
        // Changed again while awaiting reconfirmation: asked for the newest time and place (the older request superseded).
        queued = (await this.#reconfirm(em, event, c, digest)) || queued;
      }
    }
    for (const old of open) {
      if (old.digest === digest || listed.some((c) => c.partnerApId === old.partnerApId)) continue;
      old.state = "superseded";
      const partner = { apId: old.partnerApId, inbox: old.partnerInbox, sharedInbox: old.partnerSharedInbox ?? null, name: old.partnerName ?? null };
      queued = (await this.#request(em, event, partner, digest, old.purpose, old.expiresAt)).queued || queued;
    }
    await em.flush();
    return queued;
  }

  /** The newest invitation or reconfirmation request sent to a partner for the event, whatever its state. */
  async #lastAsked(em: EntityManager, eventId: string, partnerApId: string): Promise<EventCoorganizerInvitationRow | null> {
    return em.findOne(EventCoorganizerInvitationSchema, { event: eventId, partnerApId }, { orderBy: { createdAt: "desc", id: "desc" } });
  }

  async #reconfirm(em: EntityManager, event: LiveEvent, c: EventCoorganizerRow, digest: string): Promise<boolean> {
    for (const p of await em.find(EventCoorganizerInvitationSchema, { event: event.id, partnerApId: c.partnerApId, state: "invited" })) p.state = "superseded";
    const partner = { apId: c.partnerApId, inbox: c.partnerInbox, sharedInbox: c.partnerSharedInbox ?? null, name: c.partnerName ?? null };
    return (await this.#request(em, event, partner, digest, "reconfirm", this.#expiry(event, undefined, this.#now()))).queued;
  }

  async #request(
    em: EntityManager,
    event: LiveEvent,
    partner: { apId: string; inbox: string; sharedInbox: string | null; name: string | null },
    digest: string,
    purpose: "invite" | "reconfirm",
    expiresAt: Date,
  ): Promise<{ row: EventCoorganizerInvitationRow; queued: boolean }> {
    for (const p of await em.find(EventCoorganizerInvitationSchema, { event: event.id, partnerApId: partner.apId, state: "invited" })) p.state = "superseded";
    const row = em.create(EventCoorganizerInvitationSchema, {
      event: event.id,
      partnerApId: partner.apId,
      partnerInbox: partner.inbox,
      partnerSharedInbox: partner.sharedInbox,
      partnerName: partner.name,
      digest,
      purpose,
      state: "invited",
      expiresAt,
      createdAt: this.#now(),
    });
    await em.flush();
    const queued = await writeOutbox(em, this.#urls.eventCoorganizerInvitation(event.id, row.id).href, { kind: "coorganize-request", collectiveId: event.collective.id, invitationId: row.id });
    return { row, queued };
  }

  #expiry(event: LiveEvent, asked: Temporal.Instant | undefined, now: Date): Date {
    let end = asked ? new Date(asked.epochMilliseconds) : new Date(now.getTime() + coorganizeInvitationDays * day);
    if (end.getTime() <= now.getTime()) throw invalid("the invitation's end is in the past", [{ field: "expiresAt", message: "must be in the future" }]);
    const over = event.endsAt ?? event.startsAt;
    if (over > now && over < end) end = over;
    return end;
  }

  async #editableEvent(em: EntityManager, actor: CallActor, eventId: string, lock: boolean): Promise<LiveEvent> {
    const event = await findLiveEvent(em, eventId, { forUpdate: lock });
    if (!event) throw notFound(`the event ${eventId}`);
    if (!mayEdit(actor, event.collective.id)) {
      if (!event.published) throw notFound(`the event ${eventId}`);
      throw forbidden(`you are not an editor of "${event.collective.slug}"`);
    }
    return event;
  }

  #invitationView(row: EventCoorganizerInvitationRow, now: Date = this.#now()): CoorganizerInvitationView {
    return {
      id: row.id,
      eventId: typeof row.event === "string" ? row.event : row.event.id,
      partner: { apId: row.partnerApId, name: row.partnerName ?? null },
      purpose: row.purpose,
      state: row.state === "invited" && row.expiresAt <= now ? "expired" : row.state,
      digest: row.digest,
      expiresAt: instant(row.expiresAt),
      createdAt: instant(row.createdAt),
      answeredAt: row.answeredAt ? instant(row.answeredAt) : null,
    };
  }

  #coorganizerView(row: EventCoorganizerRow): CoorganizerView {
    return {
      id: row.id,
      eventId: typeof row.event === "string" ? row.event : row.event.id,
      partner: { apId: row.partnerApId, name: row.partnerName ?? null },
      stampId: row.stampId,
      digest: row.digest,
      state: row.state,
      stamp: row.stamp,
      verifiedAt: instant(row.verifiedAt),
      revokedAt: row.revokedAt ? instant(row.revokedAt) : null,
    };
  }
}
