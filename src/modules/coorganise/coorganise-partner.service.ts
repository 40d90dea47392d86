import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { AppError, conflict, forbidden, notFound } from "../../shared/errors.ts";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import type { CallActor } from "../call/call.service.ts";
import { type Collective, CollectiveSchema } from "../collective/collective.entity.ts";
import { can } from "../collective/collective.policy.ts";
import type { EventData, PublishedEvent } from "../event/event.types.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import { CoorganisedEventSchema, type CoorganisedEventRow, CoorganizeStampSchema, type CoorganizeStampRow } from "./coorganise.entity.ts";
import type { CoorganisedView, CoorganizeRequestView, CoorganizeStampView, IncomingCoorganizeRequest, Outcome } from "./coorganise.types.ts";
import { eventDataFromJson, eventDataToJson } from "./event-essentials.ts";

const day = 24 * 60 * 60 * 1000;
const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());
const opt = (d: Date | null | undefined) => (d ? instant(d) : null);
const mayAnswer = (actor: CallActor, collectiveId: string) => actor === "cli" || can(actor, "edit-events", collectiveId);
const idOf = (ref: string | { id: string }) => (typeof ref === "string" ? ref : ref.id);

/** Whether a stamp keeps its collective among the event's organisers (accepted, listed by the host, not withdrawn). */
const isLive = (s: CoorganizeStampRow) => s.state === "accepted" && s.listedAt !== null && s.listedAt !== undefined && !s.revokedAt;

/** A stored co-organised event as pages and feeds receive it: the host's id (hence its iCalendar UID). */
export function coorganisedToPublished(row: Pick<CoorganisedEventRow, "id" | "eventApId" | "hostApId" | "hostName" | "pageUrl" | "data" | "sequence" | "createdAt" | "updatedAt">): PublishedEvent {
  const data = eventDataFromJson(row.data);
  const apId = new URL(row.eventApId);
  const primaryLanguage = Object.keys(data.name)[0] ?? "und";
  const hostName = row.hostName ?? undefined;
  return {
    ...data,
    id: row.id,
    apId,
    organizer: { apId: new URL(row.hostApId), slug: "", primaryLanguage, name: { [primaryLanguage]: hostName ?? apId.host } },
    sequence: row.sequence,
    publishedAt: instant(new Date(row.createdAt)),
    updatedAt: instant(new Date(row.updatedAt)),
    remote: { pageUrl: row.pageUrl && URL.canParse(row.pageUrl) ? new URL(row.pageUrl) : apId, server: apId.host, organizerName: hostName },
  };
}

/**
 * The invited collective's side of events organised together (FEDERATION.md "Co-organised events"):
 * the requests it received (with the event as its host's origin serves it), its answers, the stamps
 * it issued, and its withdrawal. The event is kept up to date from the host's origin and shown among
 * the collective's events while a stamp of it is listed by the host.
 */
export class CoorganisePartnerService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #onOutbox: () => void;
  readonly #onChange: () => void | Promise<void>;
  readonly #now: () => Date;

  constructor(em: EntityManager, urls: Urls, opts: { onOutbox?: () => void; onChange?: () => void | Promise<void>; now?: () => Date } = {}) {
    this.#em = em;
    this.#urls = urls;
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#onChange = opts.onChange ?? (() => {});
    this.#now = opts.now ?? (() => new Date());
  }

  /** A CoorganizeRequest for a local collective, checked by the federation layer: stored once per request id. */
  async incomingRequest(input: IncomingCoorganizeRequest): Promise<Outcome<{ id: string; created: boolean }>> {
    const result = await this.#em.fork().transactional(async (em): Promise<Outcome<{ id: string; created: boolean }>> => {
      const collective = await em.findOne(CollectiveSchema, { slug: input.collectiveSlug });
      if (!collective) return { ok: false, reason: "no such collective here" };
      const now = this.#now();
      let event = await em.findOne(CoorganisedEventSchema, { collective: collective.id, eventApId: input.eventApId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (event && event.hostApId !== input.host.apId.href) return { ok: false, reason: "that event has another host" };
      const existing = event ? await em.findOne(CoorganizeStampSchema, { collective: collective.id, requestId: input.requestId }) : null;
      if (existing) return { ok: true, value: { id: existing.id, created: false } };
      const columns = {
        hostInbox: input.host.inboxUrl.href,
        hostSharedInbox: input.host.sharedInboxUrl?.href ?? null,
        hostName: input.host.name ?? null,
        coorganizersUrl: input.coorganizersUrl,
        pageUrl: input.pageUrl ?? null,
      };
      if (!event) {
        event = em.create(CoorganisedEventSchema, {
          collective: collective.id,
          eventApId: input.eventApId,
          hostApId: input.host.apId.href,
          ...columns,
          ...this.#dataColumns(input.event),
          createdAt: now,
          updatedAt: now,
        });
      } else {
        em.assign(event, columns);
        this.#refresh(event, input.event, now);
      }
      await em.flush();
      for (const older of await em.find(CoorganizeStampSchema, { coorganised: event.id, state: "pending" })) older.state = "superseded";
      const expiresAt = input.expiresAt && input.expiresAt.epochMilliseconds > now.getTime() ? new Date(Math.min(input.expiresAt.epochMilliseconds, now.getTime() + 90 * day)) : new Date(now.getTime() + 14 * day);
      const purpose = (await em.count(CoorganizeStampSchema, { coorganised: event.id, state: "accepted", revokedAt: null })) > 0 ? "reconfirm" : "invite";
      const row = em.create(CoorganizeStampSchema, {
        collective: collective.id,
        coorganised: event.id,
        requestId: input.requestId,
        purpose,
        digest: input.digest,
        state: "pending",
        expiresAt,
        createdAt: now,
      });
      await em.flush();
      return { ok: true, value: { id: row.id, created: true } };
    });
    if (result.ok && result.value.created) await this.#onChange();
    return result;
  }

  /** The host changed (or deleted) an event we were asked to co-organise: our copies follow its origin. */
  async incomingEventChanged(eventApId: string, hostApId: string, data: EventData | "deleted"): Promise<number> {
    const changed = await this.#em.fork().transactional(async (em) => {
      const rows = await em.find(CoorganisedEventSchema, { eventApId, hostApId, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const now = this.#now();
      for (const row of rows) {
        if (data === "deleted") {
          row.deletedAt = now;
          row.updatedAt = now;
        } else this.#refresh(row, data, now);
      }
      await em.flush();
      return rows.length;
    });
    if (changed > 0) await this.#onChange();
    return changed;
  }

  /** Whether an event id is one our collectives were asked to co-organise by that host. */
  async isCoorganised(eventApId: string, hostApId: string): Promise<boolean> {
    return (await this.#em.fork().count(CoorganisedEventSchema, { eventApId, hostApId })) > 0;
  }

  /** The events a collective was invited to co-organise, newest invitation first, for its editors. */
  async list(actor: CallActor, slug: string): Promise<CoorganisedView[]> {
    const em = this.#em.fork();
    const collective = await this.#collective(em, actor, slug);
    const rows = await em.find(CoorganisedEventSchema, { collective: collective.id }, { orderBy: { startsAt: "desc" }, limit: 500 });
    const stamps = await em.find(CoorganizeStampSchema, { coorganised: { $in: rows.map((r) => r.id) } }, { orderBy: { createdAt: "desc" } });
    return rows.map((r) => this.#view(r, slug, stamps.filter((s) => idOf(s.coorganised) === r.id)));
  }

  async one(actor: CallActor, slug: string, id: string): Promise<CoorganisedView> {
    const em = this.#em.fork();
    const collective = await this.#collective(em, actor, slug);
    const row = isUuid(id) ? await em.findOne(CoorganisedEventSchema, { id, collective: collective.id }) : null;
    if (!row) throw notFound(`the co-organised event ${id}`);
    return this.#view(row, slug, await em.find(CoorganizeStampSchema, { coorganised: row.id }, { orderBy: { createdAt: "desc" } }));
  }

  /** Accepts the open request: a stamp with the collective's proof, served here, and an Accept to the host. */
  async accept(actor: CallActor, slug: string, id: string): Promise<CoorganisedView> {
    return this.#answer(actor, slug, id, "event.coorganize-accept", async (em, request, collective) => {
      request.state = "accepted";
      request.answeredAt = this.#now();
      request.signedAt = this.#now();
      await em.flush();
      return writeOutbox(em, `${this.#urls.stamp(request.id).href}#accept`, { kind: "coorganize-accept", collectiveId: collective.id, stampId: request.id });
    });
  }

  /** Declines the open request: a Reject to the host only (never public). */
  async decline(actor: CallActor, slug: string, id: string): Promise<CoorganisedView> {
    return this.#answer(actor, slug, id, "event.coorganize-decline", async (em, request, collective) => {
      request.state = "declined";
      request.answeredAt = this.#now();
      await em.flush();
      return writeOutbox(em, `${this.#urls.stamp(request.id).href}#reject`, { kind: "coorganize-decline", collectiveId: collective.id, stampId: request.id });
    });
  }

  /**
   * Withdraws from an event: every live stamp of the collective for it is revoked (its URL answers 410
   * from now on, its id is never used again) and a Delete goes to the host, who unlists it.
   */
  async withdraw(actor: CallActor, slug: string, id: string): Promise<CoorganisedView> {
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const collective = await this.#collective(em, actor, slug);
      const row = isUuid(id) ? await em.findOne(CoorganisedEventSchema, { id, collective: collective.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
      if (!row) throw notFound(`the co-organised event ${id}`);
      const stamps = await em.find(CoorganizeStampSchema, { coorganised: row.id }, { orderBy: { createdAt: "desc" } });
      const live = stamps.filter((s) => s.state === "accepted" && !s.revokedAt);
      if (live.length === 0) throw conflict(`@${slug} does not co-organise this event: there is nothing to withdraw`);
      let queued = false;
      for (const s of live) {
        s.revokedAt = this.#now();
        queued = (await writeOutbox(em, this.#urls.stampDelete(s.id).href, { kind: "coorganize-revoke", collectiveId: collective.id, stampId: s.id })) || queued;
      }
      for (const s of stamps) if (s.state === "pending") s.state = "superseded";
      await em.flush();
      await this.#audit(em, actor, collective.id, "event.coorganize-withdraw", row.id, row.eventApId);
      return { view: this.#view(row, slug, stamps), queued };
    });
    await this.#onChange();
    if (queued) this.#onOutbox();
    return view;
  }

  /** A stamp (or a request) of this server, for its URL and the activities that carry it; null when unknown. */
  async stamp(id: string): Promise<CoorganizeStampView | null> {
    if (!isUuid(id)) return null;
    const row = await this.#em.fork().findOne(CoorganizeStampSchema, { id }, { populate: ["collective", "coorganised"] });
    if (!row) return null;
    return {
      id: row.id,
      collective: { id: row.collective.id, slug: row.collective.slug },
      eventApId: row.coorganised.eventApId,
      hostApId: row.coorganised.hostApId,
      hostInbox: row.coorganised.hostInbox,
      coorganizersUrl: row.coorganised.coorganizersUrl,
      requestId: row.requestId,
      digest: row.digest,
      signedAt: opt(row.signedAt),
      revokedAt: opt(row.revokedAt),
      state: row.state,
    };
  }

  /** The host listed one of our stamps (its Add): noted; only the host of that event may. */
  async incomingListed(stampId: string, hostApId: string): Promise<Outcome> {
    if (!isUuid(stampId)) return { ok: false, reason: "no such stamp here" };
    const em = this.#em.fork();
    const row = await em.findOne(CoorganizeStampSchema, { id: stampId, state: "accepted" }, { populate: ["coorganised"] });
    if (!row || row.coorganised.hostApId !== hostApId) return { ok: false, reason: "no stamp of ours for an event of that collective" };
    if (!row.listedAt && !row.revokedAt) {
      row.listedAt = this.#now();
      await em.flush();
      await this.#onChange();
    }
    return { ok: true, value: undefined };
  }

  /** A collective's upcoming co-organised events (its page), soonest first. */
  async upcoming(slug: string, from: Temporal.Instant, limit: number): Promise<PublishedEvent[]> {
    const em = this.#em.fork();
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) return [];
    const since = new Date(from.epochMilliseconds);
    const rows = await em.find(
      CoorganisedEventSchema,
      { collective: collective.id, deletedAt: null, $or: [{ endsAt: { $gte: since } }, { endsAt: null, startsAt: { $gte: since } }] },
      { orderBy: { startsAt: "asc" }, limit: Math.min(limit, 200) },
    );
    const stamps = await em.find(CoorganizeStampSchema, { coorganised: { $in: rows.map((r) => r.id) } });
    return rows.filter((r) => stamps.some((s) => idOf(s.coorganised) === r.id && isLive(s))).map(coorganisedToPublished).filter((e) => e.visibility === "public");
  }

  #dataColumns(data: EventData) {
    return { data: eventDataToJson(data), startsAt: new Date(data.startsAt.epochMilliseconds), endsAt: data.endsAt ? new Date(data.endsAt.epochMilliseconds) : null };
  }

  #refresh(row: CoorganisedEventRow, data: EventData, now: Date): void {
    const next = this.#dataColumns(data);
    if (JSON.stringify(next.data) === JSON.stringify(row.data)) return;
    Object.assign(row, next);
    row.sequence += 1;
    row.updatedAt = now;
  }

  async #answer(
    actor: CallActor,
    slug: string,
    id: string,
    action: AuditAction,
    apply: (em: EntityManager, request: CoorganizeStampRow, collective: Collective) => Promise<boolean>,
  ): Promise<CoorganisedView> {
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const collective = await this.#collective(em, actor, slug);
      const row = isUuid(id) ? await em.findOne(CoorganisedEventSchema, { id, collective: collective.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
      if (!row) throw notFound(`the co-organised event ${id}`);
      if (row.deletedAt) throw new AppError("gone", 410, "the host deleted this event");
      const stamps = await em.find(CoorganizeStampSchema, { coorganised: row.id }, { orderBy: { createdAt: "desc" } });
      const open = stamps.find((s) => s.state === "pending");
      if (!open) throw conflict("there is no open request to answer for this event");
      if (open.expiresAt <= this.#now()) throw conflict(`the request expired on ${open.expiresAt.toISOString()}: ask the host to invite you again`);
      const queued = await apply(em, open, collective);
      await this.#audit(em, actor, collective.id, action, row.id, row.eventApId);
      return { view: this.#view(row, slug, stamps), queued };
    });
    await this.#onChange();
    if (queued) this.#onOutbox();
    return view;
  }

  async #collective(em: EntityManager, actor: CallActor, slug: string): Promise<Collective> {
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    if (!mayAnswer(actor, collective.id)) throw forbidden(`you are not an editor of "${slug}"`);
    return collective;
  }

  async #audit(em: EntityManager, actor: CallActor, collectiveId: string, action: AuditAction, subject: string, detail: string): Promise<void> {
    await writeAudit(em, { collectiveId, actor: actor === "cli" ? "cli" : actor, action, subject, detail });
  }

  #view(row: CoorganisedEventRow, slug: string, stamps: readonly CoorganizeStampRow[]): CoorganisedView {
    const now = this.#now();
    return {
      id: row.id,
      collective: slug,
      event: { apId: row.eventApId, host: row.hostApId, hostName: row.hostName ?? null, pageUrl: row.pageUrl ?? null },
      data: eventDataFromJson(row.data),
      deleted: row.deletedAt !== null && row.deletedAt !== undefined,
      coorganising: !row.deletedAt && stamps.some(isLive),
      requests: stamps.map(
        (s): CoorganizeRequestView => ({
          id: s.id,
          purpose: s.purpose,
          state: s.revokedAt ? "withdrawn" : s.state === "pending" && s.expiresAt <= now ? "expired" : s.state,
          digest: s.digest,
          expiresAt: instant(s.expiresAt),
          createdAt: instant(s.createdAt),
          signedAt: opt(s.signedAt),
          listedAt: opt(s.listedAt),
          revokedAt: opt(s.revokedAt),
          stampUrl: s.state === "accepted" ? this.#urls.stamp(s.id).href : null,
        }),
      ),
    };
  }
}
