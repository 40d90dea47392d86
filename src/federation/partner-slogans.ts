import { type Collection, Create, isActor, Note, Object as AsObject } from "@fedify/vocab";
import { getLogger } from "@logtape/logtape";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import type { IncomingSlogan, PartnerSlogans } from "../modules/slogan/slogan.types.ts";
import { match, paths } from "../shared/paths.ts";
import { instanceIdentifier, type Urls } from "../shared/urls.ts";
import type { RelaisFederation } from "./federation.ts";
import { sloganOfNote } from "./slogan-reader.ts";

const logger = getLogger(["relais", "slogan"]);

export interface PartnerRef {
  readonly actorApId: string;
  readonly name: string | null;
  readonly handle: string | null;
}

/**
 * The published slogans of a collective's partners, for its editors to adopt one: a partner of this
 * instance is read from the database; another server's from the first page of its outbox (a signed GET
 * from the instance actor), keeping the `Create`s of `Note`s that carry a `name` (a Relais slogan's bare
 * lines; a Mastodon post has none) and are on the partner's own server. Nothing is stored: the list is
 * read when the page is asked for. A partner that cannot be read is marked, not fatal.
 */
export class PartnerSloganLister {
  readonly #federation: RelaisFederation;
  readonly #urls: Urls;
  readonly #slogans: SloganService;
  readonly #refuses: (url: URL) => Promise<boolean>;
  readonly #perPartner: number;
  readonly #maxPartners: number;

  constructor(deps: { federation: RelaisFederation; urls: Urls; slogans: SloganService; refuses?: (url: URL) => Promise<boolean>; perPartner?: number; maxPartners?: number }) {
    this.#federation = deps.federation;
    this.#urls = deps.urls;
    this.#slogans = deps.slogans;
    this.#refuses = deps.refuses ?? (async () => false);
    this.#perPartner = deps.perPartner ?? 20;
    this.#maxPartners = deps.maxPartners ?? 30;
  }

  async list(partners: readonly PartnerRef[]): Promise<PartnerSlogans[]> {
    return Promise.all(partners.slice(0, this.#maxPartners).map((p) => this.#one(p)));
  }

  async #one(partner: PartnerRef): Promise<PartnerSlogans> {
    try {
      return { partner, slogans: await this.#read(partner), unreadable: false };
    } catch (error) {
      logger.info("the slogans of a partner could not be read: {error}", { error: (error as Error).message });
      return { partner, slogans: [], unreadable: true };
    }
  }

  async #read(partner: PartnerRef): Promise<IncomingSlogan[]> {
    const actorUrl = new URL(partner.actorApId);
    if (actorUrl.origin === this.#urls.origin.origin) {
      const slug = match(paths.actor, actorUrl.pathname)?.identifier;
      if (!slug || slug === instanceIdentifier) return [];
      const own = await this.#slogans.list(slug, null, { limit: this.#perPartner });
      return own.map((s) => ({
        apId: s.apId,
        actorApId: s.collective.apId,
        actorName: partner.name ?? s.collective.name[s.collective.primaryLanguage] ?? undefined,
        url: s.apId,
        text: s.text,
        tags: s.tags,
      }));
    }
    if (await this.#refuses(actorUrl)) return [];
    const ctx = this.#federation.createContext(this.#urls.origin, undefined);
    const documentLoader = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
    const loaders = { documentLoader, contextLoader: ctx.contextLoader };
    const actor = await AsObject.fromJsonLd((await documentLoader(actorUrl.href)).document, loaders);
    if (!isActor(actor) || actor.id?.href !== actorUrl.href) throw new Error("the partner's URL is not an actor's");
    const outbox = await actor.getOutbox(loaders);
    if (!outbox) return [];
    // Mastodon and Relais page their outboxes (`first`); a small server may list its items inline.
    const page: Collection | null = outbox.firstId !== null ? await outbox.getFirst(loaders) : outbox;
    if (!page) return [];
    const found: IncomingSlogan[] = [];
    let seen = 0;
    for await (const item of page.getItems(loaders)) {
      if (++seen > 100 || found.length >= this.#perPartner) break;
      if (!(item instanceof Create) || item.actorId?.href !== actorUrl.href) continue;
      // Embedded in the outbox (Relais, Mastodon): no fetch; a reference costs one (at most 100 items are looked at).
      const object = await item.getObject(loaders);
      if (!(object instanceof Note) || !object.id || object.id.origin !== actorUrl.origin) continue;
      if (object.attributionId?.href !== actorUrl.href || object.names.length === 0) continue;
      found.push(await sloganOfNote(object, object.id, actorUrl, partner.name ?? actor.name?.toString() ?? undefined, loaders));
    }
    return found;
  }
}
