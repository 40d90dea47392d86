import type { Context, Federation, KvKey, KvStore } from "@fedify/fedify";
import type { Accept, Activity, Add, Announce, Create, Delete, Offer, Reject, Remove, Undo, Update } from "@fedify/vocab";
import { type DocumentLoader, preloadedContexts } from "@fedify/vocab-runtime";
import { getLogger } from "@logtape/logtape";
import { KnockMemory } from "./outbound/one-knock.ts";
import type { JsonObject } from "./mappers/event.mapper.ts";
import { createOutboundFetch, type OutboundLimits } from "./outbound/outbound-fetch.ts";
import { yieldQueueSlot } from "./queue/postgres-message-queue.ts";

export { type ForwardDelivery, forwardLater, withoutDeliveriesToBlocked } from "./fedify-workarounds.queue.ts";

/**
 * Workarounds for Fedify 2.3.8, each with a contract test (fedify-workarounds*.test.ts) that fails the
 * day upstream changes the behaviour it works around:
 * - no inbox idempotency records (`withoutActivityIdempotence`);
 * - bounded outbound requests through a process-wide fetch, which also knocks once where once is enough
 *   (`installOutboundFetch`), and only accepted signature specs remembered (`withTrustedSignatureSpecs`);
 * - complete JSON-LD documents sent as activities (`prebuiltActivity`);
 * - the Delete of an actor that is gone (`rescueRefusedInboxPosts`);
 * - nothing fetched from, nor delivered to, what is blocked (`refuseBlockedFetches`, `withoutDeliveriesToBlocked`);
 * - the JSON an inbox activity arrived as (`receivedJson`), for terms Fedify's vocabulary lacks;
 * - a received activity forwarded later, from an outbox row (`forwardLater`);
 * - the inbox's recipient check answered without building the actor (`isInboxRecipientCheck`);
 * - Fedify's content negotiation for actors, for the read cache in front of it (`fedifyServesJsonLd`).
 * The two about Fedify's queue (`withoutDeliveriesToBlocked`, `forwardLater`) are in
 * fedify-workarounds.queue.ts, exported from here.
 * What Fedify's own options cover is configured in federation.ts, not here: `withIdempotency`,
 * `firstKnock`, `circuitBreaker`, `permanentFailureStatusCodes`, default activity transformers.
 */

/** Where Fedify keeps its "activity already processed" records (its default `kvPrefixes`). */
export const activityIdempotencePrefix: KvKey = ["_fedify", "activityIdempotence"];

function under(key: KvKey, prefix: KvKey): boolean {
  return prefix.every((part, i) => key[i] === part);
}

/**
 * The KV store given to Fedify, minus its inbox idempotency records: reads find none, writes keep none.
 *
 * Fedify remembers an activity's id once a listener returns, whatever the listener decided, and drops
 * any later activity with that id. A stranger could then send an activity carrying a victim's id
 * (`victim#delete`), have it ignored, and get the victim's real Delete dropped as a duplicate.
 * `withIdempotency(() => null)` turns the records off for activities handled at once, but the queued
 * path keys them by origin and id regardless of the strategy (fedify-dev/fedify#441 introduced the
 * strategies; the queue path of 2.3.8 still ignores them). Relais keeps no such records: the inbox
 * handlers are idempotent on the data (unique follows, deletes that find nothing), so a replay changes
 * nothing and nothing a refused request carried is remembered. See docs/adr (inbox idempotency).
 */
export function withoutActivityIdempotence(kv: KvStore): KvStore {
  const skip = (key: KvKey) => under(key, activityIdempotencePrefix);
  const store: KvStore = {
    get: async <T = unknown>(key: KvKey) => (skip(key) ? undefined : await kv.get<T>(key)),
    set: async (key, value, options) => {
      if (!skip(key)) await kv.set(key, value, options);
    },
    delete: async (key) => {
      if (!skip(key)) await kv.delete(key);
    },
    list: (prefix) => kv.list(prefix),
  };
  if (kv.cas) {
    const cas = kv.cas.bind(kv);
    store.cas = async (key, expected, value, options) => (skip(key) ? false : await cas(key, expected, value, options));
  }
  return store;
}

const logger = getLogger(["relais", "federation"]);

let platformFetch: typeof fetch | undefined;
let installed: { limits: OutboundLimits; fetch: typeof fetch; close(): Promise<void> } | undefined;
/** One per process, like the fetch it wraps. */
const knocks = new KnockMemory();

/**
 * Deadlines and size caps on every outbound request, installed as the process's `fetch`.
 *
 * Fedify 2.3.8 delivers activities with the global `fetch(signedRequest, { redirect: "manual" })` and no
 * signal (`fetchDoubleKnockRequest` in node_modules/@fedify/fedify/dist/http-*.js, called from
 * `sendActivityInternal`); there is no option to give it another fetch or a timeout (the abort-signal
 * work of fedify-dev/fedify#51 did not reach deliveries). Its document, context and key loaders
 * (@fedify/vocab-runtime `getDocumentLoader`), WebFinger and NodeInfo clients call the global `fetch` too,
 * so one process-wide fetch covers them all, where `documentLoaderFactory` & co. would cover only some.
 * Installed by the composition root; installing again with other limits replaces the previous ones
 * (several instances in one test process share it). Contract: fedify-workarounds.test.ts checks that
 * each of those Fedify paths goes through `globalThis.fetch` at call time.
 *
 * The same fetch knocks once where once is enough (outbound/one-knock.ts): Fedify 2.3.8's `doubleKnock`
 * (node_modules/@fedify/fedify/dist/http-*.js) signs a request again with the other spec after any
 * status of 400 or more, so a 404 from Gancio (an activity it does not handle) was followed by an RFC
 * 9421 knock that Gancio answers 500: the delivery then failed as a 500 (retried, counted against the
 * host) instead of a 404, and Fedify remembered RFC 9421 for Gancio. See also `withTrustedSignatureSpecs`.
 */
export function installOutboundFetch(limits: OutboundLimits): void {
  platformFetch ??= globalThis.fetch;
  if (installed && sameLimits(installed.limits, limits) && globalThis.fetch === installed.fetch) return;
  const previous = installed;
  // A request waiting on a slow server gives its queue slot (if it runs in a queue handler) to the next
  // delivery: a slow server holds up nobody else's deliveries (slow-hosts.ts).
  const outbound = createOutboundFetch(platformFetch, limits, { slowHosts: { onSlow: yieldQueueSlot } });
  globalThis.fetch = knocks.wrap(outbound.fetch);
  installed = { limits, fetch: globalThis.fetch, close: outbound.close };
  logger.debug("outbound requests bounded: {limits}", { limits });
  // In-flight requests of the previous fetch finish first.
  previous?.close().catch(() => {});
}

function sameLimits(a: OutboundLimits, b: OutboundLimits): boolean {
  return (Object.keys(a) as (keyof OutboundLimits)[]).every((k) => a[k] === b[k]);
}

/** Where Fedify remembers which signature spec each server accepts (its default `kvPrefixes`). */
export const signatureSpecPrefix: KvKey = ["_fedify", "httpMessageSignaturesSpec"];

/**
 * The KV store given to Fedify, keeping only the signature specs a server was seen to accept.
 *
 * Fedify 2.3.8 remembers, per origin, the spec of the last knock whatever its answer was unless it was
 * 400, 401 or a redirect (`doubleKnockInternal`, then `KvSpecDeterminer.rememberSpec`): a 500 to an RFC
 * 9421 signature made it knock RFC 9421 first at Gancio for ever after, and a second knock answered by
 * `installOutboundFetch`'s memory (which did not go out) would be remembered too. The spec determiner
 * is built inside Fedify with no option to replace it, so its writes are filtered here: one is kept
 * only when that origin answered a request signed with that spec with a 2xx a moment ago.
 */
export function withTrustedSignatureSpecs(kv: KvStore): KvStore {
  return {
    get: (key) => kv.get(key),
    set: async (key, value, options) => {
      if (under(key, signatureSpecPrefix) && key.length === signatureSpecPrefix.length + 1) {
        if (!knocks.acceptedRecently(key[signatureSpecPrefix.length]!, value)) {
          logger.debug("not remembering {spec} for {origin}: no 2xx seen for it", { spec: value, origin: key[signatureSpecPrefix.length] });
          return;
        }
      }
      await kv.set(key, value, options);
    },
    delete: (key) => kv.delete(key),
    list: (prefix) => kv.list(prefix),
    ...(kv.cas ? { cas: kv.cas.bind(kv) } : {}),
  };
}

type ActivityClass =
  | typeof Create
  | typeof Update
  | typeof Delete
  | typeof Offer
  | typeof Accept
  | typeof Reject
  | typeof Add
  | typeof Remove
  | typeof Announce
  | typeof Undo;

const activityStreams = "https://www.w3.org/ns/activitystreams";
/** Defines `proof` (FEP-8b32 object integrity proofs); Fedify's own activities carry it too. */
export const dataIntegrityContext = "https://w3id.org/security/data-integrity/v1";

/**
 * Fedify's vocabulary cannot hold FEP-8a8e's terms (timezone, eventStatus, postal address, online
 * location), so an Event serialised by Fedify loses them. For activities that must reach partners
 * whole, we build the complete JSON-LD ourselves and hand Fedify an activity whose compact form IS
 * that document, plus the integrity proofs Fedify attaches to it.
 *
 * Fedify signs such an activity like any other: the HTTP request (RSA), a Linked Data signature (RSA)
 * and an FEP-8b32 proof (Ed25519). It makes the proof on a clone (`clone()` builds the clone with
 * `new this.constructor`, so the clone is one of these too) and serialises the activity it was given
 * or that clone, never a plain `Create` rebuilt from parsed values.
 * Fedify's default activity transformers clone that way too. The document's `@context` always includes
 * the data-integrity context, with or without a proof, so that the proof, made over the document
 * without it, verifies on the document that carries it. Fedify has no way to send a JSON-LD document
 * as it is (`sendActivity` takes vocabulary objects and serialises them with `toJsonLd`, in
 * `FederationImpl.sendActivity`, node_modules/@fedify/fedify/dist/middleware-*.js).
 */
export async function prebuiltActivity(cls: ActivityClass, document: JsonObject): Promise<Activity> {
  const doc = withDataIntegrityContext(structuredClone(document));
  const parsed = await cls.fromJsonLd(doc);
  const Prebuilt = class extends (cls as typeof Create) {
    override async toJsonLd(options: Parameters<Create["toJsonLd"]>[0] = {}): Promise<unknown> {
      if (options.format !== "compact" && options.format !== undefined) return super.toJsonLd(options);
      const out = structuredClone(doc);
      const proofs: unknown[] = [];
      for await (const proof of this.getProofs(options)) {
        const { "@context": _context, ...compact } = (await proof.toJsonLd({ ...options, format: "compact", context: dataIntegrityContext })) as JsonObject;
        proofs.push(compact);
      }
      if (proofs.length > 0) out.proof = proofs.length === 1 ? proofs[0] : proofs;
      return out;
    }
  };
  // Keep every value Fedify parsed (id, actor, recipients), so its routing sees the same activity.
  return Object.setPrototypeOf(parsed, Prebuilt.prototype) as Activity;
}

function withDataIntegrityContext(doc: JsonObject): JsonObject {
  const context = doc["@context"];
  const list = Array.isArray(context) ? [...context] : context === undefined ? [] : [context];
  if (list.includes(dataIntegrityContext)) return doc;
  const after = list.indexOf(activityStreams);
  list.splice(after + 1, 0, dataIntegrityContext);
  return { ...doc, "@context": list };
}

/**
 * Gives refused inbox POSTs a second look. A deleted actor's key goes with it, so Fedify cannot tie
 * the signature of its `Delete` to the actor any more and answers 401. When the key can no longer be
 * fetched, Fedify 2.3.8 calls `onUnverifiedActivity`; but when the key is still in its key cache (kept
 * without expiry), the signature verifies and the check that the actor owns the key fails on the
 * actor's 410, which ends in "The signer and the actor do not match" with no hook at all
 * (`handleInboxInternal`, node_modules/@fedify/fedify/dist/middleware-*.js). Both cases are the same
 * to us, so one wrapper handles them: `rescue` sees a copy of every inbox POST Fedify answered 401 and
 * may answer instead. Only inbox POSTs are copied, bounded by the bridge's body cap.
 */
export function rescueRefusedInboxPosts<T>(
  federation: Federation<T>,
  contextData: T,
  rescue: (ctx: Context<T>, refused: Request) => Promise<Response | undefined>,
): void {
  const handle = federation.fetch.bind(federation);
  federation.fetch = async (request, options) => {
    if (request.method !== "POST") return handle(request, options);
    const ctx = federation.createContext(new URL(request.url), contextData);
    if (ctx.parseUri(new URL(request.url))?.type !== "inbox") return handle(request, options);
    const copy = request.clone();
    const response = await handle(request, options);
    if (response.status !== 401) {
      copy.body?.cancel().catch(() => {});
      return response;
    }
    return (await rescue(ctx, copy)) ?? response;
  };
}

/**
 * Serves `/.well-known/nodeinfo` with our own links. Fedify 2.3.8 answers that path itself once a
 * NodeInfo dispatcher is set, listing the NodeInfo document only, and has no way to add a link: the
 * FEP-2677 link to the instance actor (nodeinfo.ts) needs this.
 */
export function withWellKnownNodeInfoLinks<T>(federation: Federation<T>, links: () => { rel: string; href: string }[]): void {
  const handle = federation.fetch.bind(federation);
  federation.fetch = async (request, options) => {
    if ((request.method !== "GET" && request.method !== "HEAD") || new URL(request.url).pathname !== "/.well-known/nodeinfo") {
      return handle(request, options);
    }
    return new Response(request.method === "HEAD" ? null : JSON.stringify({ links: links() }), {
      headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
    });
  };
}

/** A request this instance will not make: the server or actor is blocked instance-wide. Retrying changes nothing. */
export class BlockedFetchError extends Error {
  readonly url: string;
  constructor(url: string) {
    super(`${url} is not fetched: it is blocked on this instance`);
    this.name = "BlockedFetchError";
    this.url = url;
  }
}

/** The loader factories Fedify 2.3.8 keeps on its federation object and reads at each context's creation. */
interface LoaderFactories {
  documentLoaderFactory: (...args: never[]) => DocumentLoader;
  contextLoaderFactory: (...args: never[]) => DocumentLoader;
  authenticatedDocumentLoaderFactory: (...args: never[]) => DocumentLoader;
}

/**
 * Makes every document, context and key that Fedify loads for `federation` pass `allows` first, so
 * that nothing is fetched from a blocked server or actor (signature keys during inbox verification,
 * actors, objects, `@context` documents, signed fetches of the instance actor). Refused: a
 * `BlockedFetchError`, before any request and before Fedify's document cache.
 *
 * Fedify 2.3.8 takes `documentLoaderFactory`, `contextLoaderFactory` and
 * `authenticatedDocumentLoaderFactory` options, but refuses them together with `allowPrivateAddress` or
 * `userAgent` ("Cannot set documentLoaderFactory with allowPrivateAddress or userAgent options", in
 * `FederationImpl`'s constructor, node_modules/@fedify/fedify/dist/middleware-*.js), and replacing
 * them would also lose its cache and private-address checks. Its federation keeps the three factories
 * as properties and calls them when a context is created, so they are wrapped there. The contexts
 * Fedify ships preloaded (ActivityStreams, security…) are never fetched and stay allowed whatever is
 * blocked. The process-wide fetch (installOutboundFetch) cannot do this: tests run several instances,
 * each with its own blocks, in one process. Contract: fedify-workarounds.blocks.test.ts.
 */
export function refuseBlockedFetches<T>(federation: Federation<T>, allows: (url: URL) => Promise<boolean>): void {
  const target = federation as unknown as LoaderFactories;
  for (const name of ["documentLoaderFactory", "contextLoaderFactory", "authenticatedDocumentLoaderFactory"] as const) {
    const factory = target[name];
    if (typeof factory !== "function") throw new Error(`Fedify's federation has no ${name} any more: see refuseBlockedFetches`);
    target[name] = ((...args: never[]) => {
      const load = factory.apply(federation, args);
      const guarded: DocumentLoader = async (url, options) => {
        if (!(url in preloadedContexts) && URL.canParse(url) && !(await allows(new URL(url)))) throw new BlockedFetchError(url);
        return load(url, options);
      };
      return guarded;
    }) as LoaderFactories[typeof name];
  }
}

/**
 * The JSON an inbox activity arrived as, exactly as its sender wrote it; undefined if Fedify did not
 * hand it over.
 *
 * Partners' events carry terms Fedify 2.3.8's vocabulary lacks (FEP-8a8e's `timezone`, `eventStatus`,
 * schema.org addresses, Gancio's address strings, the offsets of local times), so they are read from the
 * JSON (remote-event.mapper.ts). A listener gets the parsed activity, and for an activity with a Linked
 * Data signature (Relais and Mastodon sign theirs) Fedify parses a JSON-LD compaction of it, in which
 * those terms are full IRIs or gone (`toJsonLd()` gives that compaction back). The sender's payload is
 * kept on the listener's context (`InboxContextImpl.activity`, marked internal: Fedify keeps it to
 * forward activities unchanged) on both the immediate and the queued path. Contract:
 * fedify-workarounds.test.ts.
 */
export function receivedJson(ctx: object): JsonObject | undefined {
  const activity = (ctx as { activity?: unknown }).activity;
  return typeof activity === "object" && activity !== null && !Array.isArray(activity) ? (activity as JsonObject) : undefined;
}

/**
 * Whether the actor dispatcher is being asked by Fedify's inbox whether an inbox POST's recipient
 * exists. Fedify 2.3.8 (`handleInboxInternal` in node_modules/@fedify/fedify/dist/middleware-*.js)
 * calls the actor dispatcher for every POST to a personal inbox and looks only at whether it returned
 * null or a Tombstone; building the whole actor for that (its row, its keys exported to JWK and
 * Multikey) cost a query and the key exports on every inbox POST (issue 15). The dispatcher answers
 * such calls with the actor's id alone. No other path of Fedify calls the actor dispatcher while
 * handling a POST (actor documents are GETs). Contract: fedify-workarounds.test.ts.
 */
export function isInboxRecipientCheck(ctx: object): boolean {
  return (ctx as { request?: Request }).request?.method === "POST";
}

/**
 * Whether Fedify 2.3.8 answers an actor URL with its JSON-LD document (rather than handing the request to
 * the HTML page) for this Accept header: its `acceptsJsonLd` (node_modules/@fedify/fedify/dist/
 * middleware-*.js, with `preferredMediaTypes`), which it does not export, copied here. The read cache
 * (cached-reads.ts) answers actor URLs before Fedify and must serve the JSON-LD to exactly the clients
 * Fedify serves it to: browsers get the page, never the cached JSON. Contract:
 * fedify-workarounds.test.ts, which asks Fedify's own actor route with the same headers.
 */
export function fedifyServesJsonLd(accept: string | undefined): boolean {
  const types = accept ? preferredMediaTypes(accept) : ["*/*"];
  if (types[0] === "text/html" || types[0] === "application/xhtml+xml") return false;
  return types.includes("application/activity+json") || types.includes("application/ld+json") || types.includes("application/json");
}

interface MediaRange {
  readonly type: string;
  readonly q: number;
  readonly i: number;
}

function preferredMediaTypes(accept: string): string[] {
  const ranges: MediaRange[] = [];
  accept.split(",").forEach((part, i) => {
    const m = /^\s*([^\s/;]+)\/([^;\s]+)\s*(?:;(.*))?$/.exec(part.trim());
    if (!m?.[1] || !m[2]) return;
    let q = 1;
    for (const param of (m[3] ?? "").split(";").map((p) => p.trim())) {
      const [key = "", raw] = param.split("=");
      const value = raw && raw[0] === '"' && raw[raw.length - 1] === '"' ? raw.slice(1, -1) : raw;
      if (key.toLowerCase() === "q" && value) {
        q = Number.parseFloat(value);
        break;
      }
    }
    ranges.push({ type: `${m[1]}/${m[2]}`, q, i });
  });
  return ranges
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((r) => r.type);
}
