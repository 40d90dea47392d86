import { isActor, Object as AsObject } from "@fedify/vocab";
import { validatePublicUrl } from "@fedify/vocab-runtime";
import type { RemoteActorInfo } from "../modules/remote-actor/remote-actor.types.ts";
import { instanceIdentifier, type Urls } from "../shared/urls.ts";
import type { RelaisFederation } from "./federation.ts";
import { fetchErrorStatus } from "./inbox/inbox-handlers.ts";
import { remoteActorInfo } from "./mappers/collective.mapper.ts";

export type ResolveActorResult = { ok: true; actor: RemoteActorInfo } | { ok: false; reason: string };

const handlePattern = /^(?:acct:)?@?([^@\s/]+)@([^@\s/]+)$/;

/**
 * Finds the actor an editor means: a handle (`@group@host`, `group@host`, `acct:group@host`), found by
 * WebFinger, or the URL of an actor (a Mobilizon group's page is its actor's id). The actor document is
 * fetched with a signed GET from the instance actor (servers in authorized-fetch mode refuse others).
 * Failures are values with a message for the editor.
 */
export class PartnerResolver {
  readonly #federation: RelaisFederation;
  readonly #urls: Urls;
  readonly #allowPrivateAddresses: boolean;
  readonly #refuses: (url: URL) => Promise<boolean>;

  constructor(deps: {
    federation: RelaisFederation;
    urls: Urls;
    allowPrivateAddresses: boolean;
    /** Servers nothing is asked of (blocked instance-wide): WebFinger is not tried there. */
    refuses?: (url: URL) => Promise<boolean>;
  }) {
    this.#federation = deps.federation;
    this.#urls = deps.urls;
    this.#allowPrivateAddresses = deps.allowPrivateAddresses;
    this.#refuses = deps.refuses ?? (async () => false);
  }

  async resolve(ref: string): Promise<ResolveActorResult> {
    const text = ref.trim();
    let actorUrl: URL;
    const handle = handlePattern.exec(text);
    if (handle) {
      if (!URL.canParse(`https://${handle[2]}/`)) return { ok: false, reason: `"${ref}": ${handle[2]} is not a host name` };
      if (await this.#refuses(new URL(`https://${handle[2]}/`))) return { ok: false, reason: `${new URL(`https://${handle[2]}/`).hostname} is blocked on this instance` };
      const found = await this.#webFinger(handle[1] as string, handle[2] as string);
      if (!found.ok) return found;
      actorUrl = found.url;
    } else if (URL.canParse(text) && /^https?:$/.test(new URL(text).protocol)) {
      actorUrl = new URL(text);
    } else {
      return { ok: false, reason: `"${ref}" is neither a handle (@group@host) nor an http(s) URL` };
    }
    const ctx = this.#federation.createContext(this.#urls.origin, undefined);
    const documentLoader = await ctx.getDocumentLoader({ identifier: instanceIdentifier });
    try {
      const { document } = await documentLoader(actorUrl.href);
      const object = await AsObject.fromJsonLd(document, { documentLoader, contextLoader: ctx.contextLoader });
      if (!isActor(object)) return { ok: false, reason: `${actorUrl.href} is not an ActivityPub actor` };
      const info = remoteActorInfo(object);
      if (!info) return { ok: false, reason: `${actorUrl.href} is an actor without a usable inbox` };
      if (info.apId.origin !== actorUrl.origin) return { ok: false, reason: `${actorUrl.href} describes an actor of another server` };
      return { ok: true, actor: info };
    } catch (error) {
      const status = fetchErrorStatus(error);
      return { ok: false, reason: status ? `${actorUrl.href} answered ${status}` : `${actorUrl.href} could not be read: ${(error as Error).message}` };
    }
  }

  /**
   * WebFinger over https; in development (private addresses allowed) a server that cannot be reached
   * over https is asked over http, as loopback test servers are.
   */
  async #webFinger(user: string, host: string): Promise<{ ok: true; url: URL } | { ok: false; reason: string }> {
    const schemes = this.#allowPrivateAddresses ? ["https:", "http:"] : ["https:"];
    let last = "";
    for (const scheme of schemes) {
      const url = new URL(`${scheme}//${host}/.well-known/webfinger`);
      url.searchParams.set("resource", `acct:${user}@${host}`);
      try {
        if (!this.#allowPrivateAddresses) await validatePublicUrl(url.href);
        const response = await fetch(url, { headers: { accept: "application/jrd+json, application/json" }, signal: AbortSignal.timeout(10_000) });
        if (!response.ok) {
          await response.body?.cancel();
          return { ok: false, reason: `${host} knows no ${user}@${host} (WebFinger answered ${response.status})` };
        }
        const body = (await response.json()) as { links?: { rel?: unknown; type?: unknown; href?: unknown }[] };
        const self = (body.links ?? []).find(
          (l) => l.rel === "self" && typeof l.href === "string" && (typeof l.type !== "string" || /activity\+json|ld\+json/.test(l.type)),
        );
        if (!self || !URL.canParse(String(self.href))) return { ok: false, reason: `${user}@${host} has no ActivityPub actor` };
        return { ok: true, url: new URL(String(self.href)) };
      } catch (error) {
        last = (error as Error).message;
      }
    }
    return { ok: false, reason: `${host} could not be reached for WebFinger: ${last}` };
  }
}
