import type { EntityManager } from "@mikro-orm/postgresql";
import type { LanguageMap } from "../../shared/language.ts";
import { PartnerSchema } from "../partner/partner.entity.ts";
import { type PartnerCallRow, PartnerCallSchema, type PartnerCallStatus } from "./partner-call.entity.ts";

/** A partner's call as read from its Article (the federation layer checks sender, origin and follow). */
export interface ReceivedPartnerCall {
  readonly apId: string;
  readonly url: string;
  readonly title: LanguageMap;
  readonly language: string;
  readonly status: PartnerCallStatus;
  readonly deadline: Temporal.Instant | null;
  readonly authorApId: string;
  readonly publishedAt: Temporal.Instant;
  readonly remoteUpdatedAt: Temporal.Instant;
}

/** An open call of a partner a collective follows, for its editors to ask to sign it. */
export interface PartnerCallListed {
  readonly apId: string;
  readonly url: string;
  readonly title: LanguageMap;
  readonly language: string;
  readonly deadline: Temporal.Instant | null;
  readonly author: { readonly apId: string; readonly name: string | null };
  readonly publishedAt: Temporal.Instant;
}

const toDate = (i: Temporal.Instant) => new Date(i.epochMilliseconds);
const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

/**
 * The calls to action of followed partners this instance heard of (issue 9, join requests): kept from
 * their launch (the Create their origin sends to followers), changed by their Updates (closed, withdrawn,
 * deadline moved), removed by their Delete. Listed on a collective's "request to sign" screen while open
 * and before their deadline, for the partners that collective follows.
 */
export class PartnerCallService {
  readonly #em: EntityManager;
  readonly #now: () => Date;

  constructor(em: EntityManager, opts: { now?: (() => Date) | undefined } = {}) {
    this.#em = em;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Stores or changes a partner's call; an older Update than the one kept, or another author's, is "stale". */
  async receive(call: ReceivedPartnerCall): Promise<"stored" | "updated" | "stale"> {
    return this.#em.transactional(async (tx) => {
      const em = tx as EntityManager;
      const fields = {
        url: call.url,
        title: call.title,
        language: call.language,
        status: call.status,
        deadline: call.deadline ? toDate(call.deadline) : null,
        authorApId: call.authorApId,
        publishedAt: toDate(call.publishedAt),
        remoteUpdatedAt: toDate(call.remoteUpdatedAt),
      };
      const existing = await em.findOne(PartnerCallSchema, { apId: call.apId });
      if (existing) {
        if (existing.authorApId !== call.authorApId || existing.remoteUpdatedAt > fields.remoteUpdatedAt) return "stale";
        em.assign(existing, fields);
        await em.flush();
        return "updated";
      }
      em.create(PartnerCallSchema, { apId: call.apId, ...fields });
      await em.flush();
      return "stored";
    });
  }

  /** Removes a call deleted by its author; false when none of that author has this id. */
  async delete(authorApId: string, apId: string): Promise<boolean> {
    return (await this.#em.fork().nativeDelete(PartnerCallSchema, { apId, authorApId })) > 0;
  }

  /** The open calls, deadline not passed, of the partners the collective follows (accepted follows), newest first. */
  async openFor(slug: string, limit = 50): Promise<PartnerCallListed[]> {
    const em = this.#em.fork();
    const partners = await em.find(PartnerSchema, { collective: { slug }, state: "accepted" }, { populate: ["actor"] });
    const names = new Map(partners.map((p) => [p.actor.apId, p.actor.name ?? p.actor.handle ?? null]));
    const authors = [...names.keys()];
    if (authors.length === 0) return [];
    const rows = await em.find(
      PartnerCallSchema,
      { authorApId: { $in: authors }, status: "open", $or: [{ deadline: null }, { deadline: { $gt: this.#now() } }] },
      { orderBy: { publishedAt: "desc", id: "desc" }, limit },
    );
    return rows.map((r) => listed(r, names.get(r.authorApId) ?? null));
  }
}

const listed = (r: PartnerCallRow, authorName: string | null): PartnerCallListed => ({
  apId: r.apId,
  url: r.url,
  title: r.title,
  language: r.language,
  deadline: r.deadline ? instant(r.deadline) : null,
  author: { apId: r.authorApId, name: authorName },
  publishedAt: instant(r.publishedAt),
});
