import type { EntityManager } from "@mikro-orm/postgresql";
import { invalid, notFound } from "../../shared/errors.ts";
import type { LanguageMap } from "../../shared/language.ts";
import type { Urls } from "../../shared/urls.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import { can } from "../collective/collective.policy.ts";
import type { Collective } from "../collective/collective.entity.ts";
import type { Principal } from "../user/user.service.ts";
import type { EventRow } from "./event.entity.ts";
import { EventOccurrenceSchema } from "./event-occurrence.entity.ts";
import { dropOccurrence, findExceptions, findOccurrenceRows, isException, occurrenceRow, toException } from "./event-occurrence.repository.ts";
import { inputToColumns, rowToInput, seriesEndColumn, toPublishedEvent } from "./event.record.ts";
import { bumpEventsVersion, findEvent, findLiveEvent, insertEvent } from "./event.repository.ts";
import { EventSchema } from "./event.entity.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import { changeNoteWriter } from "./event-change.ts";
import { occurrenceAsEvent } from "./occurrence-event.ts";
import { occurrenceLeadMs } from "./occurrence-publishing.ts";
import { type ChangedOccurrence, queueOccurrenceChange, queueSeriesChange } from "./series-federation.ts";
import type { Translate } from "../../shared/i18n.ts";
import { isUuid } from "../../shared/uuid.ts";
import { applyEventPatch, type EventInput, parseEventInput } from "./event.schema.ts";
import { assertCanEdit, checkId, invalidEvent } from "./event-guards.ts";
import { textTimes } from "./event-translations.ts";
import type { PublishedEvent } from "./event.types.ts";
import { expandOccurrences, type Occurrence, type OccurrenceException, occurrenceOn, ruleDates, type Series } from "./recurrence-expand.ts";
import { checkDate, isDate, notRecurring, occurrenceKey, occurrenceOnDate, parseOccurrenceKey, seriesOf } from "./series-dates.ts";

/** The occurrence on `date` (a date of the rule) with these exceptions. */
const occurrenceOf = (series: Series, exceptions: readonly OccurrenceException[], date: string): Occurrence => occurrenceOnDate(series, exceptions, date)!;

/** What a series' occurrences look like to editors, the API and pages. */
export interface SeriesView {
  readonly event: PublishedEvent;
  readonly published: boolean;
  readonly occurrences: readonly Occurrence[];
}

const occurrenceFields = ["cancelled", "reason", "startsAt", "endsAt", "location", "onlineUrl"];

/**
 * Recurring events: their occurrences, the exceptions of single occurrences (cancelled, moved,
 * elsewhere), and changes of the whole series from a date on or its end. Every change moves the
 * event's version and sequence and the collective's events version (feeds), in one transaction.
 */
export class EventSeriesService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #onChange: () => void | Promise<void>;
  readonly #onOutbox: () => void;
  readonly #changeNoteText: ReturnType<typeof changeNoteWriter> | undefined;
  readonly #leadMs: number;
  readonly #now: () => Date;

  constructor(
    em: EntityManager,
    urls: Urls,
    opts: {
      onChange?: () => void | Promise<void>;
      onOutbox?: () => void;
      /** Words the change notes of federated occurrences (none without it). */
      translate?: Translate;
      /** How long before it starts an occurrence goes out (the instance's RELAIS_OCCURRENCE_LEAD_HOURS). */
      leadMs?: number;
      /** The instance's clock (which occurrences of a changed series are over). */
      now?: () => Date;
    } = {},
  ) {
    this.#em = em;
    this.#urls = urls;
    this.#onChange = opts.onChange ?? (() => {});
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#changeNoteText = opts.translate ? changeNoteWriter(opts.translate) : undefined;
    this.#leadMs = opts.leadMs ?? occurrenceLeadMs;
    this.#now = opts.now ?? (() => new Date());
  }

  /**
   * Lists of events show a series once, at its next occurrence that is not cancelled (pages, as the feeds
   * give a series as one VEVENT): that occurrence per recurring event of the list (exceptions in one
   * query); none when no occurrence is left from `from` on.
   */
  async nextOccurrences(events: readonly PublishedEvent[], from: Temporal.Instant): Promise<Map<string, Occurrence | undefined>> {
    const recurring = events.filter((e) => e.recurrence !== undefined);
    const out = new Map<string, Occurrence | undefined>();
    if (recurring.length === 0) return out;
    const exceptions = await findExceptions(this.#em.fork(), recurring.map((e) => e.id));
    for (const e of recurring) {
      const next = expandOccurrences(seriesOf(e)!, exceptions.get(e.id) ?? [], { from, limit: 1, withoutCancelled: true });
      out.set(e.id, next[0]);
    }
    return out;
  }

  /** A published event's occurrences in the window (editors of its collective also see drafts). */
  async occurrences(principal: Principal | null, id: string, window: { from?: Temporal.Instant; to?: Temporal.Instant; limit?: number }): Promise<SeriesView> {
    checkId(id);
    const em = this.#em.fork();
    const row = await findLiveEvent(em, id);
    if (!row || (!row.published && !(principal && can(principal, "read-private", row.collective.id)))) throw notFound(`the event ${id}`);
    const input = rowToInput(row);
    const series = seriesOf(input);
    if (!series) throw notRecurring(id);
    const exceptions = (await findOccurrenceRows(em, id)).filter(isException).map(toException);
    const event = { ...toPublishedEvent(row, row.collective, this.#urls), exceptions };
    return { event, published: row.published, occurrences: expandOccurrences(series, exceptions, { ...window, limit: Math.min(window.limit ?? 50, 500) }) };
  }

  /**
   * One occurrence, named by the date the rule gives it, with its series (editors of its collective also
   * see drafts); a 404 naming the next dates when the rule gives none that day.
   */
  async occurrence(principal: Principal | null, id: string, date: string): Promise<SeriesView & { occurrence: Occurrence }> {
    checkId(id);
    const em = this.#em.fork();
    const row = await findLiveEvent(em, id);
    if (!row || (!row.published && !(principal && can(principal, "read-private", row.collective.id)))) throw notFound(`the event ${id}`);
    const series = seriesOf(rowToInput(row));
    if (!series) throw notRecurring(id);
    checkDate(series, date, id);
    const exceptions = (await findOccurrenceRows(em, id)).filter(isException).map(toException);
    const occurrence = occurrenceOf(series, exceptions, date);
    return { event: { ...toPublishedEvent(row, row.collective, this.#urls), exceptions }, published: row.published, occurrences: [occurrence], occurrence };
  }

  /**
   * Changes one occurrence: `{"cancelled": true, "reason": {...}}`, `{"startsAt": …, "endsAt": …}` (moved),
   * `{"location": {...}}` or `{"onlineUrl": …}` (elsewhere); `null` gives a field back to the series.
   */
  async changeOccurrence(principal: Principal, id: string, date: string, body: unknown): Promise<Occurrence> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid('send a JSON object such as {"cancelled": true}');
    const b = body as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !occurrenceFields.includes(k));
    if (unknown.length > 0) {
      throw invalid(
        `an occurrence takes ${occurrenceFields.join(", ")}; to change the whole series, PATCH the event or split it from a date`,
        unknown.map((field) => ({ field, message: "is not a field of an occurrence; remove it" })),
      );
    }
    if (b.cancelled !== undefined && typeof b.cancelled !== "boolean") throw invalid("cancelled: must be true or false", [{ field: "cancelled", message: "must be true or false" }]);
    return this.#inSeries(principal, id, async (em, row, series) => {
      const base = checkDate(series, date, id);
      const occ = await occurrenceRow(em, id, date);
      const before = occurrenceOf(series, [toException(occ)], date);
      const input = rowToInput(row);
      const current: EventInput = {
        ...input,
        recurrence: undefined,
        startsAt: occ.startsAt ? Temporal.Instant.fromEpochMilliseconds(occ.startsAt.getTime()) : base.start,
        endsAt: occ.startsAt ? (occ.endsAt ? Temporal.Instant.fromEpochMilliseconds(occ.endsAt.getTime()) : undefined) : base.end,
        location: occ.location ?? input.location,
        onlineUrl: occ.onlineUrl ?? input.onlineUrl,
      };
      const patch: Record<string, unknown> = {};
      for (const f of ["startsAt", "endsAt", "location", "onlineUrl"]) if (b[f] !== undefined && b[f] !== null) patch[f] = b[f];
      if (b.reason !== undefined && b.reason !== null) Object.assign(patch, { statusReason: b.reason, status: "cancelled" });
      const parsed = parseEventInput(patch, { defaultTimezone: input.timezone, primaryLanguage: row.collective.primaryLanguage, partial: true, current });
      if (!parsed.ok) throw invalidEvent(parsed.errors.map((e) => ({ ...e, field: e.field.replace(/^statusReason/, "reason") })));
      const v = parsed.value;
      if (b.cancelled !== undefined) occ.cancelled = b.cancelled as boolean;
      if (b.startsAt === null) Object.assign(occ, { startsAt: null, endsAt: null });
      else if (v.startsAt) Object.assign(occ, { startsAt: new Date(v.startsAt.epochMilliseconds), endsAt: v.endsAt ? new Date(v.endsAt.epochMilliseconds) : null });
      else if (v.endsAt) Object.assign(occ, { startsAt: new Date(current.startsAt.epochMilliseconds), endsAt: new Date(v.endsAt.epochMilliseconds) });
      if (b.location !== undefined) occ.location = b.location === null ? null : (v.location ?? null);
      if (b.onlineUrl !== undefined) occ.onlineUrl = b.onlineUrl === null ? null : (v.onlineUrl ?? null);
      if (b.reason !== undefined) occ.reason = b.reason === null ? null : ((v.statusReason as LanguageMap | undefined) ?? null);
      if (!occ.cancelled && occ.startsAt === null && occ.location === null && occ.onlineUrl === null) occ.reason = null;
      occ.version += 1;
      occ.updatedAt = new Date();
      await em.flush();
      const after = occurrenceOf(series, [toException(occ)], date);
      return { result: after, changed: { date, key: occurrenceKey(date, occ.issue), before, after, federated: Boolean(occ.federatedAt) } };
    });
  }

  /** Gives an occurrence back to the series (its exception removed). */
  async restoreOccurrence(principal: Principal, id: string, date: string): Promise<Occurrence> {
    return this.changeOccurrence(principal, id, date, { cancelled: false, startsAt: null, location: null, onlineUrl: null, reason: null });
  }

  /**
   * Ends the series with the occurrence on or before `after` (its new `until`); later exceptions are
   * dropped. Occurrences already federated after the end, not over yet, are deleted (series-federation.ts);
   * none after the end goes out.
   */
  async end(principal: Principal, id: string, body: unknown): Promise<SeriesView> {
    const after = (body as { after?: unknown } | null)?.after;
    if (typeof after !== "string" || !isDate(after)) throw invalid('send {"after": "2026-06-30"}: the last day the series may fall on', [{ field: "after", message: 'must be a date such as "2026-06-30"' }]);
    return this.#inSeries(principal, id, async (em, row, series) => {
      const first = series.startsAt.toZonedDateTimeISO(series.timezone).toPlainDate().toString();
      if (after < first) throw invalid(`after: ${after} is before the first occurrence (${first}); delete or cancel the event instead`, [{ field: "after", message: `is before ${first}` }]);
      const { count: _count, ...rule } = series.recurrence;
      row.recurrence = { ...rule, until: after };
      for (const occ of await findOccurrenceRows(em, id)) if (occ.date > after && occ.federatedAt === null) dropOccurrence(em, occ);
      await em.flush();
      return { result: null };
    }).then(() => this.occurrences(principal, id, { limit: 1 }));
  }

  /**
   * "Change from this date on": the series ends before `from`, and a new series (a new event, with the
   * patch applied) starts with the occurrence on `from`; exceptions from that date on move to it.
   */
  async split(principal: Principal, id: string, body: unknown): Promise<SeriesView> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid('send {"from": "2026-04-07", …the fields that change}');
    const { from, ...patchBody } = body as Record<string, unknown>;
    if (typeof from !== "string" || !isDate(from)) throw invalid('from: must be the date of an occurrence, such as "2026-04-07"', [{ field: "from", message: "must be a date" }]);
    let newId = "";
    await this.#inSeries(principal, id, async (em, row, series) => {
      const at = checkDate(series, from, id);
      const first = series.startsAt.toZonedDateTimeISO(series.timezone).toPlainDate().toString();
      if (from === first) throw invalid(`from: ${from} is the first occurrence; change the event itself (PATCH) instead`, [{ field: "from", message: "is the first occurrence" }]);
      const input = rowToInput(row);
      let before = 0;
      for (const d of ruleDates(series)) if (d.toString() < from) before++;
      else break;
      const { count, until: _until, ...rule } = series.recurrence;
      const continued: EventInput = {
        ...input,
        startsAt: at.start,
        endsAt: at.end,
        recurrence: { ...rule, ...(count !== undefined ? { count: count - before } : {}), ...(series.recurrence.until ? { until: series.recurrence.until } : {}) },
      };
      const parsed = parseEventInput(patchBody, { defaultTimezone: input.timezone, primaryLanguage: row.collective.primaryLanguage, partial: true, current: continued, mediaOrigin: this.#urls.origin.href });
      if (!parsed.ok) throw invalidEvent(parsed.errors);
      const next = applyEventPatch(continued, parsed.value);
      if (!next.recurrence) throw invalid("recurrence: the part from this date on must repeat; end the series instead", [{ field: "recurrence", message: "cannot be removed here" }]);
      const now = new Date();
      const created = await insertEvent(em, {
        collective: row.collective.id,
        ...inputToColumns(next),
        published: row.published,
        previousSeries: row.id,
        textUpdatedAt: textTimes(undefined, next, now),
        publishedAt: row.published ? now : null,
        createdAt: now,
        updatedAt: now,
      });
      newId = created.id;
      row.nextSeries = created.id;
      const lastDay = Temporal.PlainDate.from(from).subtract({ days: 1 }).toString();
      row.recurrence = { ...rule, until: lastDay };
      // Exceptions from `from` on belong to the new series when it still has that date.
      const newSeries = { startsAt: next.startsAt, endsAt: next.endsAt, timezone: next.timezone, allDay: next.allDay, recurrence: next.recurrence };
      for (const occ of await findOccurrenceRows(em, id)) {
        if (occ.date < from) continue;
        if (isException(occ) && occurrenceOn(newSeries, occ.date) && occ.federatedAt === null) occ.event = created;
        else if (occ.federatedAt === null) dropOccurrence(em, occ);
        else if (isException(occ) && occurrenceOn(newSeries, occ.date)) {
          // Sent as the old series' occurrence (deleted below: #inSeries): the new series keeps its exception, to send as its own.
          const { cancelled, startsAt, endsAt, location, onlineUrl, reason } = occ;
          em.create(EventOccurrenceSchema, { event: created, date: occ.date, cancelled, startsAt, endsAt, location, onlineUrl, reason, updatedAt: now, federatedAt: null });
        }
      }
      await em.flush();
      await writeAudit(em, { collectiveId: row.collective.id, actor: principal, action: "event.create", subject: created.id, detail: `continues ${row.id} from ${from}` });
      return { result: null };
    });
    return this.occurrences(principal, newId, { limit: 1 });
  }

  /**
   * Publishes, once each, the occurrences of published recurring events that start within `leadMs` of
   * `now` (the instance's lead time unless given) (and are not over nor cancelled): one Create of the occurrence's own Event each, through the
   * outbox. The event's row is locked while its occurrences are marked, so several workers publish
   * each occurrence once; the outbox refuses a second row with the same activity id besides.
   */
  async publishDue(now: Date, leadMs: number = this.#leadMs): Promise<number> {
    const horizon = new Date(now.getTime() + leadMs);
    const due = await this.#em.fork().find(EventSchema, { published: true, deletedAt: null, seriesEndsAt: { $gte: now }, startsAt: { $lte: horizon } }, { fields: ["id"] });
    let queued = 0;
    for (const { id } of due) {
      queued += await this.#em.fork().transactional(async (em) => {
        const row = await findLiveEvent(em, id, { forUpdate: true });
        const series = row?.published ? seriesOf(rowToInput(row)) : undefined;
        if (!row || !series) return 0;
        const rows = await findOccurrenceRows(em, id);
        const exceptions = rows.filter(isException).map(toException);
        const window = { from: Temporal.Instant.fromEpochMilliseconds(now.getTime()), to: Temporal.Instant.fromEpochMilliseconds(horizon.getTime()), withoutCancelled: true };
        let n = 0;
        for (const o of expandOccurrences(series, exceptions, window)) {
          const occ = rows.find((r) => r.date === o.date) ?? (await occurrenceRow(em, id, o.date));
          if (occ.federatedAt) continue;
          occ.federatedAt = now;
          await em.flush();
          // After a Delete of its date, it goes out again under a new id (series-dates.ts occurrenceKey).
          const key = occurrenceKey(o.date, occ.issue);
          const apId = this.#urls.eventOccurrence(id, key);
          if (await writeOutbox(em, `${apId.href}#create`, { kind: "create-occurrence", collectiveId: row.collective.id, eventId: id, date: key })) n++;
        }
        return n;
      });
    }
    if (queued > 0) this.#onOutbox();
    return queued;
  }

  /**
   * An occurrence as the Event it federates as, named by its key (its date, `<date>.<issue>` after a
   * Delete: series-dates.ts), for deliveries and its URL; null when there is none. An earlier issue,
   * deleted at followers, is gone (`deletedAt`).
   */
  async occurrenceForDelivery(id: string, key: string): Promise<{ event: PublishedEvent; published: boolean; deletedAt: Temporal.Instant | null; date: string } | null> {
    const parsed = parseOccurrenceKey(key);
    if (!isUuid(id) || !parsed) return null;
    const { date, issue } = parsed;
    const em = this.#em.fork();
    const row = await findEvent(em, id);
    const series = row ? seriesOf(rowToInput(row)) : undefined;
    if (!row || !series || !occurrenceOn(series, date)) return null;
    const rows = await findOccurrenceRows(em, id);
    const own = rows.find((r) => r.date === date);
    if (issue > (own?.issue ?? 1)) return null;
    const o = occurrenceOf(series, rows.filter(isException).map(toException), date);
    const gone = row.deletedAt ?? (issue < own!.issue ? own!.updatedAt : null);
    return {
      event: occurrenceAsEvent(toPublishedEvent(row, row.collective, this.#urls), o, this.#urls.eventOccurrence(id, key)),
      published: row.published,
      deletedAt: gone ? Temporal.Instant.fromEpochMilliseconds(gone.getTime()) : null,
      date,
    };
  }

  /** The keys of the occurrences that went out to followers (deleted events included), for their Deletes. */
  async federatedDates(id: string): Promise<string[]> {
    if (!isUuid(id)) return [];
    return (await findOccurrenceRows(this.#em.fork(), id)).filter((r) => r.federatedAt !== null).map((r) => occurrenceKey(r.date, r.issue));
  }

  /** Runs a change of a recurring event in one transaction: the row locked, versions, series end, feeds. */
  async #inSeries<T>(
    principal: Principal,
    id: string,
    change: (em: EntityManager, row: EventRow & { collective: Collective }, series: Series) => Promise<{ result: T; changed?: ChangedOccurrence }>,
  ): Promise<T> {
    checkId(id);
    const { result, queued } = await this.#em.fork().transactional(async (em) => {
      const row = await findLiveEvent(em, id, { forUpdate: true });
      if (!row) throw notFound(`the event ${id}`);
      assertCanEdit(principal, row, id);
      const series = seriesOf(rowToInput(row));
      if (!series) throw notRecurring(id);
      const before = rowToInput(row);
      const { result, changed } = await change(em, row, series);
      const exceptions: OccurrenceException[] = (await findOccurrenceRows(em, id)).filter(isException).map(toException);
      row.seriesEndsAt = seriesEndColumn(rowToInput(row), exceptions);
      row.version += 1;
      row.sequence += 1;
      row.updatedAt = new Date();
      await em.flush();
      await bumpEventsVersion(em, row.collective.id);
      const name = row.name[row.collective.primaryLanguage] ?? Object.values(row.name)[0];
      await writeAudit(em, { collectiveId: row.collective.id, actor: principal, action: "event.change", subject: row.id, detail: changed ? `${name} (${changed.date})` : name });
      // One occurrence changed, or the whole series (its end, or its part from a date on): what went out is put right.
      const queued = changed
        ? changed.federated && row.published && (await queueOccurrenceChange(em, { urls: this.#urls, changeNoteText: this.#changeNoteText }, row, changed))
        : await queueSeriesChange(em, { urls: this.#urls, changeNoteText: this.#changeNoteText, now: this.#now() }, row, before, rowToInput(row));
      return { result, queued };
    });
    await this.#onChange();
    if (queued) this.#onOutbox();
    return result;
  }
}
