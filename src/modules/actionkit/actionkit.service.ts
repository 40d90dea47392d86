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
import { type ActionKitRow, ActionKitSchema } from "./actionkit.entity.ts";
import { rowToText, sortedJson, textToColumns, toKitVersionView, toKitView } from "./actionkit.record.ts";
import { addKitCount, findAdoption, findKitVersion, findKitVersions, findKits, findKitsOfCountry, insertKitVersion, isPartner } from "./actionkit.repository.ts";
import { networkCounts, remoteCopyReports, reportsByServer } from "./network-counts.ts";
import { deletePartnerKit, type PartnerKitListed, partnerKitsOfCollective, partnerKitsOfCountry, type ReceivedPartnerKit, receivePartnerKit, toPartnerKitListed } from "./partner-kits.ts";
import { applyKitPatch, emptyKit, type FieldError, parseKitInput } from "./actionkit.schema.ts";
import type { ActionKitText, ActionKitVersionView, ActionKitView, IncomingKit, KitCount, KitCountDetail } from "./actionkit.types.ts";

const listName = "actionkits";
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const countryListName = "actionkits-country";
/** A kit's count from what was counted here and what other servers reported, per language. */
const addCounts = (here: Record<string, number>, elsewhere: Record<string, number>): KitCount => {
  const byLanguage: Record<string, number> = { ...here };
  for (const [lang, n] of Object.entries(elsewhere)) byLanguage[lang] = (byLanguage[lang] ?? 0) + n;
  return { total: sum(byLanguage), byLanguage, otherServers: sum(elsewhere) };
};
const partnerListName = "partner-actionkits";
const keyShape = [keyChecks.instant, keyChecks.uuid];

/** Who acts on a kit: an editor (a web session or an API token), or the operator at the CLI. */
export type KitActor = Principal | "cli";

const mayEdit = (actor: KitActor, collectiveId: string) => actor === "cli" || can(actor, "edit-calls", collectiveId);
const mayReadDrafts = (actor: KitActor | null, collectiveId: string) => actor === "cli" || (actor !== null && can(actor, "read-private", collectiveId));

const invalidKit = (errors: readonly FieldError[]) => invalid(`the action kit is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors);

type Origin = { originApId: string; originActorApId: string; originActorName: string | null; originUrl: string | null };

/**
 * Action kits of collectives: letters with blanks that people fill in on their own device. A draft is
 * edited in place; publishing writes version 1 and sends the kit (an Article) to followers; every saved
 * change of a published kit is a new immutable version and an Update. Each change, its audit entry and
 * the activity to send are written in one transaction (transactional outbox). The only thing the server
 * ever learns of the people who use a kit is an opt-in count per language.
 */
export class ActionKitService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #onOutbox: () => void;

  /** `onOutbox` runs after a commit that queued activities (read caches learn of changes from the commit hook). */
  constructor(em: EntityManager, urls: Urls, opts: { onOutbox?: () => void } = {}) {
    this.#em = em;
    this.#urls = urls;
    this.#onOutbox = opts.onOutbox ?? (() => {});
  }

  /** A followed partner's published kit, from its Create/Update (the inbox checked its origin and the follow). */
  async receivePartnerKit(kit: ReceivedPartnerKit): Promise<"stored" | "updated" | "stale"> {
    return this.#em.transactional((em) => receivePartnerKit(em as EntityManager, kit));
  }

  /** A partner's kit deleted by its author; false when none of that author has this id. */
  async deletePartnerKit(authorApId: string, apId: string): Promise<boolean> {
    return this.#em.transactional((em) => deletePartnerKit(em as EntityManager, authorApId, apId));
  }

  /** One page of the published kits of the partners a collective follows, kept from their origin, newest first. A bad cursor is a 400. */
  async partnerKits(slug: string, request: PageRequest): Promise<Page<PartnerKitListed>> {
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, partnerListName, keyShape) as [number, string]);
    const rows = await partnerKitsOfCollective(this.#em.fork(), slug, request.limit + 1, after);
    return toPage(rows, request.limit, partnerListName, (r) => [r.publishedAt.getTime(), r.id], toPartnerKitListed);
  }

  /** One page of partners' kits of one country (two letters), kept from their origin, newest first. */
  async partnerKitsOfCountry(country: string, request: PageRequest): Promise<Page<PartnerKitListed>> {
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, partnerListName, keyShape) as [number, string]);
    const rows = await partnerKitsOfCountry(this.#em.fork(), country.trim().toUpperCase(), request.limit + 1, after);
    return toPage(rows, request.limit, partnerListName, (r) => [r.publishedAt.getTime(), r.id], toPartnerKitListed);
  }

  async create(actor: KitActor, slug: string, body: unknown): Promise<ActionKitView> {
    const collective = await this.#editable(actor, slug);
    const parsed = parseKitInput(body, { primaryLanguage: collective.primaryLanguage });
    if (!parsed.ok) throw invalidKit(parsed.errors);
    return this.#insert(actor, collective, applyKitPatch(emptyKit, parsed.value), parsed.value.published ?? false, undefined, "actionkit.create");
  }

  /**
   * Adopts a partner's kit: a kit of ours with the same text that keeps (and shows) its origin, a draft
   * unless asked otherwise (a partner usually translates it first). Only from a partner the collective
   * follows; once per original.
   */
  async adopt(actor: KitActor, slug: string, incoming: IncomingKit, opts: { published?: boolean } = {}): Promise<ActionKitView> {
    const collective = await this.#editable(actor, slug);
    if (incoming.actorApId.href === this.#urls.collective(slug).href) throw conflict("this action kit is already the collective's own");
    if (incoming.apId.origin !== incoming.actorApId.origin) throw invalid(`${incoming.apId.href} is not on its author's server; adopt it from there`);
    const em = this.#em.fork();
    if (!(await isPartner(em, collective.id, incoming.actorApId.href))) {
      throw forbidden(`${incoming.actorApId.href} is not a partner of "${slug}": follow it as a partner first (relais partner follow)`);
    }
    const existing = await findAdoption(em, collective.id, incoming.apId.href);
    if (existing) throw conflict(`"${slug}" adopted this action kit already: ${this.#urls.actionKit(existing.id).href}`);
    // What a partner sent is checked as if an editor had typed it.
    const parsed = parseKitInput({ ...incoming.text }, { primaryLanguage: collective.primaryLanguage });
    if (!parsed.ok) throw invalidKit(parsed.errors);
    const origin: Origin = {
      originApId: incoming.apId.href,
      originActorApId: incoming.actorApId.href,
      originActorName: incoming.actorName ? incoming.actorName.replace(/\s+/g, " ").trim().slice(0, 200) : null,
      originUrl: incoming.url?.href ?? null,
    };
    return this.#insert(actor, collective, applyKitPatch(emptyKit, parsed.value), opts.published ?? false, origin, "actionkit.adopt");
  }

  /**
   * Changes a kit (a translation is a change: new languages come in the maps). `ifVersion`: the version
   * the editor saw (If-Match), and `ifUpdatedAt` for drafts; another save since is a 409. `published:
   * true` publishes a draft; a published kit cannot go back to draft. `mergeLanguages` (the JSON API): a
   * language map sent changes only the languages it names (null removes one); without, it replaces the
   * stored map (the editor's form).
   */
  async update(
    actor: KitActor,
    id: string,
    body: unknown,
    opts: { ifVersion?: number; ifUpdatedAt?: Temporal.Instant; mergeLanguages?: boolean } = {},
  ): Promise<ActionKitView> {
    return this.#change(actor, id, async (em, row, collective) => {
      if (opts.ifVersion !== undefined && opts.ifVersion !== row.version) {
        throw conflict(`the action kit has changed since you read it (it is at version ${row.version}, you saw ${opts.ifVersion}): read it again and redo your change`);
      }
      if (opts.ifUpdatedAt !== undefined && opts.ifUpdatedAt.epochMilliseconds !== row.updatedAt.getTime()) {
        throw conflict("the action kit has been saved since you read it: read it again and redo your change");
      }
      const before = rowToText(row, collective.primaryLanguage);
      const parsed = parseKitInput(body, { primaryLanguage: collective.primaryLanguage, partial: true, current: before, mergeLanguages: opts.mergeLanguages ?? false });
      if (!parsed.ok) throw invalidKit(parsed.errors);
      if (parsed.value.published === false && row.published) throw conflict("a published action kit cannot go back to draft; delete it instead");
      const after = applyKitPatch(before, parsed.value);
      const changed = sortedJson(before) !== sortedJson(after);
      const publishing = parsed.value.published === true && !row.published;
      if (!changed && !publishing) return { action: undefined, queued: false };
      if (changed) em.assign(row, textToColumns(after));
      row.updatedAt = new Date();
      if (publishing) return { action: "actionkit.publish", queued: await this.#publish(em, row, collective) };
      if (!row.published) return { action: "actionkit.change", queued: false };
      row.version += 1;
      await insertKitVersion(em, row.id, row.version, textToColumns(after));
      const queued = await writeOutbox(em, `${this.#urls.actionKit(row.id).href}#update-${row.version}`, {
        kind: "update-actionkit",
        collectiveId: collective.id,
        kitId: row.id,
        version: row.version,
      });
      return { action: "actionkit.change", queued };
    });
  }

  /** Deletes a kit: 410 with a Tombstone once it was published (and a Delete to followers), 404 otherwise. */
  async delete(actor: KitActor, id: string): Promise<void> {
    await this.#change(actor, id, async (em, row, collective) => {
      row.deletedAt = new Date();
      row.updatedAt = row.deletedAt;
      const queued = row.published
        ? await writeOutbox(em, `${this.#urls.actionKit(row.id).href}#delete`, { kind: "delete-actionkit", collectiveId: collective.id, kitId: row.id })
        : false;
      return { action: "actionkit.delete", queued };
    });
  }

  /** One kit for its editors (drafts included); a published one for anyone. */
  async get(actor: KitActor | null, id: string): Promise<ActionKitView> {
    const row = isUuid(id) ? await this.#em.fork().findOne(ActionKitSchema, { id, deletedAt: null }, { populate: ["collective"] }) : null;
    if (!row || (!row.published && !mayReadDrafts(actor, row.collective.id))) throw notFound(`the action kit ${id}`);
    return toKitView(row, row.collective, this.#urls);
  }

  /** Any stored kit, deleted or draft, for the federation layer and the pages (which decide what to show); null for an unknown id. */
  async load(id: string): Promise<ActionKitView | null> {
    if (!isUuid(id)) return null;
    const row = await this.#em.fork().findOne(ActionKitSchema, { id }, { populate: ["collective"] });
    return row ? toKitView(row, row.collective, this.#urls) : null;
  }

  /** One page of a collective's kits, newest first; drafts for its editors when asked. A bad cursor is a 400. */
  async page(slug: string, actor: KitActor | null, opts: { includeDrafts?: boolean | undefined }, request: PageRequest): Promise<Page<ActionKitView>> {
    const em = this.#em.fork();
    const collective = await em.findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    const includeDrafts = opts.includeDrafts === true && mayReadDrafts(actor, collective.id);
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, listName, keyShape) as [number, string]);
    const rows = await findKits(em, collective.id, { includeDrafts, limit: request.limit + 1, after });
    return toPage(rows, request.limit, listName, (r) => [r.createdAt.getTime(), r.id], (r) => toKitView(r, r.collective, this.#urls));
  }

  async list(slug: string, actor: KitActor | null, opts: { includeDrafts?: boolean; limit?: number } = {}): Promise<readonly ActionKitView[]> {
    return (await this.page(slug, actor, { includeDrafts: opts.includeDrafts }, { limit: Math.min(opts.limit ?? 100, 500) })).items;
  }

  /** One page of the published kits of a country (ISO 3166-1 alpha-2, any case), newest publication first. */
  async pageOfCountry(country: string, request: PageRequest): Promise<Page<ActionKitView>> {
    const code = country.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(code)) throw invalid(`"${country.slice(0, 20)}" is not a country code; use two letters such as FR, DE, NL or BE`);
    const after = request.cursor === undefined ? undefined : (decodeCursor(request.cursor, countryListName, keyShape) as [number, string]);
    const rows = await findKitsOfCountry(this.#em.fork(), code, { limit: request.limit + 1, after });
    return toPage(rows, request.limit, countryListName, (r) => [(r.publishedAt ?? r.createdAt).getTime(), r.id], (r) => toKitView(r, r.collective, this.#urls));
  }

  async versions(id: string): Promise<ActionKitVersionView[]> {
    const kit = await this.load(id);
    if (!kit) return [];
    return (await findKitVersions(this.#em.fork(), id)).map((v) => toKitVersionView(id, v, kit.collective.primaryLanguage));
  }

  async version(id: string, version: number): Promise<ActionKitVersionView | null> {
    const kit = Number.isSafeInteger(version) ? await this.load(id) : null;
    const row = kit ? await findKitVersion(this.#em.fork(), id, version) : null;
    return row && kit ? toKitVersionView(id, row, kit.collective.primaryLanguage) : null;
  }

  /**
   * Counts one letter downloaded, for a published kit in one of its languages: nothing else is stored.
   * Returns false (nothing counted) for a kit or language that is not public.
   */
  async count(id: string, language: string): Promise<boolean> {
    const kit = await this.load(id);
    if (!kit?.published || kit.deletedAt || !(language in kit.title)) return false;
    await addKitCount(this.#em.fork(), id, language);
    return true;
  }

  /**
   * The opt-in counts of a kit across the network: its own, those of the kits here adopted from it, and
   * what other servers last reported for their copies (ADR 0032).
   */
  async counts(kit: Pick<ActionKitView, "id" | "apId">): Promise<KitCount> {
    const { here, elsewhere } = await networkCounts(this.#em.fork(), kit.id, kit.apId.href);
    return addCounts(here, elsewhere);
  }

  /**
   * The same counts split for the kit's editors: per language, here and on other servers; per server,
   * its copies' last reported counts and the time of its last report (ADR 0032).
   */
  async countDetail(kit: Pick<ActionKitView, "id" | "apId">): Promise<KitCountDetail> {
    const em = this.#em.fork();
    const { here, elsewhere } = await networkCounts(em, kit.id, kit.apId.href);
    const reports = await remoteCopyReports(em, kit.id, kit.apId.href);
    const count = addCounts(here, elsewhere);
    const languages = Object.keys(count.byLanguage)
      .sort()
      .map((language) => ({ language, here: here[language] ?? 0, otherServers: elsewhere[language] ?? 0 }));
    return { ...count, languages, servers: reportsByServer(reports) };
  }

  /** A published kit of this instance as a partner's kit to adopt (the federation layer reads others'). */
  async asIncoming(apId: URL): Promise<IncomingKit | undefined> {
    const id = this.#urls.actionKitId(apId);
    const kit = id ? await this.load(id) : null;
    if (!kit?.published || kit.deletedAt) return undefined;
    const { title, explanation, country, institution, legalBasis, steps, fields, letters } = kit;
    return {
      apId: kit.apId,
      actorApId: kit.collective.apId,
      actorName: kit.collective.name[kit.collective.primaryLanguage] ?? Object.values(kit.collective.name)[0],
      url: kit.apId,
      text: { title, explanation, country, institution, legalBasis, steps, fields, letters },
    };
  }

  // -------------------------------------------------------------------------------------------------

  async #editable(actor: KitActor, slug: string): Promise<Collective> {
    const collective = await this.#em.fork().findOne(CollectiveSchema, { slug });
    if (!collective) throw notFound(`the collective "${slug}"`);
    if (!mayEdit(actor, collective.id)) throw forbidden(`you are not an editor of "${slug}"`);
    return collective;
  }

  /** Draft → published: version 1 is written and the kit sent to followers. */
  async #publish(em: EntityManager, row: ActionKitRow, collective: Collective): Promise<boolean> {
    const now = new Date();
    row.published = true;
    row.publishedAt = now;
    row.updatedAt = now;
    row.version = 1;
    await em.flush();
    await insertKitVersion(em, row.id, 1, textToColumns(rowToText(row, collective.primaryLanguage)));
    return writeOutbox(em, `${this.#urls.actionKit(row.id).href}#create`, { kind: "create-actionkit", collectiveId: collective.id, kitId: row.id });
  }

  async #insert(actor: KitActor, collective: Collective, text: ActionKitText, published: boolean, origin: Origin | undefined, action: AuditAction): Promise<ActionKitView> {
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const now = new Date();
      const row = em.create(ActionKitSchema, {
        collective: collective.id,
        ...textToColumns(text),
        ...(origin ?? {}),
        version: 0,
        published: false,
        createdAt: now,
        updatedAt: now,
      });
      await em.flush();
      const queued = published ? await this.#publish(em, row, collective) : false;
      await em.flush();
      await this.#audit(em, actor, collective, action, row);
      return { view: toKitView(row, collective, this.#urls), queued };
    });
    if (queued) this.#onOutbox();
    return view;
  }

  async #change(
    actor: KitActor,
    id: string,
    apply: (em: EntityManager, row: ActionKitRow, collective: Collective) => Promise<{ action: AuditAction | undefined; queued: boolean }>,
  ): Promise<ActionKitView> {
    if (!isUuid(id)) throw notFound(`the action kit ${id}`);
    const { view, queued } = await this.#em.fork().transactional(async (em) => {
      const row = await em.findOne(ActionKitSchema, { id, deletedAt: null }, { populate: ["collective"], lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) throw notFound(`the action kit ${id}`);
      const collective = row.collective;
      if (!mayEdit(actor, collective.id)) {
        throw row.published || mayReadDrafts(actor, collective.id) ? forbidden(`you are not an editor of "${collective.slug}"`) : notFound(`the action kit ${id}`);
      }
      const { action, queued } = await apply(em, row, collective);
      await em.flush();
      if (action) await this.#audit(em, actor, collective, action, row);
      return { view: toKitView(row, collective, this.#urls), queued };
    });
    if (queued) this.#onOutbox();
    return view;
  }

  async #audit(em: EntityManager, actor: KitActor, collective: Collective, action: AuditAction, row: ActionKitRow): Promise<void> {
    const detail = primaryFirst(row.title, collective.primaryLanguage);
    await writeAudit(em, { collectiveId: collective.id, actor, action, subject: row.id, detail: Object.values(detail)[0] });
  }
}
