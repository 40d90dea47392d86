// A server that behaves like Hollo 0.10 (github.com/fedify-dev/hollo, src/federation/index.ts and
// inbox.ts), for end-to-end tests on loopback. What matters for Relais:
// - it follows and unfollows like any Fedify server (Follow with an id under the actor, Undo embedding
//   the Follow with its actor), and takes Accept and Reject;
// - it keeps posts only: Create, Update and Announce of anything but Note, Article, Question or
//   ChatMessage are dropped with a debug line ("Unsupported object on Create: …"), so an `Event`
//   never shows; Delete removes a post when the deleting actor is on the post author's origin;
// - its home timeline shows the posts of the accounts it follows (approved follows only).
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import {
  generateSigningKey,
  idOf,
  type JsonObject,
  type SigningKey,
  signedGetHeaders,
  signedPostHeaders,
  verifyMastodonDelivery,
} from "./http-signatures.ts";
import { closeServer, headerRecord, type InboxDelivery, InboxRecord, listenOnLoopback, PeerLog, parseJsonObject, readBody } from "./peer-http.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const ACTIVITY_JSON = "application/activity+json";
const postTypes = new Set(["Note", "Article", "Question", "ChatMessage"]);

/** A post as Hollo keeps it (table posts). */
export interface HolloPost {
  iri: string;
  type: string;
  author: string;
  content: string;
  url: string | undefined;
  published: string | undefined;
  updated: string | undefined;
  attachments: JsonObject[];
}

interface Following {
  followId: string;
  target: string;
  inbox: URL;
  approved: boolean;
}

export class HolloPeer {
  readonly origin: URL;
  readonly username: string;
  readonly actorId: URL;
  readonly inboxUrl: URL;
  readonly sharedInboxUrl: URL;
  readonly key: SigningKey;
  readonly log = new PeerLog("hollo");
  readonly inbox = new InboxRecord<InboxDelivery>("hollo");
  readonly posts = new Map<string, HolloPost>();
  readonly following = new Map<string, Following>();
  readonly #server: Server;

  private constructor(server: Server, origin: URL, username: string, key: SigningKey) {
    this.#server = server;
    this.origin = origin;
    this.username = username;
    this.actorId = new URL(`/@${username}`, origin);
    this.inboxUrl = new URL(`/@${username}/inbox`, origin);
    this.sharedInboxUrl = new URL("/inbox", origin);
    this.key = key;
  }

  static async start(options: { host?: string; username?: string } = {}): Promise<HolloPeer> {
    const username = options.username ?? "hana";
    let peer: HolloPeer | undefined;
    const { server, origin } = await listenOnLoopback(
      options.host ?? "127.0.0.1",
      (req, res) => peer!.#handle(req, res),
      (error) => peer?.log.error(`request failed: ${String(error)}`),
    );
    const key = await generateSigningKey(new URL(`/@${username}#main-key`, origin));
    peer = new HolloPeer(server, origin, username, key);
    return peer;
  }

  actorDocument(): JsonObject {
    const id = this.actorId.href;
    return {
      "@context": [AS, "https://w3id.org/security/v1"],
      id,
      type: "Person",
      preferredUsername: this.username,
      name: this.username,
      inbox: this.inboxUrl.href,
      outbox: `${id}/outbox`,
      followers: `${id}/followers`,
      following: `${id}/following`,
      endpoints: { sharedInbox: this.sharedInboxUrl.href },
      manuallyApprovesFollowers: false,
      publicKey: { id: this.key.keyId.href, owner: id, publicKeyPem: this.key.publicKeyPem },
      url: id,
    };
  }

  /** The home timeline: posts by followed accounts, newest first. */
  timeline(): HolloPost[] {
    const followed = new Set([...this.following.values()].filter((f) => f.approved).map((f) => f.target));
    return [...this.posts.values()].filter((p) => followed.has(p.author)).reverse();
  }

  /** Follows `target` (an actor URL) as Hollo's follow button does. */
  async follow(target: URL): Promise<void> {
    const actor = await this.#fetchJson(target);
    const inbox = idOf(actor?.inbox);
    if (!inbox) throw new Error(`hollo cannot resolve ${target.href}`);
    const followId = `${this.actorId.href}#follows/${crypto.randomUUID()}`;
    this.following.set(target.href, { followId, target: target.href, inbox: new URL(inbox), approved: false });
    await this.#post(new URL(inbox), { "@context": AS, id: followId, type: "Follow", actor: this.actorId.href, object: target.href });
  }

  /** Unfollows `target`: an Undo embedding the Follow, actor included. */
  async unfollow(target: URL): Promise<void> {
    const follow = this.following.get(target.href);
    if (!follow) throw new Error(`hollo does not follow ${target.href}`);
    this.following.delete(target.href);
    const object = { id: follow.followId, type: "Follow", actor: this.actorId.href, object: target.href };
    await this.#post(follow.inbox, { "@context": AS, id: `${this.actorId.href}#unfollows/${crypto.randomUUID()}`, type: "Undo", actor: this.actorId.href, object });
  }

  async close(): Promise<void> {
    await closeServer(this.#server);
  }

  async #post(inbox: URL, activity: JsonObject): Promise<void> {
    const body = JSON.stringify(activity);
    const response = await fetch(inbox, { method: "POST", headers: signedPostHeaders(this.key, inbox, body), body, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) this.log.error(`Failed to send activity ${String(activity.id)} to ${inbox.href} (${response.status})`);
  }

  async #fetchJson(url: URL): Promise<JsonObject | null> {
    const response = await fetch(url, { headers: signedGetHeaders(this.key, url, ACTIVITY_JSON), signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return null;
    return parseJsonObject(await response.text());
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const json = (status: number, body: unknown, type = "application/json"): void => {
      res.writeHead(status, { "content-type": type }).end(JSON.stringify(body));
    };
    if (req.method === "POST" && (url.pathname === this.inboxUrl.pathname || url.pathname === this.sharedInboxUrl.pathname)) {
      return this.#receive(req, res, url);
    }
    if (url.pathname === "/.well-known/nodeinfo") {
      return json(200, { links: [{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: new URL("/nodeinfo/2.1", this.origin).href }] });
    }
    if (url.pathname === "/nodeinfo/2.1") {
      return json(200, { version: "2.1", software: { name: "hollo", version: "0.10.0", repository: "https://github.com/fedify-dev/hollo" }, protocols: ["activitypub"], services: { inbound: [], outbound: [] }, usage: { users: { total: 1 }, localPosts: 0 }, openRegistrations: false, metadata: {} });
    }
    if (url.pathname === "/.well-known/webfinger") {
      if (url.searchParams.get("resource") !== `acct:${this.username}@${this.origin.host}`) return void res.writeHead(404).end();
      return json(200, { subject: `acct:${this.username}@${this.origin.host}`, links: [{ rel: "self", type: ACTIVITY_JSON, href: this.actorId.href }] }, "application/jrd+json");
    }
    if (url.pathname === this.actorId.pathname) return json(200, this.actorDocument(), `${ACTIVITY_JSON}; charset=utf-8`);
    res.writeHead(404).end();
  }

  /** Fedify's inbox: a verified delivery is answered 202 and handled by the listeners below. */
  async #receive(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req);
    const headers = headerRecord(req);
    const activity = parseJsonObject(raw.toString("utf8"));
    const scheme = headers["signature-input"] !== undefined ? "rfc9421" : headers.signature !== undefined ? "draft-cavage" : "none";
    const verified = await verifyMastodonDelivery(
      { method: "POST", target: url.pathname + url.search, headers: new Headers(headers), body: raw },
      idOf(activity?.actor),
      {
        fetchJson: async (keyUrl) => {
          const document = await this.#fetchJson(keyUrl);
          return document ? { ok: true, json: document } : { ok: false, reason: `GET ${keyUrl.href} failed` };
        },
      },
    );
    const delivery: InboxDelivery = { activity, path: url.pathname, scheme, signatureValid: verified.ok, signer: verified.signer, status: verified.ok ? 202 : 401 };
    if (!verified.ok) {
      // Hollo (Fedify) also verifies RFC 9421 signatures; this peer checks draft-cavage only, so it
      // says so instead of pretending.
      this.log.error(`Failed to verify the request's signature (${verified.problem}: ${verified.detail})`);
    }
    res.writeHead(delivery.status ?? 500).end();
    if (verified.ok && activity) {
      try {
        this.#listen(activity);
      } catch (error) {
        this.log.error(`Failed to process the incoming activity ${String(activity.id)}: ${String(error)}`);
      }
    }
    this.inbox.push(delivery);
  }

  /** src/federation/index.ts: the inbox listeners. */
  #listen(activity: JsonObject): void {
    const actor = idOf(activity.actor) ?? "";
    const object = typeof activity.object === "object" && activity.object !== null ? (activity.object as JsonObject) : undefined;
    const objectId = idOf(activity.object);
    switch (activity.type) {
      case "Accept":
      case "Reject": {
        const follow = [...this.following.values()].find((f) => f.target === actor && (objectId === f.followId || object?.object === actor));
        if (!follow) {
          this.log.debug(`Accept/Reject of an unknown follow from ${actor}`);
          return;
        }
        if (activity.type === "Accept") follow.approved = true;
        else this.following.delete(follow.target);
        return;
      }
      case "Create":
      case "Update":
        if (object && postTypes.has(String(object.type))) {
          this.#persistPost(actor, object, activity.type === "Create");
          return;
        }
        if (activity.type === "Update" && object && ["Person", "Group", "Application", "Service", "Organization"].includes(String(object.type))) return;
        this.log.debug(`Unsupported object on ${activity.type}: ${String(object?.type)}`);
        return;
      case "Delete": {
        const post = objectId ? this.posts.get(objectId) : undefined;
        if (!post) return;
        if (new URL(post.author).origin !== new URL(actor).origin) {
          this.log.debug(`Refused Delete of ${objectId} from ${actor}`);
          return;
        }
        this.posts.delete(post.iri);
        return;
      }
      case "Follow":
      case "Undo":
      case "Announce":
        this.log.debug(`${String(activity.type)} from ${actor}: nothing to do for this peer`);
        return;
      default:
        this.log.debug(`Unsupported activity type: ${String(activity.type)}`);
    }
  }

  #persistPost(actor: string, object: JsonObject, created: boolean): void {
    const iri = String(object.id);
    const author = idOf(object.attributedTo);
    if (!author || new URL(author).origin !== new URL(actor).origin || new URL(iri).origin !== new URL(author).origin) {
      this.log.debug(`Refused ${created ? "Create" : "Update"} of ${iri} from ${actor}: origins do not match`);
      return;
    }
    const attachments = (Array.isArray(object.attachment) ? object.attachment : object.attachment ? [object.attachment] : []) as JsonObject[];
    this.posts.set(iri, {
      iri,
      type: String(object.type),
      author,
      content: String(object.content ?? ""),
      url: idOf(object.url),
      published: object.published as string | undefined,
      updated: object.updated as string | undefined,
      attachments,
    });
  }
}

export async function startHolloPeer(options: { host?: string; username?: string } = {}): Promise<HolloPeer> {
  return await HolloPeer.start(options);
}
