import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { conflict, forbidden, invalid, notFound } from "../../shared/errors.ts";
import type { Translate } from "../../shared/i18n.ts";
import { decodeCursor, keyChecks, type Page, type PageRequest, toPage } from "../../shared/list-page.ts";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { type Collective, CollectiveSchema } from "../collective/collective.entity.ts";
import { CallSignatureSchema } from "../cosign/cosign.entity.ts";
import { defaultZoneFor } from "../event/event.service.ts";
import { describeCallChange, snapshotCallVersion } from "./call-changes.ts";
import { type CallFederationDeps, queueCallCreate, queueCallDelete, queueCallUpdate } from "./call-federation.ts";
import { assertCallStatus, auditCall, type CallActor, checkRelatedEvents, invalidCall, mayEdit, mayReadPrivate } from "./call-guards.ts";
import { callWording } from "./call-wording.ts";
import { type CallRow, CallSchema } from "./call.entity.ts";
import { rowToText, textToColumns, toCallView, toChangeNoteView, toVersionView } from "./call.record.ts";
import {
  findCallChangeNote,
  findCalls,
  findDueCalls,
  findRelatedEvents,
  findVersion,
  findVersions,
  lastSignatoriesNote,
  markCallChangeNoteSent,
  sentCallChangeNotes,
} from "./call.repository.ts";
import { applyCallPatch, parseCallInput } from "./call.schema.ts";
import { type CallChangeKind, type CallChangeNoteView, type CallVersionView, type CallView, editableStatuses } from "./call.types.ts";

export { describeCallChange } from "./call-changes.ts";
export type { CallActor } from "./call-guards.ts";

const callListName = "calls";
const callKeyShape = [keyChecks.instant, keyChecks.uuid];

/**
 * Calls to action of collectives. A draft is edited in place; from consultation on, every saved change
 * is a new immutable version. Changes of a public call and the activities they send are written in one
 * transaction (transactional outbox), with the change note that says what changed.
 */
export class CallService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #federation: CallFederationDeps;
  readonly #onOutbox: () => void;
  readonly #onNewVersion: (em: EntityManager, callId: string) => Promise<boolean>;

  /**
   * `translate` words the change notes; `onOutbox` runs after a commit that queued activities
   * (cached documents learn of changes from the commit itself: src/db/committed-writes.ts);
   * `onNewVersion` runs in the transaction that writes a new version (co-signatures are reviewed
   * there) and says whether it queued activities.
   */
  constructor(
    em: EntityManager,
    urls: Urls,
    opts: {
      translate: Translate;
      onOutbox?: () => void;
      onNewVersion?: (em: EntityManager, callId: string) => Promise<boolean>;
    },
  ) {
    this.#em = em;
    this.#urls = urls;
    this.#federation = { urls, wording: callWording(opts.translate) };
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#onNewVersion = opts.onNewVersion ?? (async () => false);
  }

  async create(actor: CallActor, slug: string, body: unknown): Promise<CallView> {
    const collective = await this.#em.fork().findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    if (!mayEdit(actor, collective.id)) throw forbidden(`you are not an editor of "${slug}"`);
    const parsed = parseCallInput(body, {
      primaryLanguage: collective.primaryLanguage,
      defaultTimezone: defaultZoneFor(collective.primaryLanguage),
      mediaOrigin: this.#urls.origin.href,
    });
    if (!parsed.ok) throw invalidCall(parsed.errors);
    return this.#em.fork().transactional(async (em) => {
      await checkRelatedEvents(em, parsed.value.relatedEvents);
      const now = new Date();
      const row = em.create(CallSchema, { collective: collective.id, status: "draft", ...textToColumns(parsed.value), createdAt: now, updatedAt: now });
      await em.flush();
      await auditCall(em, actor, collective, "call.create", row);
      return this.#view(em, row, collective);
    });
  }

  /**
   * Changes the text. `ifVersion`: the version the editor saw (HTTP If-Match); `ifUpdatedAt`: the time
   * of the save the editor saw (the web form, drafts included); another save since then is a 409, so
   * that nobody overwrites a change unseen. `mergeLanguages` (the JSON API): a language map sent changes
   * only the languages it names (null removes one); without, it replaces the stored map (the editor's form).
   */
  async update(
    actor: CallActor,
    id: string,
    body: unknown,
    opts: { ifVersion?: number; ifUpdatedAt?: Temporal.Instant; mergeLanguages?: boolean } = {},
  ): Promise<CallView> {
    return this.#change(actor, id, async (em, row, collective) => {
      if (opts.ifVersion !== undefined && opts.ifVersion !== row.version) {
        throw conflict(`the call has changed since you read it (it is at version ${row.version}, you saw ${opts.ifVersion}): read it again and redo your change`);
      }
      // A draft keeps version 0 while it is edited: the time of its last save tells an editor's form is stale.
      if (opts.ifUpdatedAt !== undefined && opts.ifUpdatedAt.epochMilliseconds !== row.updatedAt.getTime()) {
        throw conflict("the call has been saved since you read it: read it again and redo your change");
      }
      if (!editableStatuses.includes(row.status)) {
        throw conflict(`a ${row.status} call cannot change any more; create a new call instead`);
      }
      const before = rowToText(row, collective.primaryLanguage);
      const parsed = parseCallInput(body, {
        primaryLanguage: collective.primaryLanguage,
        defaultTimezone: before.timezone,
        partial: true,
        current: before,
        mergeLanguages: opts.mergeLanguages ?? false,
        mediaOrigin: this.#urls.origin.href,
      });
      if (!parsed.ok) throw invalidCall(parsed.errors);
      const after = applyCallPatch(before, parsed.value);
      await checkRelatedEvents(em, after.relatedEvents.filter((e) => !before.relatedEvents.includes(e)));
      const { changed, kinds } = describeCallChange(before, after);
      if (!changed) return { action: undefined, queued: false };
      em.assign(row, textToColumns(after));
      row.updatedAt = new Date();
      if (row.status === "draft") return { action: "call.change", queued: false };
      // Outside a draft every saved change is a new version; followers hear of it once the call is public.
      row.version += 1;
      await snapshotCallVersion(em, row);
      const asked = await this.#onNewVersion(em, row.id);
      if (row.status !== "open") return { action: "call.change", queued: asked };
      return { action: "call.change", queued: (await this.#queueUpdate(em, row, collective, kinds)) || asked };
    });
  }

  /** Draft → consultation: invited partners may read it (and only they); its first version is written. */
  async consult(actor: CallActor, id: string): Promise<CallView> {
    return this.#change(actor, id, async (em, row) => {
      assertCallStatus(row, ["draft"], "consultation");
      row.status = "consultation";
      row.updatedAt = new Date();
      if (row.version === 0) {
        row.version = 1;
        await snapshotCallVersion(em, row);
      }
      return { action: "call.consult", queued: false };
    });
  }

  /** Draft or consultation → open: the call becomes public and is sent to the collective's followers. */
  async open(actor: CallActor, id: string): Promise<CallView> {
    return this.#change(actor, id, async (em, row, collective) => {
      assertCallStatus(row, ["draft", "consultation"], "open");
      const now = new Date();
      if (row.deadline && row.deadline.getTime() <= now.getTime()) {
        throw invalid("the signing deadline has passed: move it or remove it before launching the call", [
          { field: "deadline", message: "is in the past; move it later or remove it" },
        ]);
      }
      row.status = "open";
      row.launchedAt = now;
      row.updatedAt = now;
      if (row.version === 0) {
        row.version = 1;
        await snapshotCallVersion(em, row);
      }
      return { action: "call.open", queued: await queueCallCreate(em, this.#urls, row, collective) };
    });
  }

  /** Open → closed: signing ends (an editor, or the deadline). */
  async close(actor: CallActor, id: string): Promise<CallView> {
    return this.#change(actor, id, async (em, row, collective) => {
      assertCallStatus(row, ["open"], "closed");
      return { action: "call.close", queued: await this.#closeRow(em, row, collective) };
    });
  }

  /** Consultation, open or closed → withdrawn: the collective no longer stands by the call. */
  async withdraw(actor: CallActor, id: string): Promise<CallView> {
    return this.#change(actor, id, async (em, row, collective) => {
      assertCallStatus(row, ["consultation", "open", "closed"], "withdrawn");
      row.status = "withdrawn";
      row.withdrawnAt = new Date();
      row.updatedAt = row.withdrawnAt;
      const queued = row.launchedAt ? await this.#queueUpdate(em, row, collective, ["withdrawn"]) : false;
      return { action: "call.withdraw", queued };
    });
  }

  /** Deletes a call: 410 with a Tombstone once it was public (and a Delete to followers), 404 otherwise. */
  async delete(actor: CallActor, id: string): Promise<void> {
    await this.#change(actor, id, async (em, row, collective) => {
      row.deletedAt = new Date();
      row.updatedAt = row.deletedAt;
      return { action: "call.delete", queued: await queueCallDelete(em, this.#urls, row, collective) };
    });
  }

  /** Closes the open calls whose deadline has passed; returns how many. The worker calls it every minute. */
  async closeDue(now: Date = new Date()): Promise<number> {
    const due = await findDueCalls(this.#em.fork(), now, 50);
    let closed = 0;
    for (const candidate of due) {
      const queued = await this.#em.fork().transactional(async (em) => {
        const row = await em.findOne(CallSchema, { id: candidate.id, status: "open", deletedAt: null }, { populate: ["collective"], lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!row?.deadline || row.deadline.getTime() > now.getTime()) return undefined;
        return this.#closeRow(em, row, row.collective);
      });
      if (queued === undefined) continue;
      closed += 1;
      if (queued) this.#onOutbox();
    }
    return closed;
  }

  /** One call for its editors (drafts included); a public call for anyone. */
  async get(actor: CallActor | null, id: string): Promise<CallView> {
    const em = this.#em.fork();
    const row = isUuid(id) ? await em.findOne(CallSchema, { id, deletedAt: null }, { populate: ["collective"] }) : null;
    if (!row || (!row.launchedAt && !mayReadPrivate(actor, row.collective.id))) throw notFound(`the call ${id}`);
    return this.#view(em, row, row.collective);
  }

  /** A collective's calls, newest first: public ones, and drafts and consultations for its editors when asked. */
  async list(slug: string, actor: CallActor | null, opts: { includePrivate?: boolean; limit?: number } = {}): Promise<readonly CallView[]> {
    return (await this.page(slug, actor, { includePrivate: opts.includePrivate }, { limit: Math.min(opts.limit ?? 100, 500) })).items;
  }

  /** One page of a collective's calls, newest first (the API's list); a bad cursor is a 400. */
  async page(slug: string, actor: CallActor | null, opts: { includePrivate?: boolean | undefined }, request: PageRequest): Promise<Page<CallView>> {
    const em = this.#em.fork();
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    const includePrivate = opts.includePrivate === true && mayReadPrivate(actor, collective.id);
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, callListName, callKeyShape) as [number, string]);
    const rows = await findCalls(em, collective.id, { includePrivate, limit: request.limit + 1, after });
    const page = toPage(rows, request.limit, callListName, (r) => [r.createdAt.getTime(), r.id], (r) => r);
    return { items: await Promise.all(page.items.map((r) => this.#view(em, r, collective))), next: page.next };
  }

  /**
   * Any stored call, deleted or not yet public, for the federation layer and the pages (which decide
   * what to show of it); null for an unknown id.
   */
  async load(id: string): Promise<CallView | null> {
    if (!isUuid(id)) return null;
    const em = this.#em.fork();
    const row = await em.findOne(CallSchema, { id }, { populate: ["collective"] });
    return row ? this.#view(em, row, row.collective) : null;
  }

  /** The versions of a call, oldest first. */
  async versions(id: string): Promise<CallVersionView[]> {
    if (!isUuid(id)) return [];
    const em = this.#em.fork();
    const primary = await this.#primaryOf(em, id);
    return (await findVersions(em, id)).map((v) => toVersionView(id, v, primary));
  }

  async version(id: string, version: number): Promise<CallVersionView | null> {
    if (!isUuid(id) || !Number.isSafeInteger(version)) return null;
    const em = this.#em.fork();
    const row = await findVersion(em, id, version);
    return row ? toVersionView(id, row, await this.#primaryOf(em, id)) : null;
  }

  /**
   * New signatories of open calls, batched (issue 9, design §11): a call whose signatures listed since its
   * launch are not yet named in a note gets one change note naming them all, once the oldest of them is
   * an hour old (so that a burst comes as one note) and at most one such note a day. Signatures listed
   * before the launch are not news: the launch carries them. Returns how many notes were written.
   */
  async noteNewSignatories(now: Date = new Date()): Promise<number> {
    const hour = 60 * 60 * 1000;
    const candidates = await this.#em.fork().find(CallSchema, { status: "open", deletedAt: null, launchedAt: { $ne: null } }, { fields: ["id"], limit: 1000 });
    let written = 0;
    for (const { id } of candidates) {
      const queued = await this.#em.fork().transactional(async (em) => {
        const row = await em.findOne(CallSchema, { id, status: "open", deletedAt: null }, { populate: ["collective"], lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!row?.launchedAt) return false;
        const fresh = await em.find(CallSignatureSchema, { call: row.id, state: "current", notedAt: null, createdAt: { $gt: row.launchedAt } }, { orderBy: { createdAt: "asc" } });
        if (fresh.length === 0 || (fresh[0] as { createdAt: Date }).createdAt.getTime() > now.getTime() - hour) return false;
        const last = await lastSignatoriesNote(em, row.id);
        if (last && now.getTime() - last.getTime() < 24 * hour) return false;
        for (const s of fresh) s.notedAt = now;
        const names = fresh.map((s) => s.signerName ?? s.signerApId);
        const queued = await this.#queueUpdate(em, row, row.collective, ["signatories"], { signatories: names, at: now });
        written++;
        return queued;
      });
      if (queued) this.#onOutbox();
    }
    return written;
  }

  /** A change note, to send it with its Update and to serve it at its URL. */
  async changeNote(id: string, revision: number): Promise<CallChangeNoteView | null> {
    if (!isUuid(id) || !Number.isSafeInteger(revision)) return null;
    const em = this.#em.fork();
    const row = await findCallChangeNote(em, id, revision);
    return row ? toChangeNoteView(id, row, await this.#primaryOf(em, id)) : null;
  }

  async markChangeNoteSent(id: string, revision: number): Promise<void> {
    await markCallChangeNoteSent(this.#em.fork(), id, revision);
  }

  /** The change notes of a call that followers may have received, oldest first. */
  async sentChangeNotes(id: string): Promise<CallChangeNoteView[]> {
    if (!isUuid(id)) return [];
    const em = this.#em.fork();
    const primary = await this.#primaryOf(em, id);
    return (await sentCallChangeNotes(em, id)).map((r) => toChangeNoteView(id, r, primary));
  }

  // -------------------------------------------------------------------------------------------------

  /**
   * One change of a call in one transaction: the row locked, the editor checked (another collective's
   * call that is not public answers as an unknown id), the change, its audit entry and its outbox rows.
   */
  async #change(
    actor: CallActor,
    id: string,
    apply: (em: EntityManager, row: CallRow, collective: Collective) => Promise<{ action: AuditAction | undefined; queued: boolean }>,
  ): Promise<CallView> {
    if (!isUuid(id)) throw notFound(`the call ${id}`);
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const row = await em.findOne(CallSchema, { id, deletedAt: null }, { populate: ["collective"], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) throw notFound(`the call ${id}`);
      const collective = row.collective;
      if (!mayEdit(actor, collective.id)) {
        if (!row.launchedAt) throw notFound(`the call ${id}`);
        throw forbidden(`you are not an editor of "${collective.slug}"`);
      }
      const { action, queued } = await apply(em, row, collective);
      await em.flush();
      if (action) await auditCall(em, actor, collective, action, row);
      return { view: await this.#view(em, row, collective), queued };
    });
    if (queued) this.#onOutbox();
    return view;
  }

  async #closeRow(em: EntityManager, row: CallRow, collective: Collective): Promise<boolean> {
    row.status = "closed";
    row.closedAt = new Date();
    row.updatedAt = row.closedAt;
    return this.#queueUpdate(em, row, collective, ["closed"]);
  }

  #queueUpdate(em: EntityManager, row: CallRow, collective: Collective, kinds: readonly CallChangeKind[], extra: { signatories?: readonly string[]; at?: Date } = {}): Promise<boolean> {
    return queueCallUpdate(em, this.#federation, row, collective, kinds, extra);
  }

  /** The primary language of a call's collective (language maps are read back in jsonb's key order). */
  async #primaryOf(em: EntityManager, callId: string): Promise<string> {
    const row = await em.findOne(CallSchema, { id: callId }, { populate: ["collective"] });
    return row?.collective.primaryLanguage ?? "und";
  }

  async #view(em: EntityManager, row: CallRow, collective: Collective): Promise<CallView> {
    return toCallView(row, collective, await findRelatedEvents(em, row.relatedEvents, this.#urls), this.#urls);
  }
}

/** Whether a call's page, document and versions are public. */
export const isPublic = (call: Pick<CallView, "launchedAt">): boolean => call.launchedAt !== undefined;
