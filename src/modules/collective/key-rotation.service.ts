import type { EntityManager } from "@mikro-orm/postgresql";
import { notFound } from "../../shared/errors.ts";
import { instanceIdentifier, type Urls } from "../../shared/urls.ts";
import { writeOutbox } from "../outbox/outbox.writer.ts";
import type { Recipient } from "../remote-actor/remote-actor.types.ts";
import { type GeneratedKey, generateActorKeys } from "./actor-keys.ts";
import { ActorKeySchema, CollectiveSchema, RetiredActorKeySchema } from "./collective.entity.ts";
import { collectiveKeyOwner, instanceKeyOwner } from "./collective.service.ts";
import { keyUpdateAddresses } from "./key-rotation.repository.ts";

/** Whose keys: a collective (by slug) or the instance actor. */
export type RotationTarget = { readonly slug: string } | "instance";

export interface RotationResult {
  /** The actor's id (its keys are `#main-key`, RSA, and `#key-2`, Ed25519, before and after). */
  readonly actor: URL;
  /** Keys retired (their public halves kept in `retired_actor_key`, their private halves deleted). */
  readonly retired: number;
  /** Queued deliveries of this actor that now carry the new keys instead of the old ones. */
  readonly requeued: number;
}

/**
 * Rewrites, inside the rotation's transaction, the deliveries already queued for `actor` so that they
 * are signed with `keys` (the federation layer knows the queue's format). Returns how many changed.
 */
export type RekeyQueued = (em: EntityManager, actor: URL, keys: readonly GeneratedKey[]) => Promise<number>;

/**
 * `relais keys rotate`: an actor (a collective, or the instance actor) gets new key pairs (RSA for HTTP
 * signatures, Ed25519 for object proofs), ADR 0030. In one transaction: the old private keys are
 * deleted and their public halves retired, the new pairs stored, the queued deliveries re-keyed, and an
 * Update of the actor (carrying the new public keys) queued for its followers and the partners it
 * follows, whose servers cached the old keys.
 */
export class KeyRotationService {
  readonly #em: EntityManager;
  readonly #urls: Urls;
  readonly #onOutbox: () => void;
  readonly #rekeyQueued: RekeyQueued | undefined;

  constructor(em: EntityManager, urls: Urls, opts: { onOutbox?: () => void; rekeyQueued?: RekeyQueued } = {}) {
    this.#em = em;
    this.#urls = urls;
    this.#onOutbox = opts.onOutbox ?? (() => {});
    this.#rekeyQueued = opts.rekeyQueued;
  }

  async rotate(target: RotationTarget): Promise<RotationResult> {
    const keys = await generateActorKeys();
    const now = new Date();
    const result = await this.#em.fork().transactional(async (em) => {
      let owner = instanceKeyOwner;
      let collectiveId: string | null = null;
      let actor = this.#urls.collective(instanceIdentifier);
      if (target !== "instance") {
        const collective = await em.findOne(CollectiveSchema, { slug: target.slug });
        if (!collective) throw notFound(`the collective "${target.slug}"`);
        owner = collectiveKeyOwner(collective.id);
        collectiveId = collective.id;
        actor = this.#urls.collective(collective.slug);
      }
      const old = await em.find(ActorKeySchema, { owner });
      for (const k of old) {
        em.create(RetiredActorKeySchema, { id: k.id, owner, algorithm: k.algorithm, publicJwk: k.publicJwk, createdAt: k.createdAt, retiredAt: now });
      }
      await em.flush();
      await em.nativeDelete(ActorKeySchema, { owner });
      for (const key of keys) em.create(ActorKeySchema, { owner, ...key, createdAt: now });
      await em.flush();
      const requeued = this.#rekeyQueued ? await this.#rekeyQueued(em, actor, keys) : 0;
      // One Update per rotation; its id names the rotation, so a retry of the row sends the same id.
      await writeOutbox(em, `${actor.href}#keys-${now.getTime()}`, { kind: "update-actor-keys", collectiveId });
      return { actor, retired: old.length, requeued };
    });
    this.#onOutbox();
    return result;
  }

  /** Who cached the actor's keys and gets its Update: accepted followers, and the partners a collective follows. */
  async updateRecipients(collectiveId: string | null): Promise<Recipient[]> {
    const rows = await keyUpdateAddresses(this.#em.fork(), collectiveId);
    return rows.map((a) => ({ apId: new URL(a.apId), inboxUrl: new URL(a.inboxUrl), sharedInboxUrl: a.sharedInboxUrl ? new URL(a.sharedInboxUrl) : undefined }));
  }
}
