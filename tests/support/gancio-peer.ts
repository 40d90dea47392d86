// A server that behaves like Gancio 1.21 (framagit.org/les/gancio, server/federation/*.js and
// server/api/controller/instance.js, read at 1.21.0), for end-to-end tests on loopback. Its quirks are
// kept on purpose, each where Gancio has it:
// - one `Application` actor, `/federation/u/relay`, whose inbox is also its shared inbox;
// - "add trusted instance" reads /.well-known/nodeinfo, takes its first link as the NodeInfo document
//   (a bug: any rel matches) and trusts the actor of the FEP-2677 link
//   (`https://www.w3.org/ns/activitystreams#Application`); without that link it answers 404;
// - requests are signed over `(request-target) host date [digest]` (no content-type);
// - its unfollow is an Undo whose embedded Follow has no `actor` and no `@context`;
// - the inbox is in gancio-inbox.ts (crashes on single values, 404 to what it does not handle, 500 to
//   RFC 9421 signatures, Notes left unanswered while "resources" are disabled).
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { digestHeader, generateSigningKey, httpDate, idOf, type JsonObject, type SigningKey, signatureHeader } from "./http-signatures.ts";
import { handleGancioInbox } from "./gancio-inbox.ts";
import { closeServer, InboxRecord, listenOnLoopback, PeerLog, type InboxDelivery, parseJsonObject, rawRequest } from "./peer-http.ts";

export const FEP_2677_REL = "https://www.w3.org/ns/activitystreams#Application";
const NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema";
const AS = "https://www.w3.org/ns/activitystreams";

/** A remote actor as Gancio keeps it (table ap_users). */
export interface GancioApUser {
  apId: string;
  object: JsonObject;
  follower: boolean;
  following: boolean;
  trusted: boolean;
}

/** An event as Gancio stores and shows it. */
export interface GancioEvent {
  apId: string;
  title: string;
  startTime: string;
  endTime: string | null;
  description: string;
  placeName: string | null;
  placeAddress: string | null;
  onlineLocations: string[];
  tags: string[];
  media: string[];
  /** The activity's actor: only it may update or remove the event. */
  owner: string;
}

/** An event of this Gancio's own, to publish (`start`/`end` local times with their offset, as Gancio writes them). */
export interface GancioOwnEvent {
  id: number;
  slug: string;
  title: string;
  start: string;
  end?: string;
  description?: string;
  place?: { name: string; address: string; latitude?: number; longitude?: number };
  tags?: string[];
}

export interface GancioInstance {
  domain: string;
  applicationActor: string | undefined;
  nodeInfo: JsonObject | undefined;
}

export class GancioPeer {
  readonly origin: URL;
  readonly actorId: URL;
  readonly inboxUrl: URL;
  readonly key: SigningKey;
  readonly log = new PeerLog("gancio");
  readonly inbox = new InboxRecord<InboxDelivery>("gancio");
  readonly apUsers = new Map<string, GancioApUser>();
  readonly instances = new Map<string, GancioInstance>();
  readonly events = new Map<string, GancioEvent>();
  /** Gancio's `enable_resources` setting (false by default): Notes are then never answered. */
  enableResources = false;
  readonly #server: Server;
  /** Its own events' documents, served at `/federation/m/<id>`. */
  readonly #served = new Map<string, JsonObject>();
  /** Requests Gancio never answers, released (and recorded) when the peer closes. */
  readonly #hanging = new Set<ServerResponse>();

  private constructor(server: Server, origin: URL, key: SigningKey) {
    this.#server = server;
    this.origin = origin;
    this.actorId = new URL("/federation/u/relay", origin);
    this.inboxUrl = new URL("/federation/u/relay/inbox", origin);
    this.key = key;
  }

  static async start(options: { host?: string } = {}): Promise<GancioPeer> {
    let peer: GancioPeer | undefined;
    const { server, origin } = await listenOnLoopback(
      options.host ?? "127.0.0.1",
      (req, res) => peer!.#handle(req, res),
      (error) => peer?.log.error(`[ERROR] ${String(error)}`),
    );
    const key = await generateSigningKey(new URL("/federation/u/relay#main-key", origin));
    peer = new GancioPeer(server, origin, key);
    return peer;
  }

  /** server/federation/users.js `get`. */
  actorDocument(): JsonObject {
    const id = this.actorId.href;
    return {
      "@context": [AS, "https://w3id.org/security/v1", { toot: "http://joinmastodon.org/ns#", discoverable: "toot:discoverable" }],
      id,
      type: "Application",
      name: "Gancio",
      preferredUsername: "relay",
      inbox: this.inboxUrl.href,
      outbox: `${id}/outbox`,
      manuallyApprovesFollowers: false,
      endpoints: { sharedInbox: this.inboxUrl.href },
      discoverable: true,
      attachment: [{ type: "PropertyValue", name: "Website", value: `<a href='${this.origin.origin}'>${this.origin.origin}</a>` }],
      publicKey: { id: this.key.keyId.href, owner: id, publicKeyPem: this.key.publicKeyPem },
      url: id,
    };
  }

  /**
   * The admin's "add trusted instance" with a URL (instancesController.addTrust): the FEP-2677 actor
   * becomes trusted. Gancio answers 404 when the NodeInfo has no such link (and the software is not
   * Gancio or Mobilizon).
   */
  async addTrustedInstance(url: string): Promise<{ status: number; actor?: GancioApUser }> {
    const base = url.replace(/\/$/, "");
    this.log.info(`[FEDI] Adding trusted instance ${base} ...`);
    const instance = await this.getInstance(base, true);
    if (!instance?.applicationActor) return { status: 404 };
    const actor = await this.getActor(instance.applicationActor, true);
    if (!actor) return { status: 400 };
    actor.trusted = true;
    return { status: 200, actor };
  }

  /** "add trusted instance" with `@user@host`: WebFinger, then the actor is trusted. */
  async addTrustedActor(handle: string, scheme = "http"): Promise<{ status: number; actor?: GancioApUser }> {
    const [user, host] = handle.replace(/^@/, "").split("@");
    const instance = await this.getInstance(`${scheme}://${host}`, true);
    if (!instance) return { status: 404 };
    const webfinger = await rawRequest(new URL(`${scheme}://${host}/.well-known/webfinger?resource=acct:${user}@${host}`), {
      method: "GET",
      headers: { accept: "application/json" },
    });
    const links = parseJsonObject(webfinger.body)?.links;
    const self = Array.isArray(links) ? (links as JsonObject[]).find((l) => l.rel === "self") : undefined;
    if (!self || typeof self.href !== "string") return { status: 404 };
    const actor = await this.getActor(self.href, true);
    if (!actor) return { status: 400 };
    actor.trusted = true;
    return { status: 200, actor };
  }

  /** The admin's follow / unfollow button (instancesController.toggleFollow). */
  async toggleFollow(apId: string): Promise<void> {
    const actor = this.apUsers.get(apId);
    if (!actor) throw new Error(`gancio does not know ${apId}`);
    const inbox = idOf((actor.object.endpoints as JsonObject | undefined)?.sharedInbox) ?? idOf(actor.object.inbox);
    if (!inbox) throw new Error(`${apId} has no inbox`);
    const followId = `${this.origin.origin}/federation/m/${apId}#follow`;
    if (!actor.following) {
      this.log.debug(`[FEDI] Following actor ${apId}`);
      const body = { "@context": AS, id: followId, type: "Follow", actor: this.actorId.href, object: apId };
      await this.signAndSend(JSON.stringify(body), new URL(inbox));
      actor.following = true;
    } else {
      this.log.debug(`[FEDI] Unfollowing actor ${apId}`);
      const object = { id: followId, type: "Follow", object: apId };
      const body = { "@context": AS, id: `${this.origin.origin}/federation/m/${apId}#unfollow`, type: "Undo", actor: this.actorId.href, object };
      await this.signAndSend(JSON.stringify(body), new URL(inbox));
      actor.following = false;
    }
  }

  /** helpers.js `signAndSend`: a POST (or a GET) signed like Gancio; errors are logged, not thrown. */
  async signAndSend(message: string, url: URL, method: "post" | "get" = "post"): Promise<JsonObject | null> {
    const date = httpDate(new Date());
    // Gancio signs and sends `Host: <hostname>`, without the port: the same as the host on the default
    // ports of production. On loopback the peer keeps the port, or no server could verify it.
    const headers: Record<string, string> = { host: url.host, date, "content-type": "application/activity+json", accept: "application/activity+json" };
    const signed: [string, string][] = [
      ["(request-target)", `${method} ${url.pathname}`],
      ["host", url.host],
      ["date", date],
    ];
    if (method === "post") {
      headers.digest = digestHeader(message);
      signed.push(["digest", headers.digest]);
    }
    headers.signature = signatureHeader(this.key, signed);
    try {
      const response = await rawRequest(url, { method: method === "post" ? "POST" : "GET", headers, ...(method === "post" ? { body: message } : {}) });
      if (response.status >= 400) throw new Error(`Request failed with status code ${response.status}`);
      return parseJsonObject(response.body);
    } catch (error) {
      this.log.error(`[FEDI] Error in sign and send [${url.href}]: ${String(error)}`);
      return null;
    }
  }

  /** helpers.js `getNodeInfo` and `getInstance` (cached per domain unless forced). */
  async getInstance(actorOrInstanceUrl: string, force = false): Promise<GancioInstance | null> {
    const url = new URL(actorOrInstanceUrl);
    const cached = this.instances.get(url.host);
    if (cached && !force) return cached;
    let applicationActor: string | undefined;
    let nodeInfo: JsonObject | undefined;
    try {
      const wellKnown = parseJsonObject((await rawRequest(new URL("/.well-known/nodeinfo", url), { method: "GET", headers: { accept: "application/json" } })).body);
      const links = Array.isArray(wellKnown?.links) ? (wellKnown.links as JsonObject[]) : [];
      // Gancio's test is `l.rel === '…/2.1' || '…/2.0'`: always true, so the first link is taken.
      const supported = links.find((l) => l.rel === `${NODEINFO_SCHEMA}/2.1` || `${NODEINFO_SCHEMA}/2.0`);
      applicationActor = links.find((l) => l.rel === FEP_2677_REL)?.href as string | undefined;
      if (supported && typeof supported.href === "string") {
        nodeInfo = parseJsonObject((await rawRequest(new URL(supported.href), { method: "GET", headers: {} })).body) ?? undefined;
      }
    } catch {
      this.log.debug(`[FEDI] Node ${url.origin} does not support nodeInfo`);
    }
    const instance = { domain: url.host, applicationActor, nodeInfo };
    this.instances.set(url.host, instance);
    return instance;
  }

  /** helpers.js `getActor`: cached unless forced; fetched with a signed GET. */
  async getActor(apId: string, force = false): Promise<GancioApUser | null> {
    const cached = this.apUsers.get(apId);
    if (cached && !force) return cached;
    const object = await this.signAndSend("", new URL(apId), "get");
    if (!object) return cached ?? null;
    const actor = cached ?? { apId, object, follower: false, following: false, trusted: false };
    actor.object = object;
    this.apUsers.set(apId, actor);
    return actor;
  }

  /**
   * An event published on this Gancio, sent to its followers as helpers.js `sendEvent` does: one
   * `Create` (then `Update`, `Delete`) per shared inbox, from the relay actor, with id
   * `/federation/m/<id>#<Type>-<updatedAt>`; the `Event` (models/event.js `toAP`) has local-offset times,
   * a `Place` whose `address` is text, `Hashtag`s with relative `href`s, arrays for `tag` and
   * `attachment`, and no `@context` of its own. Returns the event's id; served at that URL too.
   */
  async publishEvent(event: GancioOwnEvent, type: "Create" | "Update" | "Delete" = "Create"): Promise<URL> {
    const id = new URL(`/federation/m/${event.id}`, this.origin);
    const object = {
      id: id.href,
      name: event.title,
      url: new URL(`/event/${event.slug}`, this.origin).href,
      type: "Event",
      startTime: event.start,
      ...(event.end ? { endTime: event.end } : {}),
      location: event.place ? { type: "Place", name: event.place.name, address: event.place.address, ...(event.place.latitude !== undefined ? { latitude: event.place.latitude, longitude: event.place.longitude } : {}) } : undefined,
      attachment: [],
      tag: (event.tags ?? []).map((t) => ({ type: "Hashtag", name: `#${t}`, href: `/tags/${t}` })),
      published: new Date().toISOString(),
      attributedTo: this.actorId.href,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      cc: [`${this.actorId.href}/followers`],
      content: event.description ?? "",
      summary: event.description ?? "",
    };
    if (type === "Delete") this.#served.delete(id.pathname);
    else this.#served.set(id.pathname, object);
    const followers = [...this.apUsers.values()].filter((u) => u.follower);
    const byInbox = new Map<string, string[]>();
    for (const f of followers) {
      const inbox = idOf((f.object.endpoints as JsonObject | undefined)?.sharedInbox) ?? idOf(f.object.inbox);
      if (inbox) byInbox.set(inbox, [...(byInbox.get(inbox) ?? []), f.apId]);
    }
    for (const [inbox, recipients] of byInbox) {
      const body = {
        id: `${id.href}#${type}-${Date.now()}`,
        type,
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        cc: [...recipients, `${this.actorId.href}/followers`],
        actor: this.actorId.href,
        object,
        "@context": [AS, "https://w3id.org/security/v1", { toot: "http://joinmastodon.org/ns#", Hashtag: `${AS}#Hashtag`, discoverable: "toot:discoverable" }],
      };
      await this.signAndSend(JSON.stringify(body), new URL(inbox));
    }
    return id;
  }

  /** Keeps a request unanswered, as Gancio does when a handler returns without a response. */
  hang(res: ServerResponse): void {
    this.#hanging.add(res);
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    await closeServer(this.#server);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const json = (status: number, body: unknown, type = "application/json"): void => {
      res.writeHead(status, { "content-type": type }).end(JSON.stringify(body));
    };
    if (req.method === "POST" && /^\/federation\/u\/[^/]+\/inbox$/.test(url.pathname)) {
      return handleGancioInbox(this, req, res, url);
    }
    if (url.pathname === "/.well-known/nodeinfo") {
      return json(200, {
        links: [
          { href: new URL("/.well-known/nodeinfo/2.0", this.origin).href, rel: `${NODEINFO_SCHEMA}/2.0` },
          { href: new URL("/.well-known/nodeinfo/2.1", this.origin).href, rel: `${NODEINFO_SCHEMA}/2.1` },
          { rel: FEP_2677_REL, href: this.actorId.href },
        ],
      });
    }
    const version = /^\/\.well-known\/nodeinfo\/(2\.[01])$/.exec(url.pathname)?.[1];
    if (version) {
      const usage = { localComments: 0, localPosts: this.events.size, users: { total: 1 } };
      return json(200, { metadata: { nodeName: "Gancio", nodeActor: "relay" }, openRegistrations: false, protocols: ["activitypub"], services: { inbound: [], outbound: ["rss2.0"] }, software: { name: "gancio", version: "1.21.0" }, version, usage });
    }
    if (url.pathname === "/.well-known/webfinger") {
      const resource = url.searchParams.get("resource") ?? "";
      if (resource !== `acct:relay@${this.origin.host}`) return void res.writeHead(404).end();
      return json(200, { subject: resource, links: [{ rel: "self", type: "application/activity+json", href: this.actorId.href }] }, "application/jrd+json");
    }
    if (url.pathname === this.actorId.pathname) return json(200, this.actorDocument(), "application/activity+json; charset=utf-8");
    const served = this.#served.get(url.pathname);
    if (served) return json(200, served, "application/activity+json; charset=utf-8");
    if (url.pathname.startsWith("/federation/")) this.log.warn(`[FEDI] 404 Page not found: ${url.pathname}`);
    res.writeHead(404).end("404: Page not Found");
  }
}

export async function startGancioPeer(options: { host?: string } = {}): Promise<GancioPeer> {
  return await GancioPeer.start(options);
}
