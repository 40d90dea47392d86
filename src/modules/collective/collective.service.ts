import type { EntityManager } from "@mikro-orm/postgresql";
import { conflict, notFound } from "../../shared/errors.ts";
import { parseOrThrow } from "../../shared/validation.ts";
import { generateActorKeys } from "./actor-keys.ts";
import { ActorKeySchema, type Collective, CollectiveSchema } from "./collective.entity.ts";
import { type CreateCollectiveInput, createCollectiveSchema } from "./collective.schema.ts";
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
  constructor(em: EntityManager) {
    this.#em = em;
  }

  /** Creates a collective and its key pairs in one transaction. */
  async create(input: CreateCollectiveInput): Promise<Collective> {
    const v = parseOrThrow(createCollectiveSchema, input, "collective");
    const keys = await generateActorKeys();
    return this.#em.fork().transactional(async (em) => {
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
  }

  async list(): Promise<Collective[]> {
    return this.#em.fork().find(CollectiveSchema, {}, { orderBy: { slug: "asc" } });
  }

  async findBySlug(slug: string): Promise<Collective | null> {
    return this.#em.fork().findOne(CollectiveSchema, { slug });
  }

  async getBySlug(slug: string): Promise<Collective> {
    const c = await this.findBySlug(slug);
    if (!c) throw notFound(`the collective "${slug}"`);
    return c;
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
