import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { conflict, forbidden, invalid, notFound } from "../../shared/errors.ts";
import { primaryFirst } from "../../shared/language.ts";
import { decodeCursor, keyChecks, type Page, type PageRequest, toPage } from "../../shared/list-page.ts";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import { type Collective, CollectiveSchema } from "../collective/collective.entity.ts";
import { can } from "../collective/collective.policy.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import type { Principal } from "../user/user.service.ts";
import { type SloganRow, SloganSchema } from "./slogan.entity.ts";
import { findAdoption, findOwnCall, findOwnEvent, findSlogans, findSlogansOfCall, findSlogansOfEvent, isPartner } from "./slogan.repository.ts";
import { type FieldError, parseSloganInput, type SloganPatch, sloganLine } from "./slogan.schema.ts";
import { type IncomingSlogan, isSloganLanguage, sloganLimits, type SloganView } from "./slogan.types.ts";

const listName = "slogans";
const keyShape = [keyChecks.instant, keyChecks.uuid];

/** Who acts on a slogan: an editor (a web session or an API token), or the operator at the CLI. */
export type SloganActor = Principal | "cli";

const mayEdit = (actor: SloganActor, collectiveId: string) => actor === "cli" || can(actor, "edit-calls", collectiveId);
const mayReadDrafts = (actor: SloganActor | null, collectiveId: string) => actor === "cli" || (actor !== null && can(actor, "read-private", collectiveId));

const invalidSlogan = (errors: readonly FieldError[]) =>
  invalid(`the slogan is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

/**
 * Slogans of collectives: a line per language, published to the collective's followers (a Note), each
 * change a new version (placards are cached by it). Every change, its audit entry and the activity to
 * send are written in one transaction (transactional outbox).
 */
export class SloganService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #onOutbox: () => void;
  readonly #onChange: (id: string) => void;

  /** `onOutbox` runs after a commit that queued activities; `onChange` after any change of a slogan (caches). */
  constructor(em: EntityManager, urls: Urls, opts: { onOutbox?: () => void; onChange?: (id: string) => void } = {}) {
    this.#em = em;
    this.#urls = urls;
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#onChange = opts.onChange ?? (() => {});
  }

  async create(actor: SloganActor, slug: string, body: unknown): Promise<SloganView> {
    const collective = await this.#editable(actor, slug);
    const parsed = parseSloganInput(body, { primaryLanguage: collective.primaryLanguage });
    if (!parsed.ok) throw invalidSlogan(parsed.errors);
    return this.#insert(actor, collective, parsed.value, undefined, "slogan.create");
  }

  /**
   * Adopts a partner's slogan: a slogan of ours with the same text and tags that keeps (and shows) its
   * origin. Only from a partner the collective follows; once per original.
   */
  async adopt(actor: SloganActor, slug: string, incoming: IncomingSlogan, opts: { published?: boolean } = {}): Promise<SloganView> {
    const collective = await this.#editable(actor, slug);
    if (incoming.actorApId.href === this.#urls.collective(slug).href) throw conflict("this slogan is already the collective's own");
    if (incoming.apId.origin !== incoming.actorApId.origin) throw invalid(`${incoming.apId.href} is not on its author's server; adopt it from there`);
    const em = this.#em.fork();
    if (!(await isPartner(em, collective.id, incoming.actorApId.href))) {
      throw forbidden(`${incoming.actorApId.href} is not a partner of "${slug}": follow it as a partner first (relais partner follow)`);
    }
    const existing = await findAdoption(em, collective.id, incoming.apId.href);
    if (existing) throw conflict(`"${slug}" adopted this slogan already: ${this.#urls.slogan(existing.id).href}`);
    const text = Object.fromEntries(
      Object.entries(incoming.text)
        .filter(([lang]) => isSloganLanguage(lang))
        .map(([lang, line]) => [lang, sloganLine(line).slice(0, sloganLimits.text)] as const)
        .filter(([, line]) => line !== ""),
    );
    if (Object.keys(text).length === 0) throw invalid("that slogan has no text in fr, de, nl or en: nothing to adopt");
    const tags = incoming.tags.filter((t) => /^[\p{L}\p{M}\p{N}_]{1,50}$/u.test(t)).slice(0, sloganLimits.tags);
    const origin = {
      originApId: incoming.apId.href,
      originActorApId: incoming.actorApId.href,
      originActorName: incoming.actorName ? sloganLine(incoming.actorName).slice(0, sloganLimits.originName) : null,
      originUrl: incoming.url?.href ?? null,
    };
    return this.#insert(actor, collective, { text: primaryFirst(text, collective.primaryLanguage), tags, published: opts.published ?? true }, origin, "slogan.adopt");
  }

  /**
   * Changes a slogan. `ifVersion`: the version the editor saw (If-Match); another save since is a 409.
   * `mergeLanguages` (the JSON API): the text sent changes only the languages it names (null removes
   * one); without, it replaces the stored text (the editor's form).
   */
  async update(actor: SloganActor, id: string, body: unknown, opts: { ifVersion?: number; mergeLanguages?: boolean } = {}): Promise<SloganView> {
    return this.#change(actor, id, async (em, row, collective) => {
      if (opts.ifVersion !== undefined && opts.ifVersion !== row.version) {
        throw conflict(`the slogan has changed since you read it (it is at version ${row.version}, you saw ${opts.ifVersion}): read it again and redo your change`);
      }
      const parsed = parseSloganInput(body, { primaryLanguage: collective.primaryLanguage, partial: true, ...(opts.mergeLanguages ? { currentText: row.text } : {}) });
      if (!parsed.ok) throw invalidSlogan(parsed.errors);
      const patch = parsed.value;
      await this.#checkAttachments(em, collective, patch);
      const wasPublished = row.published;
      const sorted = (map: Readonly<Record<string, string>>) => Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const state = (text: Readonly<Record<string, string>>, tags: readonly string[], call: string | null, event: string | null) => JSON.stringify([sorted(text), tags, call, event]);
      const before = state(row.text, row.tags, row.call?.id ?? null, row.event?.id ?? null);
      const after = {
        text: patch.text ?? row.text,
        tags: patch.tags ?? row.tags,
        call: patch.callId !== undefined ? patch.callId : (row.call?.id ?? null),
        event: patch.eventId !== undefined ? patch.eventId : (row.event?.id ?? null),
      };
      const changed = before !== state(after.text, after.tags, after.call, after.event);
      if (changed) em.assign(row, { text: after.text, tags: [...after.tags], call: after.call, event: after.event });
      const publishing = patch.published === true && !wasPublished;
      if (patch.published === false && wasPublished) throw conflict("a published slogan cannot go back to draft; delete it instead");
      if (!changed && !publishing) return { action: undefined, queued: false };
      const now = new Date();
      if (changed) row.version += 1;
      row.updatedAt = now;
      if (publishing) {
        row.published = true;
        row.publishedAt = now;
        return { action: "slogan.change", queued: await writeOutbox(em, `${this.#urls.slogan(row.id).href}#create`, { kind: "create-slogan", collectiveId: collective.id, sloganId: row.id }) };
      }
      if (!wasPublished) return { action: "slogan.change", queued: false };
      const queued = await writeOutbox(em, `${this.#urls.slogan(row.id).href}#update-${row.version}`, {
        kind: "update-slogan",
        collectiveId: collective.id,
        sloganId: row.id,
        version: row.version,
      });
      return { action: "slogan.change", queued };
    });
  }

  /** Deletes a slogan: 410 with a Tombstone once it was published (and a Delete to followers), 404 otherwise. */
  async delete(actor: SloganActor, id: string): Promise<void> {
    await this.#change(actor, id, async (em, row, collective) => {
      row.deletedAt = new Date();
      row.updatedAt = row.deletedAt;
      const queued = row.published
        ? await writeOutbox(em, `${this.#urls.slogan(row.id).href}#delete`, { kind: "delete-slogan", collectiveId: collective.id, sloganId: row.id })
        : false;
      return { action: "slogan.delete", queued };
    });
  }

  /** One slogan for its editors (drafts included); a published one for anyone. */
  async get(actor: SloganActor | null, id: string): Promise<SloganView> {
    const em = this.#em.fork();
    const row = isUuid(id) ? await em.findOne(SloganSchema, { id, deletedAt: null }, { populate: ["collective", "call", "event"] }) : null;
    if (!row || (!row.published && !mayReadDrafts(actor, row.collective.id))) throw notFound(`the slogan ${id}`);
    return this.#view(row);
  }

  /** Any stored slogan, deleted or draft, for the federation layer and the pages (which decide what to show); null for an unknown id. */
  async load(id: string): Promise<SloganView | null> {
    if (!isUuid(id)) return null;
    const row = await this.#em.fork().findOne(SloganSchema, { id }, { populate: ["collective", "call", "event"] });
    return row ? this.#view(row) : null;
  }

  /** One page of a collective's slogans, newest first; drafts for its editors when asked. A bad cursor is a 400. */
  async page(slug: string, actor: SloganActor | null, opts: { includeDrafts?: boolean | undefined }, request: PageRequest): Promise<Page<SloganView>> {
    const em = this.#em.fork();
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    const includeDrafts = opts.includeDrafts === true && mayReadDrafts(actor, collective.id);
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, listName, keyShape) as [number, string]);
    const rows = await findSlogans(em, collective.id, { includeDrafts, limit: request.limit + 1, after });
    await em.populate(rows, ["call", "event"]);
    return toPage(rows, request.limit, listName, (r) => [r.createdAt.getTime(), r.id], (r) => this.#view(r));
  }

  async list(slug: string, actor: SloganActor | null, opts: { includeDrafts?: boolean; limit?: number } = {}): Promise<readonly SloganView[]> {
    return (await this.page(slug, actor, { includeDrafts: opts.includeDrafts }, { limit: Math.min(opts.limit ?? 100, 500) })).items;
  }

  /** The published slogans attached to a call (its page lists them). */
  async ofCall(callId: string, limit = 50): Promise<SloganView[]> {
    if (!isUuid(callId)) return [];
    const em = this.#em.fork();
    const rows = await findSlogansOfCall(em, callId, limit);
    await em.populate(rows, ["call", "event"]);
    return rows.map((r) => this.#view(r));
  }

  /** The published slogans attached to an event (its page lists them). */
  async ofEvent(eventId: string, limit = 50): Promise<SloganView[]> {
    if (!isUuid(eventId)) return [];
    const em = this.#em.fork();
    const rows = await findSlogansOfEvent(em, eventId, limit);
    await em.populate(rows, ["call", "event"]);
    return rows.map((r) => this.#view(r));
  }

  /** A published slogan of this instance as a partner's slogan to adopt (the federation layer reads others'). */
  async asIncoming(apId: URL): Promise<IncomingSlogan | undefined> {
    const id = this.#urls.sloganId(apId);
    const slogan = id ? await this.load(id) : null;
    if (!slogan?.published || slogan.deletedAt) return undefined;
    return {
      apId: slogan.apId,
      actorApId: slogan.collective.apId,
      actorName: slogan.collective.name[slogan.collective.primaryLanguage] ?? Object.values(slogan.collective.name)[0],
      url: slogan.apId,
      text: slogan.text,
      tags: slogan.tags,
    };
  }

  async #editable(actor: SloganActor, slug: string): Promise<Collective> {
    const collective = await this.#em.fork().findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    if (!mayEdit(actor, collective.id)) throw forbidden(`you are not an editor of "${slug}"`);
    return collective;
  }

  async #insert(
    actor: SloganActor,
    collective: Collective,
    value: SloganPatch,
    origin: { originApId: string; originActorApId: string; originActorName: string | null; originUrl: string | null } | undefined,
    action: AuditAction,
  ): Promise<SloganView> {
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      await this.#checkAttachments(em, collective, value);
      const now = new Date();
      const published = value.published ?? true;
      const row = em.create(SloganSchema, {
        collective: collective.id,
        text: value.text ?? {},
        tags: value.tags ?? [],
        call: value.callId ?? null,
        event: value.eventId ?? null,
        ...(origin ?? {}),
        version: 1,
        published,
        createdAt: now,
        updatedAt: now,
        publishedAt: published ? now : null,
      });
      await em.flush();
      const queued = published
        ? await writeOutbox(em, `${this.#urls.slogan(row.id).href}#create`, { kind: "create-slogan", collectiveId: collective.id, sloganId: row.id })
        : false;
      await this.#audit(em, actor, collective, action, row);
      await em.populate(row, ["collective", "call", "event"]);
      return { view: this.#view(row), queued };
    });
    if (queued) this.#onOutbox();
    this.#onChange(view.id);
    return view;
  }

  async #change(
    actor: SloganActor,
    id: string,
    apply: (em: EntityManager, row: SloganRow, collective: Collective) => Promise<{ action: AuditAction | undefined; queued: boolean }>,
  ): Promise<SloganView> {
    if (!isUuid(id)) throw notFound(`the slogan ${id}`);
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const row = await em.findOne(SloganSchema, { id, deletedAt: null }, { populate: ["collective", "call", "event"], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) throw notFound(`the slogan ${id}`);
      const collective = row.collective;
      if (!mayEdit(actor, collective.id)) {
        throw row.published || mayReadDrafts(actor, collective.id) ? forbidden(`you are not an editor of "${collective.slug}"`) : notFound(`the slogan ${id}`);
      }
      const { action, queued } = await apply(em, row, collective);
      await em.flush();
      if (action) await this.#audit(em, actor, collective, action, row);
      await em.populate(row, ["call", "event"], { refresh: true });
      return { view: this.#view(row), queued };
    });
    if (queued) this.#onOutbox();
    this.#onChange(view.id);
    return view;
  }

  async #checkAttachments(em: EntityManager, collective: Collective, value: SloganPatch): Promise<void> {
    const errors: FieldError[] = [];
    if (value.callId && !(await findOwnCall(em, collective.id, value.callId))) {
      errors.push({ field: "call", message: `${value.callId} is no call to action of "${collective.slug}"; create it first, or leave the call out` });
    }
    if (value.eventId && !(await findOwnEvent(em, collective.id, value.eventId))) {
      errors.push({ field: "event", message: `${value.eventId} is no event of "${collective.slug}"; create it first, or leave the event out` });
    }
    if (errors.length > 0) throw invalidSlogan(errors);
  }

  async #audit(em: EntityManager, actor: SloganActor, collective: Collective, action: AuditAction, row: SloganRow): Promise<void> {
    const detail = row.text[collective.primaryLanguage] ?? Object.values(row.text)[0];
    await writeAudit(em, { collectiveId: collective.id, actor, action, subject: row.id, detail });
  }

  #view(row: SloganRow): SloganView {
    const collective = row.collective;
    const primary = collective.primaryLanguage;
    const call = row.call?.launchedAt && !row.call.deletedAt ? { id: row.call.id, apId: this.#urls.call(row.call.id), title: primaryFirst(row.call.title, primary) } : undefined;
    const event = row.event?.published && !row.event.deletedAt ? { id: row.event.id, apId: this.#urls.event(row.event.id), name: primaryFirst(row.event.name, primary) } : undefined;
    return {
      id: row.id,
      apId: this.#urls.slogan(row.id),
      text: primaryFirst(row.text, primary),
      tags: row.tags,
      callId: row.call?.id,
      eventId: row.event?.id,
      version: row.version,
      published: row.published,
      collective: { id: collective.id, apId: this.#urls.collective(collective.slug), slug: collective.slug, primaryLanguage: primary, name: collective.name },
      origin: row.originApId
        ? { apId: row.originApId, actorApId: row.originActorApId ?? row.originApId, actorName: row.originActorName ?? null, url: row.originUrl ?? null }
        : undefined,
      call,
      event,
      createdAt: instant(row.createdAt),
      updatedAt: instant(row.updatedAt),
      publishedAt: row.publishedAt ? instant(row.publishedAt) : undefined,
      deletedAt: row.deletedAt ? instant(row.deletedAt) : undefined,
    };
  }
}
