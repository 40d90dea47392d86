import { Article, isActor, Object as AsObject } from "@fedify/vocab";
import type { ActionKitService } from "../modules/actionkit/actionkit.service.ts";
import type { ActionKitText, IncomingKit, PartnerKitItem, PartnerKits } from "../modules/actionkit/actionkit.types.ts";
import { match, paths } from "../shared/paths.ts";
import { instanceIdentifier, type Urls } from "../shared/urls.ts";
import type { RelaisFederation } from "./federation.ts";
import { fetchErrorStatus } from "./inbox/inbox-handlers.ts";

export type ReadKitResult = { ok: true; kit: IncomingKit } | { ok: false; reason: string };

const textKeys = ["title", "explanation", "country", "institution", "legalBasis", "steps", "fields", "letters"] as const;

/**
 * Reads a partner's action kit to adopt it, by the URL of its Article (FEDERATION.md, "Action kits"): one
 * of this instance's kits from the database; another server's with two signed GETs from the instance
 * actor — the Article (it must be an `Article` on its author's server; the author's name is kept to be
 * shown), then its text as JSON at `<kit>/text.json` (the structured text the Article shows as prose),
 * whose `id` and `attributedTo` must be the Article's. What it holds is only taken as a proposal: the
 * service checks it as if an editor had typed it. Failures are values with a message for the editor.
 */
export class ActionKitReader {
  readonly #federation: RelaisFederation;
  readonly #urls: Urls;
  readonly #kits: ActionKitService;
  readonly #refuses: (url: URL) => Promise<boolean>;

  constructor(deps: { federation: RelaisFederation; urls: Urls; actionkits: ActionKitService; refuses?: (url: URL) => Promise<boolean> }) {
    this.#federation = deps.federation;
    this.#urls = deps.urls;
    this.#kits = deps.actionkits;
    this.#refuses = deps.refuses ?? (async () => false);
  }

  async read(ref: string): Promise<ReadKitResult> {
    const text = ref.trim();
    if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) return { ok: false, reason: `"${ref.slice(0, 100)}" is not the http(s) URL of an action kit` };
    const url = new URL(text);
    if (url.origin === this.#urls.origin.origin) {
      const kit = await this.#kits.asIncoming(url);
      return kit ? { ok: true, kit } : { ok: false, reason: `${url.href} is no published action kit of this instance` };
    }
    if (await this.#refuses(url)) return { ok: false, reason: `${url.hostname} is blocked on this instance` };
    const ctx = this.#federation.createContext(this.#urls.origin, undefined);
    const documentLoader = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
    const loaders = { documentLoader, contextLoader: ctx.contextLoader };
    let article: Article;
    try {
      const { document } = await documentLoader(url.href);
      const object = await AsObject.fromJsonLd(document, loaders);
      if (!(object instanceof Article) || !object.id) return { ok: false, reason: `${url.href} is not an action kit (no Article there)` };
      article = object;
    } catch (error) {
      return { ok: false, reason: failure(url, error) };
    }
    const id = article.id as URL;
    const author = article.attributionId;
    if (!author || author.origin !== id.origin || id.origin !== url.origin) return { ok: false, reason: `${url.href} is not on its author's server` };
    let actorName: string | undefined;
    try {
      const actor = await article.getAttribution(loaders);
      if (actor && isActor(actor)) actorName = actor.name?.toString() ?? actor.preferredUsername?.toString();
    } catch {
      // The name is only shown; the origin's URL stays.
    }
    const textUrl = this.#urls.actionKitText(id);
    let json: unknown;
    try {
      json = (await documentLoader(textUrl.href)).document;
    } catch (error) {
      return { ok: false, reason: `${url.href} is an Article but not a Relais action kit: ${failure(textUrl, error)}` };
    }
    const doc = json && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
    if (doc.id !== id.href || doc.attributedTo !== author.href) return { ok: false, reason: `${textUrl.href} is not the text of ${id.href}` };
    const kitText = Object.fromEntries(textKeys.map((k) => [k, doc[k]])) as unknown as ActionKitText;
    const page = article.url instanceof URL ? article.url : id;
    return { ok: true, kit: { apId: id, actorApId: author, actorName, url: page, text: kitText } };
  }
}

function failure(url: URL, error: unknown): string {
  const status = fetchErrorStatus(error);
  return status ? `${url.href} answered ${status}` : `${url.href} could not be read: ${(error as Error).message}`;
}

type PartnerRef = PartnerKits["partner"];

/**
 * The published kits of a collective's partners, for its editors to adopt one (the network view): a
 * partner of this instance is read from the database; another server's from its `<actor>/kits.json` (a
 * signed GET from the instance actor; a server that has none — not Relais — lists nothing), keeping
 * the kits on the partner's own server. Read when the page is asked for, nothing stored; a partner
 * that cannot be read is marked, not fatal.
 */
export class PartnerKitLister {
  readonly #federation: RelaisFederation;
  readonly #urls: Urls;
  readonly #kits: ActionKitService;
  readonly #refuses: (url: URL) => Promise<boolean>;

  constructor(deps: { federation: RelaisFederation; urls: Urls; actionkits: ActionKitService; refuses?: (url: URL) => Promise<boolean> }) {
    this.#federation = deps.federation;
    this.#urls = deps.urls;
    this.#kits = deps.actionkits;
    this.#refuses = deps.refuses ?? (async () => false);
  }

  async list(partners: readonly PartnerRef[]): Promise<PartnerKits[]> {
    return Promise.all(partners.slice(0, 30).map((p) => this.#one(p)));
  }

  async #one(partner: PartnerRef): Promise<PartnerKits> {
    const actor = new URL(partner.actorApId);
    try {
      if (actor.origin === this.#urls.origin.origin) {
        const slug = match(paths.actor, actor.pathname)?.identifier;
        const kits = slug && slug !== instanceIdentifier ? await this.#kits.list(slug, null, { limit: 50 }) : [];
        return { partner, kits: kits.map((k) => ({ apId: k.apId, title: k.title, country: k.country })), unreadable: false };
      }
      if (await this.#refuses(actor)) return { partner, kits: [], unreadable: false };
      const ctx = this.#federation.createContext(this.#urls.origin, undefined);
      const documentLoader = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
      const { document } = await documentLoader(this.#urls.collectiveKitsJson(actor).href);
      const doc = document && typeof document === "object" ? (document as Record<string, unknown>) : {};
      if (doc.attributedTo !== actor.href || !Array.isArray(doc.items)) return { partner, kits: [], unreadable: true };
      const kits = doc.items.slice(0, 50).flatMap((raw): PartnerKitItem[] => {
        const item = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
        if (typeof item.id !== "string" || !URL.canParse(item.id) || new URL(item.id).origin !== actor.origin) return [];
        const title = item.title && typeof item.title === "object" ? Object.fromEntries(Object.entries(item.title).filter(([, v]) => typeof v === "string").map(([l, v]) => [l, String(v).slice(0, 200)])) : {};
        return [{ apId: new URL(item.id), title, country: typeof item.country === "string" ? item.country.slice(0, 2) : "" }];
      });
      return { partner, kits, unreadable: false };
    } catch (error) {
      if (fetchErrorStatus(error) === 404) return { partner, kits: [], unreadable: false };
      return { partner, kits: [], unreadable: true };
    }
  }
}
