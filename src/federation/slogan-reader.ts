import type { DocumentLoader } from "@fedify/vocab-runtime";
import { Hashtag, isActor, Note, Object as AsObject } from "@fedify/vocab";
import type { SloganService } from "../modules/slogan/slogan.service.ts";
import type { IncomingSlogan } from "../modules/slogan/slogan.types.ts";
import { instanceIdentifier, type Urls } from "../shared/urls.ts";
import type { RelaisFederation } from "./federation.ts";
import { fetchErrorStatus } from "./inbox/inbox-handlers.ts";
import { plainText } from "./mappers/as2-text.ts";
import { fromLanguageStrings } from "./mappers/language-map.ts";

type Loaders = { documentLoader: DocumentLoader; contextLoader: DocumentLoader };

/**
 * A Note as a partner's slogan: a Relais slogan carries its bare lines as `nameMap`; any other Note
 * gives its first paragraph per language. Tags from its Hashtags (embedded ones need no fetch).
 */
export async function sloganOfNote(note: Note, apId: URL, author: URL, actorName: string | undefined, loaders: Loaders): Promise<IncomingSlogan> {
  const names = fromLanguageStrings(note.names);
  const firstParagraph = (html: string) => plainText(/<p[^>]*>(.*?)<\/p>/is.exec(html)?.[1] ?? html);
  const contents = fromLanguageStrings(note.contents);
  const lines = names ?? (contents ? Object.fromEntries(Object.entries(contents).map(([l, h]) => [l, firstParagraph(h)])) : {});
  const tags: string[] = [];
  for await (const tag of note.getTags(loaders)) {
    if (tag instanceof Hashtag && tag.name) tags.push(tag.name.toString().replace(/^#/, ""));
  }
  return { apId, actorApId: author, actorName, url: note.url instanceof URL ? note.url : apId, text: lines, tags };
}

export type ReadSloganResult = { ok: true; slogan: IncomingSlogan } | { ok: false; reason: string };

/**
 * Reads a partner's slogan to adopt it, by the URL of its Note: one of this instance's slogans is read
 * from the database; another server's with a signed GET from the instance actor. A Relais slogan
 * carries its bare lines as `nameMap`; any other Note gives its first paragraph per language. The Note
 * must be on its author's server. Failures are values with a message for the editor.
 */
export class SloganReader {
  readonly #federation: RelaisFederation;
  readonly #urls: Urls;
  readonly #slogans: SloganService;
  readonly #refuses: (url: URL) => Promise<boolean>;

  constructor(deps: { federation: RelaisFederation; urls: Urls; slogans: SloganService; refuses?: (url: URL) => Promise<boolean> }) {
    this.#federation = deps.federation;
    this.#urls = deps.urls;
    this.#slogans = deps.slogans;
    this.#refuses = deps.refuses ?? (async () => false);
  }

  async read(ref: string): Promise<ReadSloganResult> {
    const text = ref.trim();
    if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) return { ok: false, reason: `"${ref.slice(0, 100)}" is not the http(s) URL of a slogan` };
    const url = new URL(text);
    if (url.origin === this.#urls.origin.origin) {
      const slogan = await this.#slogans.asIncoming(url);
      return slogan ? { ok: true, slogan } : { ok: false, reason: `${url.href} is no published slogan of this instance` };
    }
    if (await this.#refuses(url)) return { ok: false, reason: `${url.hostname} is blocked on this instance` };
    const ctx = this.#federation.createContext(this.#urls.origin, undefined);
    const documentLoader = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
    try {
      const { document } = await documentLoader(url.href);
      const object = await AsObject.fromJsonLd(document, { documentLoader, contextLoader: ctx.contextLoader });
      if (!(object instanceof Note) || !object.id) return { ok: false, reason: `${url.href} is not a Note` };
      const author = object.attributionId;
      if (!author || author.origin !== object.id.origin || object.id.origin !== url.origin) return { ok: false, reason: `${url.href} is not on its author's server` };
      const loaders = { documentLoader, contextLoader: ctx.contextLoader };
      let actorName: string | undefined;
      try {
        const actor = await object.getAttribution(loaders);
        if (actor && isActor(actor)) actorName = actor.name?.toString() ?? actor.preferredUsername?.toString();
      } catch {
        // The name is only shown; the origin's URL stays.
      }
      return { ok: true, slogan: await sloganOfNote(object, object.id, author, actorName, loaders) };
    } catch (error) {
      const status = fetchErrorStatus(error);
      return { ok: false, reason: status ? `${url.href} answered ${status}` : `${url.href} could not be read: ${(error as Error).message}` };
    }
  }
}
