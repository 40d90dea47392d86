import { randomBytes } from "node:crypto";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { forbidden, invalid, notFound } from "../../shared/errors.ts";
import type { Urls } from "../../shared/urls.ts";
import { isUuid } from "../../shared/uuid.ts";
import type { AuditAction } from "../audit/audit.entity.ts";
import { type Collective, CollectiveSchema } from "../collective/collective.entity.ts";
import { defaultZoneFor } from "../event/event.service.ts";
import type { PressFileStore } from "./presskit-files.ts";
import { queuePressKitCreate, queuePressKitDelete, queuePressKitUpdate } from "./presskit-federation.ts";
import { auditKit, checkKitLinks, fileRefusalMessages, hashToken, invalidFileMeta, invalidKit, mayEdit, mayReadPrivate, type PressKitActor, parseLinkInput } from "./presskit-guards.ts";
import { instant, pressKitView, rowToText, textToColumns, toFileView, toLinkView } from "./presskit-views.ts";
import { PressKitFileSchema, PressKitLinkSchema, type PressKitRow, PressKitSchema } from "./presskit.entity.ts";
import { findDueKits, findFiles, findKits, findPublishedKitsAbout, findLinkByHash, findLinks, markPublished, nextFilePosition } from "./presskit.repository.ts";
import { applyPressKitPatch, parseFileMeta, parsePressKitInput } from "./presskit.schema.ts";
import type { PressKitFileView, PressKitLinkView, PressKitView } from "./presskit.types.ts";

export { fileRefusalMessages, type PressKitActor } from "./presskit-guards.ts";
export { isPublic } from "./presskit-views.ts";

export interface PressKitServiceOptions {
  /** Runs after a commit that queued activities (the outbox relay's nudge). */
  readonly onOutbox?: () => void;
  /** The time: embargoes, link expiry and publication read it (tests inject theirs). */
  readonly clock?: () => Date;
}

/**
 * Press kits of collectives. A kit is invisible until it is published: at its embargo time by the worker
 * (`publishDue`, once, even with several workers: the guard is in the UPDATE), or at once by an editor.
 * Before that only its editors and holders of a secret link see it. Publication, later changes and
 * deletion write their outbox row in the same transaction as the change, with their audit entry.
 */
export class PressKitService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #files: PressFileStore;
  readonly #onOutbox: () => void;
  readonly #clock: () => Date;

  constructor(em: EntityManager, urls: Urls, files: PressFileStore, opts: PressKitServiceOptions = {}) {
    this.#em = em;
    this.#urls = urls;
    this.#files = files;
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#clock = opts.clock ?? (() => new Date());
  }

  get files(): PressFileStore {
    return this.#files;
  }

  now(): Date {
    return this.#clock();
  }

  async create(actor: PressKitActor, slug: string, body: unknown): Promise<PressKitView> {
    const collective = await this.#em.fork().findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    if (!mayEdit(actor, collective.id)) throw forbidden(`you are not an editor of "${slug}"`);
    const parsed = parsePressKitInput(body, { primaryLanguage: collective.primaryLanguage, defaultTimezone: defaultZoneFor(collective.primaryLanguage) });
    if (!parsed.ok) throw invalidKit(parsed.errors);
    return this.#em.fork().transactional(async (em) => {
      await checkKitLinks(em, parsed.value, collective.id);
      const now = this.#clock();
      const row = em.create(PressKitSchema, { collective: collective.id, ...textToColumns(parsed.value), createdAt: now, updatedAt: now });
      await em.flush();
      await auditKit(em, actor, collective, "presskit.create", row);
      return this.#view(em, row, collective);
    });
  }

  /**
   * Changes the release, the contact or the embargo; a published kit sends an Update to followers.
   * `mergeLanguages` (the JSON API): a language map sent changes only the languages it names (null
   * removes one); without, it replaces the stored map (the editor's form).
   */
  async update(actor: PressKitActor, id: string, body: unknown, opts: { mergeLanguages?: boolean } = {}): Promise<PressKitView> {
    return this.#change(actor, id, async (em, row, collective) => {
      const before = rowToText(row, collective.primaryLanguage);
      const parsed = parsePressKitInput(body, {
        primaryLanguage: collective.primaryLanguage,
        defaultTimezone: before.timezone,
        partial: true,
        current: before,
        mergeLanguages: opts.mergeLanguages ?? false,
      });
      if (!parsed.ok) throw invalidKit(parsed.errors);
      if (row.publishedAt && parsed.value.embargoAt !== undefined) {
        throw invalid("the kit is published: its embargo cannot change any more", [{ field: "embargo", message: "the kit is already public; leave the embargo out" }]);
      }
      const after = applyPressKitPatch(before, parsed.value);
      await checkKitLinks(em, after, collective.id);
      em.assign(row, textToColumns(after));
      row.updatedAt = this.#clock();
      return { action: "presskit.change", queued: await queuePressKitUpdate(em, this.#urls, row, collective) };
    });
  }

  /** Publishes now, whatever the embargo says (the embargo is moved to now). */
  async publishNow(actor: PressKitActor, id: string): Promise<PressKitView> {
    return this.#change(actor, id, async (em, row, collective) => {
      if (row.publishedAt) return { action: undefined, queued: false };
      const now = this.#clock();
      row.embargoAt = now;
      await em.flush();
      const published = await markPublished(em, row.id, now, { beforeEmbargo: true });
      if (!published) return { action: undefined, queued: false };
      await em.refresh(row);
      return { action: "presskit.publish", queued: await queuePressKitCreate(em, this.#urls, row, collective) };
    });
  }

  /**
   * Publishes every kit whose embargo has passed (the worker, every few seconds). Each kit is published
   * by one guarded UPDATE in its own transaction with its outbox row: of several workers at the same
   * time, exactly one publishes it, and its Create is written once. Returns how many this call published.
   */
  async publishDue(): Promise<number> {
    const now = this.#clock();
    const due = await findDueKits(this.#em.fork(), now, 50);
    let published = 0;
    for (const { id } of due) {
      const queued = await this.#em.fork().transactional(async (em) => {
        if (!(await markPublished(em, id, now, { beforeEmbargo: false }))) return undefined;
        const row = await em.findOneOrFail(PressKitSchema, { id }, { populate: ["collective"] });
        await auditKit(em, "worker", row.collective, "presskit.publish", row);
        return queuePressKitCreate(em, this.#urls, row, row.collective);
      });
      if (queued === undefined) continue;
      published += 1;
      if (queued) this.#onOutbox();
    }
    return published;
  }

  /** Deletes a kit: 410 once it was public (and a Delete to followers), 404 otherwise; its files go. */
  async delete(actor: PressKitActor, id: string): Promise<void> {
    const files: string[] = [];
    await this.#change(actor, id, async (em, row, collective) => {
      row.deletedAt = this.#clock();
      row.updatedAt = row.deletedAt;
      files.push(...(await findFiles(em, row.id)).map((f) => f.name));
      await em.nativeDelete(PressKitFileSchema, { kit: row.id });
      await em.nativeUpdate(PressKitLinkSchema, { kit: row.id, revokedAt: null }, { revokedAt: row.deletedAt });
      return { action: "presskit.delete", queued: await queuePressKitDelete(em, this.#urls, row, collective) };
    });
    for (const name of files) await this.#files.remove(name);
  }

  /**
   * Adds a file: its bytes checked and cleaned (presskit-files.ts) and stored before the row is written;
   * refused bytes are a 422 saying what to send instead. `meta`: kind, caption, credit and licence.
   */
  async addFile(actor: PressKitActor, id: string, bytes: Buffer, meta: unknown): Promise<PressKitFileView> {
    const { row: kit, collective } = await this.#editable(actor, id);
    const parsed = parseFileMeta(meta, { required: true, primaryLanguage: collective.primaryLanguage });
    if (!parsed.ok) throw invalidFileMeta(parsed.errors);
    const m = parsed.value as Required<typeof parsed.value>;
    const stored = await this.#files.store(bytes, m.kind);
    if (!stored.ok) throw invalid(`the file was refused: ${fileRefusalMessages[stored.reason]}`, [{ field: "file", message: fileRefusalMessages[stored.reason] }]);
    try {
      const fileId = await this.#em.fork().transactional(async (em) => {
        await em.findOneOrFail(PressKitSchema, { id: kit.id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const file = em.create(PressKitFileSchema, {
          kit: kit.id,
          kind: m.kind,
          ...stored.file,
          width: stored.file.width ?? null,
          height: stored.file.height ?? null,
          caption: m.caption,
          credit: m.credit,
          licence: m.licence,
          position: await nextFilePosition(em, kit.id),
          createdAt: this.#clock(),
        });
        await em.flush();
        await auditKit(em, actor, collective, "presskit.change", kit, `+ ${m.kind}: ${Object.values(m.caption)[0] ?? ""}`);
        return { id: file.id, queued: await this.#touch(em, kit.id, collective) };
      });
      if (fileId.queued) this.#onOutbox();
      return (await this.#fileViews(kit.id, collective.primaryLanguage)).find((f) => f.id === fileId.id) as PressKitFileView;
    } catch (error) {
      await this.#files.remove(stored.file.name);
      throw error;
    }
  }

  /**
   * Changes a file's caption, credit or licence. The caption changes one language at a time (those left
   * out stay, one set to null goes); a file keeps a caption in one language at least.
   */
  async updateFile(actor: PressKitActor, id: string, fileId: string, meta: unknown): Promise<PressKitFileView> {
    const { row: kit, collective } = await this.#editable(actor, id);
    const queued = await this.#em.fork().transactional(async (em) => {
      const file = isUuid(fileId) ? await em.findOne(PressKitFileSchema, { id: fileId, kit: kit.id }) : null;
      if (!file) throw notFound(`the file ${fileId} of this kit`);
      const parsed = parseFileMeta(meta, { required: false, primaryLanguage: collective.primaryLanguage, currentCaption: file.caption });
      if (!parsed.ok) throw invalidFileMeta(parsed.errors);
      if (parsed.value.kind) throw invalid("a file's kind cannot change; remove it and add it again", [{ field: "kind", message: "cannot change" }]);
      if (parsed.value.caption) file.caption = parsed.value.caption;
      if (parsed.value.credit) file.credit = parsed.value.credit;
      if (parsed.value.licence) file.licence = parsed.value.licence;
      await em.flush();
      await auditKit(em, actor, collective, "presskit.change", kit, `~ ${file.kind}`);
      return this.#touch(em, kit.id, collective);
    });
    if (queued) this.#onOutbox();
    return (await this.#fileViews(kit.id, collective.primaryLanguage)).find((f) => f.id === fileId) as PressKitFileView;
  }

  async removeFile(actor: PressKitActor, id: string, fileId: string): Promise<void> {
    const { row: kit, collective } = await this.#editable(actor, id);
    const { name, queued } = await this.#em.fork().transactional(async (em) => {
      const file = isUuid(fileId) ? await em.findOne(PressKitFileSchema, { id: fileId, kit: kit.id }) : null;
      if (!file) throw notFound(`the file ${fileId} of this kit`);
      em.remove(file);
      await em.flush();
      await auditKit(em, actor, collective, "presskit.change", kit, `- ${file.kind}`);
      return { name: file.name, queued: await this.#touch(em, kit.id, collective) };
    });
    if (queued) this.#onOutbox();
    await this.#files.remove(name);
  }

  /**
   * A secret read-only link for journalists: 256 random bits, shown once (only its hash is kept),
   * expiring after `expiresInDays` (7 by default, 90 at most), revocable.
   */
  async createLink(actor: PressKitActor, id: string, body: unknown): Promise<{ token: string; link: PressKitLinkView }> {
    const { row: kit, collective } = await this.#editable(actor, id);
    const { days, label } = parseLinkInput(body);
    const token = randomBytes(32).toString("base64url");
    const now = this.#clock();
    const row = await this.#em.fork().transactional(async (em) => {
      const link = em.create(PressKitLinkSchema, {
        kit: kit.id,
        tokenHash: hashToken(token),
        label: label || null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + days * 86_400_000),
        revokedAt: null,
      });
      await em.flush();
      await auditKit(em, actor, collective, "presskit.link-create", kit, label || undefined);
      return link;
    });
    return { token, link: toLinkView(row) };
  }

  async revokeLink(actor: PressKitActor, id: string, linkId: string): Promise<void> {
    const { row: kit, collective } = await this.#editable(actor, id);
    await this.#em.fork().transactional(async (em) => {
      const link = isUuid(linkId) ? await em.findOne(PressKitLinkSchema, { id: linkId, kit: kit.id }) : null;
      if (!link) throw notFound(`the link ${linkId} of this kit`);
      if (link.revokedAt) return;
      link.revokedAt = this.#clock();
      await em.flush();
      await auditKit(em, actor, collective, "presskit.link-revoke", kit, link.label ?? undefined);
    });
  }

  async links(actor: PressKitActor, id: string): Promise<PressKitLinkView[]> {
    const { row } = await this.#editable(actor, id);
    return (await findLinks(this.#em.fork(), row.id)).map(toLinkView);
  }

  /** The kit a secret link shows, when the link is valid now (not revoked, not expired, the kit not deleted). */
  async byLink(token: string): Promise<{ kit: PressKitView; expiresAt: Temporal.Instant } | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const em = this.#em.fork();
    const link = await findLinkByHash(em, hashToken(token));
    if (!link || link.revokedAt || link.expiresAt.getTime() <= this.#clock().getTime() || link.kit.deletedAt) return undefined;
    const row = await em.findOneOrFail(PressKitSchema, { id: link.kit.id }, { populate: ["collective"] });
    return { kit: await this.#view(em, row, row.collective), expiresAt: instant(link.expiresAt) };
  }

  /** One kit for its editors (unpublished included); a published kit for anyone. */
  async get(actor: PressKitActor | null, id: string): Promise<PressKitView> {
    const em = this.#em.fork();
    const row = isUuid(id) ? await em.findOne(PressKitSchema, { id, deletedAt: null }, { populate: ["collective"] }) : null;
    if (!row || (!row.publishedAt && !mayReadPrivate(actor, row.collective.id))) {
      throw notFound(`the press kit ${id}`);
    }
    return this.#view(em, row, row.collective);
  }

  /** Any stored kit (deleted or not public yet), for the pages and the federation layer, which decide what to show. */
  async load(id: string): Promise<PressKitView | undefined> {
    if (!isUuid(id)) return undefined;
    const em = this.#em.fork();
    const row = await em.findOne(PressKitSchema, { id }, { populate: ["collective"] });
    return row ? this.#view(em, row, row.collective) : undefined;
  }

  /** A collective's kits, newest first: published ones, and the others for its editors when asked. */
  async list(slug: string, actor: PressKitActor | null, opts: { includePrivate?: boolean; limit?: number } = {}): Promise<PressKitView[]> {
    const em = this.#em.fork();
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    const includePrivate = opts.includePrivate === true && mayReadPrivate(actor, collective.id);
    const rows = await findKits(em, collective.id, { includePrivate, limit: Math.min(opts.limit ?? 100, 500) });
    return Promise.all(rows.map((r) => this.#view(em, r, collective)));
  }

  /** The published kits about a call or an event (their pages list them); an embargoed kit never. */
  async about(kind: "call" | "event", id: string, limit = 20): Promise<PressKitView[]> {
    if (!isUuid(id)) return [];
    const em = this.#em.fork();
    const rows = await findPublishedKitsAbout(em, kind === "call" ? { callId: id.toLowerCase() } : { eventId: id.toLowerCase() }, Math.min(limit, 100));
    return Promise.all(rows.map((r) => this.#view(em, r, r.collective)));
  }

  // -------------------------------------------------------------------------------------------------

  async #editable(actor: PressKitActor, id: string): Promise<{ row: PressKitRow; collective: Collective }> {
    const row = isUuid(id) ? await this.#em.fork().findOne(PressKitSchema, { id, deletedAt: null }, { populate: ["collective"] }) : null;
    if (!row) throw notFound(`the press kit ${id}`);
    if (!mayEdit(actor, row.collective.id)) {
      if (!row.publishedAt) throw notFound(`the press kit ${id}`);
      throw forbidden(`you are not an editor of "${row.collective.slug}"`);
    }
    return { row, collective: row.collective };
  }

  async #change(
    actor: PressKitActor,
    id: string,
    apply: (em: EntityManager, row: PressKitRow, collective: Collective) => Promise<{ action: AuditAction | undefined; queued: boolean }>,
  ): Promise<PressKitView> {
    if (!isUuid(id)) throw notFound(`the press kit ${id}`);
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const row = await em.findOne(PressKitSchema, { id, deletedAt: null }, { populate: ["collective"], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) throw notFound(`the press kit ${id}`);
      const collective = row.collective;
      if (!mayEdit(actor, collective.id)) {
        if (!row.publishedAt) throw notFound(`the press kit ${id}`);
        throw forbidden(`you are not an editor of "${collective.slug}"`);
      }
      const { action, queued } = await apply(em, row, collective);
      await em.flush();
      if (action) await auditKit(em, actor, collective, action, row);
      return { view: await this.#view(em, row, collective), queued };
    });
    if (queued) this.#onOutbox();
    return view;
  }

  /** A change of a file: the kit's `updatedAt`, and an Update to followers when it is public. */
  async #touch(em: EntityManager, kitId: string, collective: Collective): Promise<boolean> {
    const row = await em.findOneOrFail(PressKitSchema, { id: kitId });
    row.updatedAt = this.#clock();
    const queued = await queuePressKitUpdate(em, this.#urls, row, collective);
    await em.flush();
    return queued;
  }

  async #fileViews(kitId: string, primary: string): Promise<PressKitFileView[]> {
    return (await findFiles(this.#em.fork(), kitId)).map((f) => toFileView(f, primary));
  }

  #view(em: EntityManager, row: PressKitRow, collective: Collective): Promise<PressKitView> {
    return pressKitView(em, this.#urls, row, collective);
  }
}
