import type { EntityManager } from "@mikro-orm/postgresql";
import { conflict, forbidden, invalid, notFound } from "../../shared/errors.ts";
import { parseOrThrow } from "../../shared/validation.ts";
import { generateActorKeys } from "./actor-keys.ts";
import { ActorKeySchema, type Collective, CollectiveSchema } from "./collective.entity.ts";
import { findCollectiveById, findCollectiveBySlug } from "./collective.repository.ts";
import { collectivePostsPage, type PostKey } from "./collective-posts.repository.ts";
import { type CollectiveSettingsInput, collectiveSettingsSchema, type CreateCollectiveInput, createCollectiveSchema } from "./collective.schema.ts";
import { can } from "./collective.policy.ts";
import { writeAudit } from "../audit/audit.writer.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import type { Principal } from "../user/user.service.ts";
import type { Urls } from "../../shared/urls.ts";
import { primaryFirst } from "../../shared/language.ts";

export const instanceKeyOwner = "instance";
export const collectiveKeyOwner = (collectiveId: string) => `collective:${collectiveId}`;

export interface StoredKey {
  readonly algorithm: "RSASSA-PKCS1-v1_5" | "Ed25519";
  readonly publicJwk: JsonWebKey;
  readonly privateJwk: JsonWebKey;
}

export class CollectiveService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #onOutbox: () => void;
  /**
   * `onOutbox`: an Update of a collective's profile was queued (nudge the relay), after the commit.
   * (Cached documents learn of changes from the commit itself: src/db/committed-writes.ts.)
   */
  constructor(em: EntityManager, urls: Urls, opts: { onOutbox?: () => void } = {}) {
    this.#em = em;
    this.#urls = urls;
    this.#onOutbox = opts.onOutbox ?? (() => {});
  }

  /**
   * An owner changes the collective's names, summaries, primary language, avatar or follower approval:
   * the row, an audit entry and an Update of the Group for its followers, in one transaction. The
   * avatar must be an image uploaded here (pages load nothing from elsewhere).
   */
  async updateSettings(principal: Principal, slug: string, input: CollectiveSettingsInput): Promise<Collective> {
    const v = parseOrThrow(collectiveSettingsSchema, input, "settings");
    if (v.iconUrl && !this.#urls.mediaName(v.iconUrl)) {
      throw invalid(`the avatar must be an image uploaded here (${this.#urls.origin.origin}/media/…)`, [{ field: "iconUrl", message: "must be an image uploaded here" }]);
    }
    const updated = await this.#em.fork().transactional(async (em) => {
      const collective = await em.findOne(CollectiveSchema, { slug });
      if (!collective) throw notFound(`the collective "${slug}"`);
      if (!can(principal, "manage-settings", collective.id)) throw forbidden(`only owners of "${slug}" change its settings`);
      collective.name = primaryFirst(v.name, v.primaryLanguage);
      collective.summary = Object.keys(v.summary).length > 0 ? primaryFirst(v.summary, v.primaryLanguage) : null;
      collective.primaryLanguage = v.primaryLanguage;
      collective.manuallyApprovesFollowers = v.manuallyApprovesFollowers;
      collective.iconUrl = v.iconUrl;
      collective.updatedAt = new Date();
      await em.flush();
      await writeAudit(em, { collectiveId: collective.id, actor: principal, action: "collective.settings", subject: slug });
      // One Update per saved change; its id is derived from the change, so a retry sends the same id.
      await writeOutbox(em, `${this.#urls.collective(slug).href}#profile-${collective.updatedAt.getTime()}`, { kind: "update-collective", collectiveId: collective.id });
      return collective;
    });
    this.#onOutbox();
    return updated;
  }

  /** Creates a collective and its key pairs in one transaction. */
  async create(input: CreateCollectiveInput): Promise<Collective> {
    const v = parseOrThrow(createCollectiveSchema, input, "collective");
    const keys = await generateActorKeys();
    const created = await this.#em.fork().transactional(async (em) => {
      if (await em.count(CollectiveSchema, { slug: v.slug })) {
        throw conflict(`a collective with the slug "${v.slug}" already exists; choose another slug`);
      }
      const collective = em.create(CollectiveSchema, {
        slug: v.slug,
        name: primaryFirst(v.name, v.primaryLanguage),
        summary: v.summary ? primaryFirst(v.summary, v.primaryLanguage) : null,
        primaryLanguage: v.primaryLanguage,
        manuallyApprovesFollowers: v.manuallyApprovesFollowers,
        iconUrl: v.iconUrl ?? null,
      });
      for (const key of keys) {
        em.create(ActorKeySchema, { owner: collectiveKeyOwner(collective.id), ...key });
      }
      await em.flush();
      return collective;
    });
    return created;
  }

  async list(): Promise<Collective[]> {
    return this.#em.fork().find(CollectiveSchema, {}, { orderBy: { slug: "asc" } });
  }

  /** One page of a collective's public posts (events, slogans, press kits), newest first; null for an unknown slug. */
  async postsPage(slug: string, offset: number, limit: number): Promise<{ keys: PostKey[]; total: number } | null> {
    const em = this.#em.fork();
    const collective = await findCollectiveBySlug(em, slug);
    return collective ? collectivePostsPage(em, collective.id, offset, limit) : null;
  }

  async findBySlug(slug: string): Promise<Collective | null> {
    return findCollectiveBySlug(this.#em.fork(), slug);
  }

  async findById(id: string): Promise<Collective | null> {
    return findCollectiveById(this.#em.fork(), id);
  }

  async getBySlug(slug: string): Promise<Collective> {
    const c = await this.findBySlug(slug);
    if (!c) throw notFound(`the collective "${slug}"`);
    return c;
  }

  /**
   * Which key pairs a local actor has now (their row ids): a cache of imported keys checks it before
   * each use, so that a rotation made by another process (`relais keys rotate`) takes effect at once.
   */
  async keyStamp(owner: string): Promise<string> {
    const rows = await this.#em.fork().find(ActorKeySchema, { owner }, { fields: ["id"], orderBy: { id: "asc" } });
    return rows.map((r) => r.id).join(",");
  }

  /** Key pairs of a local actor (a collective's, or the instance actor's, created on first use). */
  async keysOf(owner: string): Promise<StoredKey[]> {
    const em = this.#em.fork();
    const rows = await em.find(ActorKeySchema, { owner }, { populate: ["privateJwk"], orderBy: { algorithm: "desc" } });
    if (rows.length > 0 || owner !== instanceKeyOwner) {
      return rows.map((r) => ({ algorithm: r.algorithm, publicJwk: r.publicJwk, privateJwk: r.privateJwk }));
    }
    const keys = await generateActorKeys();
    const qb = em.createQueryBuilder(ActorKeySchema);
    await qb
      .insert(keys.map((k) => ({ owner, ...k, id: crypto.randomUUID(), createdAt: new Date() })))
      .onConflict(["owner", "algorithm"])
      .ignore()
      .execute();
    return this.keysOf(owner);
  }
}
