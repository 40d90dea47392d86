import type { EntityManager } from "@mikro-orm/postgresql";
import { forbidden, invalid, notFound } from "../../shared/errors.ts";
import { instanceIdentifier, type Urls } from "../../shared/urls.ts";
import type { Collective } from "../collective/collective.entity.ts";
import { findCollectiveBySlug } from "../collective/collective.repository.ts";
import { can } from "../collective/collective.policy.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import type { Principal } from "../user/user.service.ts";
import { bumpsSequence, changeNoteWriter, describeChanges } from "./event-change.ts";
import type { EventChangeNote } from "./event-change-note.entity.ts";
import { findChangeNote, markChangeNoteSent, sentChangeNotes } from "./event-change-note.repository.ts";
import type { EventRow } from "./event.entity.ts";
import {
  bumpEventsVersion,
  type EventPageQuery,
  findEvent,
  findEventPage,
  findLiveEvent,
  forgetContinuation,
  insertEvent,
  publicEventsPage,
  upcomingPublicEvents,
} from "./event.repository.ts";
import { decodeCursor, keyChecks, type Page, type PageRequest, toPage } from "../../shared/list-page.ts";
import { inputToColumns, rowToInput, toPublishedEvent } from "./event.record.ts";
import { staleTranslations, textTimes } from "./event-translations.ts";
import { applyEventPatch, type EventInput, parseEventInput } from "./event.schema.ts";
import type { EventStatus, PublishedEvent } from "./event.types.ts";
import type { Translate } from "../../shared/i18n.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { isUuid } from "../../shared/uuid.ts";
import { queueEventChange, queueEventCreate, queueEventDelete } from "./event-federation.ts";
import { assertCanEdit, checkId, invalidEvent, parseReason } from "./event-guards.ts";
import { defaultZoneFor } from "./event-time.ts";

export { defaultZoneFor } from "./event-time.ts";
export { assertCanEdit, checkId, invalidEvent } from "./event-guards.ts";

export interface EventListQuery {
  readonly from?: Temporal.Instant;
  readonly to?: Temporal.Instant;
  readonly status?: readonly EventStatus[];
  /** Include drafts and unlisted events (editors only). */
  readonly includePrivate?: boolean;
  readonly limit?: number;
}

/** What an editor gets back: the event and whether it is a draft. */
export interface EventView {
  readonly event: PublishedEvent;
  readonly published: boolean;
  readonly deleted: boolean;
  /** Translations whose text last changed before the primary language's: they may say something older. */
  readonly staleTranslations: readonly string[];
}

/** A change note (see event-change-note.entity.ts), in domain words. */
export interface ChangeNoteView {
  readonly version: number;
  readonly language: string;
  readonly text: string;
  readonly createdAt: Temporal.Instant;
  /** When it was handed over for delivery; null until then. */
  readonly sentAt: Temporal.Instant | null;
}

const toChangeNoteView = (row: EventChangeNote): ChangeNoteView => ({
  version: row.version,
  language: row.language,
  text: row.text,
  createdAt: Temporal.Instant.fromEpochMilliseconds(row.createdAt.getTime()),
  sentAt: row.sentAt ? Temporal.Instant.fromEpochMilliseconds(row.sentAt.getTime()) : null,
});

const eventListName = "events";
const eventKeyShape = [keyChecks.instant, keyChecks.uuid];

/**
 * Events of collectives. Every change and the activities it must send are written in one transaction
 * (transactional outbox); the collective's `eventsVersion` moves in the same transaction so feed
 * caches know.
 */
export class EventService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #onOutbox: () => void;
  readonly #onChange: () => void | Promise<void>;
  readonly #changeNoteText: ReturnType<typeof changeNoteWriter>;
  readonly #onEventChanged: (em: EntityManager, eventId: string) => Promise<boolean>;
  readonly #now: () => Date;

  /**
   * `translate` words the change notes; `onOutbox`: activities were queued (nudge the relay);
   * `onChange`: a collective's events changed (feed caches forget their versions); awaited, so the
   * change's caller sees them forgotten. Both run after the commit. (Cached federated documents learn of
   * changes from the commit itself: src/db/committed-writes.ts.)
   */
  constructor(
    em: EntityManager,
    urls: Urls,
    opts: {
      translate: Translate;
      onOutbox?: () => void;
      onChange?: () => void | Promise<void>;
      /** A published event changed or was deleted, in its transaction (co-organisers are told): whether rows were queued. */
      onEventChanged?: (em: EntityManager, eventId: string) => Promise<boolean>;
      /** The instance's clock (which occurrences of a changed series are over). */
      now?: () => Date;
    },
  ) {
    this.#em = em;
    this.#urls = urls;
    this.#changeNoteText = changeNoteWriter(opts.translate);
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#onChange = opts.onChange ?? (() => {});
    this.#onEventChanged = opts.onEventChanged ?? (async () => false);
    this.#now = opts.now ?? (() => new Date());
  }

  async create(principal: Principal, slug: string, body: unknown): Promise<EventView> {
    const collective = await this.#collective(slug);
    if (!can(principal, "edit-events", collective.id)) throw forbidden(`you are not an editor of "${slug}"`);
    const parsed = parseEventInput(body, {
      defaultTimezone: this.#defaultTimezone(collective),
      primaryLanguage: collective.primaryLanguage,
      mediaOrigin: this.#urls.origin.href,
    });
    if (!parsed.ok) throw invalidEvent(parsed.errors);
    const input = parsed.value;
    const view = await this.#em.fork().transactional(async (em) => {
      const now = new Date();
      const row = await insertEvent(em, {
        collective: collective.id,
        ...inputToColumns(input),
        textUpdatedAt: textTimes(undefined, input, now),
        publishedAt: input.published ? now : null,
        createdAt: now,
        updatedAt: now,
      });
      // A recurring event federates occurrence by occurrence, each a few days ahead (EventSeriesService.publishDue).
      if (input.published && !input.recurrence) await queueEventCreate(em, this.#urls, collective, row);
      await bumpEventsVersion(em, collective.id);
      await this.#audit(em, principal, collective, input.published ? "event.publish" : "event.create", row);
      return this.#view(row, collective);
    });
    await this.#onChange();
    if (view.published) this.#onOutbox();
    return view;
  }

  /**
   * Changes the fields sent. With `mergeLanguages` (the JSON API), a language map sent changes only
   * the languages it names (null removes one); without, it replaces the stored map (editor forms).
   */
  async update(principal: Principal, id: string, body: unknown, opts: { mergeLanguages?: boolean } = {}): Promise<EventView> {
    return this.#change(principal, id, (current, collective) => {
      const parsed = parseEventInput(body, {
        defaultTimezone: current.timezone,
        primaryLanguage: collective.primaryLanguage,
        partial: true,
        current,
        mergeLanguages: opts.mergeLanguages ?? false,
        mediaOrigin: this.#urls.origin.href,
      });
      if (!parsed.ok) throw invalidEvent(parsed.errors);
      return applyEventPatch(current, parsed.value);
    });
  }

  async cancel(principal: Principal, id: string, body: unknown): Promise<EventView> {
    const reason = parseReason(body);
    return this.#change(principal, id, (current) => ({ ...current, status: "cancelled", statusReason: reason ?? current.statusReason }));
  }

  async delete(principal: Principal, id: string): Promise<void> {
    checkId(id);
    const queued = await this.#em.fork().transactional(async (em) => {
      const row = await findLiveEvent(em, id);
      if (!row) throw notFound(`the event ${id}`);
      assertCanEdit(principal, row, id);
      row.deletedAt = new Date();
      row.updatedAt = row.deletedAt;
      row.version += 1;
      await em.flush();
      if (row.previousSeries) await forgetContinuation(em, row.previousSeries, row.id);
      await bumpEventsVersion(em, row.collective.id);
      await this.#audit(em, principal, row.collective, "event.delete", row);
      if (!row.published) return false;
      const queued = await queueEventDelete(em, this.#urls, row);
      return (await this.#onEventChanged(em, row.id)) || queued;
    });
    await this.#onChange();
    if (queued) this.#onOutbox();
  }

  /** One event for its editors (drafts included). */
  async getForEditor(principal: Principal, id: string): Promise<EventView> {
    checkId(id);
    const row = await findLiveEvent(this.#em.fork(), id);
    if (!row) throw notFound(`the event ${id}`);
    if (!row.published && !can(principal, "read-private", row.collective.id)) throw notFound(`the event ${id}`);
    return this.#view(row, row.collective);
  }

  /** Any stored event, deleted or draft, for the federation layer (deliveries, tombstones). */
  async loadForDelivery(id: string): Promise<{ event: PublishedEvent; published: boolean; deletedAt: Temporal.Instant | null } | null> {
    if (!isUuid(id)) return null;
    const row = await findEvent(this.#em.fork(), id);
    if (!row) return null;
    return {
      event: toPublishedEvent(row, row.collective, this.#urls),
      published: row.published,
      deletedAt: row.deletedAt ? Temporal.Instant.fromEpochMilliseconds(row.deletedAt.getTime()) : null,
    };
  }

  /** A change note (of one occurrence of a recurring event: `occurrenceDate`), to send it with its Update and to serve it at its URL. */
  async changeNote(id: string, version: number, occurrenceDate = ""): Promise<ChangeNoteView | null> {
    if (!isUuid(id) || !Number.isSafeInteger(version)) return null;
    const row = await findChangeNote(this.#em.fork(), id, version, occurrenceDate);
    return row ? toChangeNoteView(row) : null;
  }

  /** Records that a change note was handed over for delivery: deleting the event will delete it too. */
  async markChangeNoteSent(id: string, version: number, occurrenceDate = ""): Promise<void> {
    await markChangeNoteSent(this.#em.fork(), id, version, occurrenceDate);
  }

  /** The change notes of an event (of one occurrence of a recurring event) that followers may have received, oldest first. */
  async sentChangeNotes(id: string, occurrenceDate = ""): Promise<ChangeNoteView[]> {
    if (!isUuid(id)) return [];
    return (await sentChangeNotes(this.#em.fork(), id, occurrenceDate)).map(toChangeNoteView);
  }

  /** Public published events, newest first, for the collective's outbox (the instance actor's: every collective's), paged. */
  async outboxPage(slug: string, offset: number, limit: number): Promise<{ items: PublishedEvent[]; total: number } | null> {
    const em = this.#em.fork();
    let collectiveId: string | null = null;
    if (slug !== instanceIdentifier) {
      const collective = await findCollectiveBySlug(em, slug);
      if (!collective) return null;
      collectiveId = collective.id;
    }
    const { rows, total } = await publicEventsPage(em, collectiveId, offset, limit);
    return { items: rows.map((r) => toPublishedEvent(r, r.collective, this.#urls)), total };
  }

  /** Upcoming public events of every collective, soonest first (the home page and the calendar). */
  async upcoming(from: Temporal.Instant, limit: number): Promise<PublishedEvent[]> {
    const rows = await upcomingPublicEvents(this.#em.fork(), from, Math.min(limit, 1000));
    return rows.map((r) => toPublishedEvent(r, r.collective, this.#urls));
  }

  /** A collective's events in the window, soonest first (at most `query.limit`, default 200, at most 1000). */
  async list(slug: string, query: EventListQuery, principal: Principal | null = null): Promise<EventView[]> {
    const limit = Math.min(query.limit ?? 200, 1000);
    const { collective, rows } = await findEventPage(this.#em.fork(), this.#pageQuery(slug, query, principal, limit));
    if (!collective) throw notFound(`the collective "${slug}"`);
    return rows.map((r) => this.#view(r, collective));
  }

  /**
   * One page of a collective's events, soonest first, ties by id (the API's list): one statement.
   * A bad cursor is a 400.
   */
  async page(slug: string, query: EventListQuery, request: PageRequest, principal: Principal | null = null): Promise<Page<EventView>> {
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, eventListName, eventKeyShape) as [number, string]);
    const q = { ...this.#pageQuery(slug, query, principal, request.limit + 1), after };
    const { collective, rows } = await findEventPage(this.#em.fork(), q);
    if (!collective) throw notFound(`the collective "${slug}"`);
    return toPage(rows, request.limit, eventListName, (r) => [r.startsAt.getTime(), r.id], (r) => this.#view(r, collective));
  }

  #pageQuery(slug: string, query: EventListQuery, principal: Principal | null, limit: number): EventPageQuery {
    // Drafts and unlisted events of the collectives whose private events the principal may read.
    const privateFor =
      query.includePrivate === true && principal ? [...principal.roles.keys()].filter((id) => can(principal, "read-private", id)) : [];
    return { slug, from: query.from?.epochMilliseconds, to: query.to?.epochMilliseconds, status: query.status, privateFor, limit };
  }

  async #change(
    principal: Principal,
    id: string,
    apply: (current: EventInput, collective: Collective) => EventInput,
  ): Promise<EventView> {
    checkId(id);
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const row = await findLiveEvent(em, id, { forUpdate: true });
      if (!row) throw notFound(`the event ${id}`);
      const collective = row.collective;
      assertCanEdit(principal, row, id);
      const before = rowToInput(row);
      const after = apply(before, collective);
      if (before.published && !after.published) {
        // Followers' servers already have it: un-publishing would leave copies nobody can update.
        throw invalid("a published event cannot go back to draft; cancel it or delete it instead", [
          { field: "published", message: "cannot become false once the event is published; cancel or delete the event instead" },
        ]);
      }
      const change = describeChanges(before, after);
      const now = new Date();
      const wasPublished = row.published;
      em.assign(row, inputToColumns(after));
      row.textUpdatedAt = textTimes(row.textUpdatedAt ? { before, times: row.textUpdatedAt } : undefined, after, now);
      row.version += 1;
      if (bumpsSequence(change)) row.sequence += 1;
      row.updatedAt = now;
      if (!wasPublished && after.published) row.publishedAt = now;
      await em.flush();
      await bumpEventsVersion(em, collective.id);
      const action = !wasPublished && after.published ? "event.publish" : change.status && after.status === "cancelled" ? "event.cancel" : "event.change";
      await this.#audit(em, principal, collective, action, row);
      const deps = { urls: this.#urls, changeNoteText: this.#changeNoteText, onEventChanged: this.#onEventChanged, now: this.#now() };
      const queued = await queueEventChange(em, deps, row, { before, after, wasPublished, described: change });
      return { view: this.#view(row, collective), queued };
    });
    await this.#onChange();
    if (queued) this.#onOutbox();
    return view;
  }

  async #audit(em: EntityManager, principal: Principal, collective: Collective, action: AuditAction, row: EventRow): Promise<void> {
    const name = row.name[collective.primaryLanguage] ?? Object.values(row.name)[0];
    await writeAudit(em, { collectiveId: collective.id, actor: principal, action, subject: row.id, detail: name });
  }

  async #collective(slug: string): Promise<Collective> {
    const c = await findCollectiveBySlug(this.#em.fork(), slug);
    if (!c) throw notFound(`the collective "${slug}"`);
    return c;
  }

  #defaultTimezone(collective: Collective): string {
    return defaultZoneFor(collective.primaryLanguage);
  }

  #view(row: EventRow, collective: Collective): EventView {
    return {
      event: toPublishedEvent(row, collective, this.#urls),
      published: row.published,
      deleted: row.deletedAt !== null,
      staleTranslations: staleTranslations(row.textUpdatedAt, collective.primaryLanguage),
    };
  }
}
