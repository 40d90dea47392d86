// A remote server that talks like Mastodon, for end-to-end federation tests on loopback (plain HTTP).
// Documents follow the shapes in ../shared/fixtures/as2 (Mastodon actor, WebFinger, Follow/Undo);
// requests are signed and checked with our own draft-cavage code, never with Fedify.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ACTIVITY_JSON,
  generateSigningKey,
  idOf,
  type JsonFetchResult,
  type JsonObject,
  parseSignatureHeader,
  type SigningKey,
  signedGetHeaders,
  signedPostHeaders,
} from "./http-signatures.ts";
import {
  ACTIVITY_STREAMS,
  emptyCollection,
  mastodonActor,
  mastodonCollections,
  mastodonCreateNote,
  mastodonNodeInfo,
  mastodonWebFinger,
  NODEINFO,
  nodeInfoLinks,
} from "./mastodon-documents.ts";
import { type ReceivedDelivery, receiveMastodonDelivery } from "./mastodon-inbox.ts";
import { closeServer, headerRecord } from "./peer-http.ts";

export type { JsonObject, SigningKey };
export { ACTIVITY_STREAMS, PUBLIC_COLLECTION } from "./mastodon-documents.ts";
export type { ReceivedDelivery } from "./mastodon-inbox.ts";

export interface MastodonPeerOptions {
  /** Loopback address to listen on (127.0.0.2 etc. work on Linux); default 127.0.0.1. */
  host?: string;
  port?: number;
  username?: string;
  /**
   * Like Mastodon, take an activity whose HTTP signature is another actor's (a forwarded one) when
   * this says its Linked Data signature is its actor's; without it such a delivery is refused (401).
   */
  verifyForwarded?: (activity: JsonObject) => Promise<boolean>;
  /**
   * Like Mastodon, keep the key documents fetched to verify signatures and use them again; when a
   * signature does not verify with a kept key, fetch it again once and retry (what lets a sender rotate
   * its keys). Off by default: each delivery fetches the key.
   */
  cacheKeys?: boolean;
}

/** Any request the peer served (GETs included), to see what our server fetched and how it signed. */
export interface ServedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  keyId?: string;
}

export interface SendOptions {
  /** Sign with another key, e.g. one from `createForgedKey`. */
  key?: SigningKey;
  /** Send without any Signature header. */
  unsigned?: boolean;
  /** Alter the body after Digest and Signature were computed. */
  mutateBodyAfterSigning?: (body: string) => string;
  /** Sign with this Date (for stale-signature cases). */
  date?: Date;
  /** Send (and sign) this text instead of the activity's JSON: bodies JSON.stringify cannot write. */
  rawBody?: string;
}

export type WebFingerResult =
  | { ok: true; jrd: JsonObject; self: URL | null }
  | { ok: false; status: number; reason: string };

const FETCH_ACCEPT = `${ACTIVITY_JSON}, application/ld+json; profile="${ACTIVITY_STREAMS}", text/html;q=0.1`;

export class MastodonPeer {
  readonly origin: URL;
  readonly username: string;
  readonly actorId: URL;
  readonly inboxUrl: URL;
  readonly sharedInboxUrl: URL;
  readonly acct: string;
  readonly key: SigningKey;
  readonly received: ReceivedDelivery[] = [];
  readonly served: ServedRequest[] = [];
  /** Key documents this peer fetched to verify signatures (with `cacheKeys`, only the misses and refetches). */
  readonly keyFetches: string[] = [];
  readonly #server: Server;
  readonly #documents = new Map<string, JsonObject>();
  readonly #follows = new Map<string, { follow: JsonObject; inbox: URL; serial: number }>();
  readonly #waiters = new Set<() => void>();
  #deliveryStatus: number | null = null;
  #deliveryDelayMs = 0;
  #answering = 0;
  #actorStatus: number | null = null;
  #serial = 0;
  #verifyForwarded: ((activity: JsonObject) => Promise<boolean>) | undefined;
  #keyCache: Map<string, JsonFetchResult> | undefined;

  private constructor(server: Server, origin: URL, username: string, key: SigningKey) {
    this.#server = server;
    this.origin = origin;
    this.username = username;
    this.actorId = new URL(`/users/${username}`, origin);
    this.inboxUrl = new URL(`/users/${username}/inbox`, origin);
    this.sharedInboxUrl = new URL("/inbox", origin);
    this.acct = `${username}@${origin.host}`;
    this.key = key;
  }

  static async start(options: MastodonPeerOptions = {}): Promise<MastodonPeer> {
    const host = options.host ?? "127.0.0.1";
    const username = options.username ?? "alice";
    let peer: MastodonPeer | undefined;
    const server = createServer((req, res) => {
      peer!.#handle(req, res).catch((error: unknown) => {
        console.error("mastodon peer: request failed", error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const origin = new URL(`http://${host}:${port}`);
    const key = await generateSigningKey(new URL(`/users/${username}#main-key`, origin));
    peer = new MastodonPeer(server, origin, username, key);
    peer.#verifyForwarded = options.verifyForwarded;
    if (options.cacheKeys) peer.#keyCache = new Map();
    return peer;
  }

  /** Mastodon's Person document, shaped like the activitypub.academy fixture. */
  actorDocument(): JsonObject {
    return mastodonActor(this);
  }

  /** Answer every later delivery with this status (404, 410, 500…) after recording it; null restores 202/401. */
  respondToDeliveriesWith(status: number | null): void {
    this.#deliveryStatus = status;
  }

  /**
   * Answer every later delivery this long after it arrived (it is recorded on arrival), to keep
   * deliveries in flight at the sender.
   */
  answerDeliveriesAfter(ms: number): void {
    this.#deliveryDelayMs = ms;
  }

  /** Deliveries received and not answered yet. */
  answering(): number {
    return this.#answering;
  }

  /**
   * Answer every later GET of the actor document (and so of its `#main-key`) and of its collections
   * with this status, e.g. 410 once the account is deleted, as Mastodon does; null serves them again.
   */
  answerActorWith(status: number | null): void {
    this.#actorStatus = status;
  }

  /** Serves `document` as activity+json at its `id` (which must be on this peer's origin). */
  serve(document: JsonObject): void {
    const id = new URL(String(document.id));
    if (id.origin !== this.origin.origin) throw new Error(`${id.href} is not on ${this.origin.origin}`);
    this.#documents.set(id.pathname, document);
  }

  /**
   * A key served by this peer whose document claims `claimedOwner`, while that owner's actor does not
   * list it: the GHSA-q9f8 impersonation case. Sign with it via `sendSigned(…, { key })`.
   */
  async createForgedKey(claimedOwner: URL): Promise<SigningKey> {
    const key = await generateSigningKey(new URL(`/keys/forged-${++this.#serial}`, this.origin));
    this.serve({
      "@context": "https://w3id.org/security/v1",
      id: key.keyId.href,
      type: "Key",
      owner: claimedOwner.href,
      publicKeyPem: key.publicKeyPem,
    });
    return key;
  }

  newId(kind = "statuses"): URL {
    return new URL(`${this.actorId.pathname}/${kind}/${Date.now()}${++this.#serial}`, this.origin);
  }

  /** A public Create(Note) by this peer; pass `objectId` on another origin for the cross-origin case. */
  buildCreateNote(options: { content: string; objectId?: URL; to?: string[]; cc?: string[]; inReplyTo?: URL }): JsonObject {
    const noteId = options.objectId ?? this.newId();
    const { note, create } = mastodonCreateNote(this.actorId, noteId, options);
    if (noteId.origin === this.origin.origin) this.serve(note);
    return create;
  }

  /** GET signed like Mastodon's authorized fetch: `(request-target) host date accept`. */
  async fetchSigned(url: URL, options: { key?: SigningKey; accept?: string } = {}): Promise<Response> {
    const headers = signedGetHeaders(options.key ?? this.key, url, options.accept ?? FETCH_ACCEPT);
    return await fetch(url, {
      headers: { ...headers, "user-agent": this.#userAgent() },
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
  }

  /** Fetches an ActivityPub document; a failure is a value with the reason. */
  async fetchDocument(url: URL): Promise<JsonFetchResult> {
    try {
      const response = await this.fetchSigned(url);
      if (!response.ok) return { ok: false, reason: `GET ${url.href} answered ${response.status}` };
      return { ok: true, json: await response.json() };
    } catch (error) {
      return { ok: false, reason: `GET ${url.href} failed: ${(error as Error).message}` };
    }
  }

  /** POSTs `activity` signed over `(request-target) host date digest content-type`, as Mastodon delivers. */
  async sendSigned(inbox: URL, activity: JsonObject, options: SendOptions = {}): Promise<Response> {
    const body = options.rawBody ?? JSON.stringify(activity);
    const key = options.unsigned ? null : (options.key ?? this.key);
    const headers = { ...signedPostHeaders(key, inbox, body, options.date), "user-agent": this.#userAgent() };
    const sent = options.mutateBodyAfterSigning ? options.mutateBodyAfterSigning(body) : body;
    return await fetch(inbox, { method: "POST", headers, body: sent, redirect: "manual", signal: AbortSignal.timeout(10_000) });
  }

  /** Resolves `target` (signed GET), then delivers a Mastodon-shaped Follow to its inbox. */
  async follow(target: URL): Promise<{ activityId: URL; activity: JsonObject; response: Response }> {
    const inbox = await this.#inboxOf(target);
    const activityId = new URL(`/${randomUUID()}`, this.origin);
    const activity = { "@context": ACTIVITY_STREAMS, id: activityId.href, type: "Follow", actor: this.actorId.href, object: target.href };
    this.#follows.set(target.href, { follow: activity, inbox, serial: ++this.#serial });
    const response = await this.sendSigned(inbox, activity);
    return { activityId, activity, response };
  }

  /** Sends `Undo(Follow)` for an earlier `follow(target)`, with Mastodon's `#follows/<n>/undo` id. */
  async undoFollow(target: URL): Promise<{ activityId: URL; activity: JsonObject; response: Response }> {
    const earlier = this.#follows.get(target.href);
    if (earlier === undefined) throw new Error(`${this.actorId.href} never followed ${target.href}`);
    const { "@context": _context, ...follow } = earlier.follow;
    const activityId = new URL(`${this.actorId.href}#follows/${earlier.serial}/undo`);
    const activity = { "@context": ACTIVITY_STREAMS, id: activityId.href, type: "Undo", actor: this.actorId.href, object: follow };
    this.#follows.delete(target.href);
    const response = await this.sendSigned(earlier.inbox, activity);
    return { activityId, activity, response };
  }

  /** GET `/.well-known/webfinger?resource=acct:…` on the account's origin (http, as on loopback). */
  async resolveWebFinger(acct: string, origin?: URL): Promise<WebFingerResult> {
    const resource = acct.startsWith("acct:") ? acct : `acct:${acct}`;
    const domain = resource.slice(resource.lastIndexOf("@") + 1);
    const url = new URL("/.well-known/webfinger", origin ?? `http://${domain}`);
    url.searchParams.set("resource", resource);
    const response = await fetch(url, { headers: { accept: "application/jrd+json, application/json" }, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return { ok: false, status: response.status, reason: `${url.href} answered ${response.status}` };
    const jrd = (await response.json()) as JsonObject;
    const links = Array.isArray(jrd.links) ? (jrd.links as JsonObject[]) : [];
    const self = links.find((link) => link.rel === "self" && typeof link.href === "string");
    return { ok: true, jrd, self: self ? new URL(String(self.href)) : null };
  }

  /** Resolves with the first received delivery (past or future) matching `predicate`. */
  async waitFor(predicate: (delivery: ReceivedDelivery) => boolean, options: { timeoutMs?: number } = {}): Promise<ReceivedDelivery> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    return await new Promise<ReceivedDelivery>((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.find(predicate);
        if (found === undefined) return false;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(found);
        return true;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.received.map((d) => `${String(d.activity?.type)} ${d.status} ${d.signatureProblem ?? "valid"}`);
        reject(new Error(`${this.acct}: no matching delivery within ${timeoutMs} ms; received: [${seen.join("; ")}]`));
      }, timeoutMs);
      this.#waiters.add(waiter);
      check();
    });
  }

  async close(): Promise<void> {
    await closeServer(this.#server);
  }

  #userAgent(): string {
    return `http.rb/5.2.0 (Mastodon/4.3.0; +${this.origin.href})`;
  }

  async #inboxOf(target: URL): Promise<URL> {
    const fetched = await this.fetchDocument(target);
    if (!fetched.ok) throw new Error(`${this.acct} cannot resolve ${target.href}: ${fetched.reason}`);
    const inbox = idOf((fetched.json as JsonObject).inbox);
    if (inbox === undefined) throw new Error(`${target.href} has no inbox`);
    return new URL(inbox);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const headers = headerRecord(req);
    const signature = headers.signature === undefined ? null : parseSignatureHeader(headers.signature);
    this.served.push({ method: req.method ?? "GET", path: url.pathname + url.search, headers, ...(signature ? { keyId: signature.keyId } : {}) });
    const json = (status: number, body: unknown, type = `${ACTIVITY_JSON}; charset=utf-8`): void => {
      res.writeHead(status, { "content-type": type }).end(JSON.stringify(body));
    };

    if (req.method === "POST" && (url.pathname === this.inboxUrl.pathname || url.pathname === this.sharedInboxUrl.pathname)) {
      this.#answering++;
      try {
        const status = await this.#receive(req, url, headers);
        if (this.#deliveryDelayMs > 0) await new Promise((r) => setTimeout(r, this.#deliveryDelayMs));
        res.writeHead(status).end();
      } finally {
        this.#answering--;
      }
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405).end();

    const actor = this.actorId.pathname;
    if (this.#actorStatus !== null && (url.pathname === actor || url.pathname.startsWith(`${actor}/`))) {
      return void res.writeHead(this.#actorStatus).end();
    }
    if (url.pathname === "/.well-known/webfinger") {
      const resource = url.searchParams.get("resource");
      if (resource !== `acct:${this.acct}` && resource !== this.actorId.href) return void res.writeHead(404).end();
      return json(200, mastodonWebFinger(this), "application/jrd+json; charset=utf-8");
    }
    if (url.pathname === "/.well-known/nodeinfo") {
      return json(200, nodeInfoLinks(this.origin), "application/json");
    }
    if (url.pathname === "/nodeinfo/2.0") {
      return json(200, mastodonNodeInfo(), `application/json; profile="${NODEINFO}/ns/schema/2.0#"`);
    }
    if (url.pathname === actor) return json(200, this.actorDocument());
    if (mastodonCollections.some((c) => url.pathname === `${actor}/${c}`)) return json(200, emptyCollection(`${this.origin.origin}${url.pathname}`));
    const document = this.#documents.get(url.pathname);
    if (document !== undefined) return json(200, document);
    res.writeHead(404).end();
  }

  async #receive(req: IncomingMessage, url: URL, headers: Record<string, string>): Promise<number> {
    const inbox = { fetchDocument: (u: URL) => this.fetchDocument(u), keyCache: this.#keyCache, keyFetches: this.keyFetches, verifyForwarded: this.#verifyForwarded };
    const delivery = await receiveMastodonDelivery(inbox, req, url, headers);
    if (this.#deliveryStatus !== null) delivery.status = this.#deliveryStatus;
    this.received.push(delivery);
    for (const waiter of [...this.#waiters]) waiter();
    return delivery.status;
  }
}

export async function startMastodonPeer(options: MastodonPeerOptions = {}): Promise<MastodonPeer> {
  return await MastodonPeer.start(options);
}
