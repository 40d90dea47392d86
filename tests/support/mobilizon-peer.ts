// A server that talks like Mobilizon (framasoft/mobilizon), for partner-network tests on loopback. Shapes
// from the Mobilizon payloads in ../shared/fixtures/as2/from-mobilizon-tests (mobilizon-post-activity*.json,
// its group and event documents): kept on purpose, each as Mobilizon has it:
// - a group is a `Group` at `/@<name>` with Mobilizon's extensions (`openness`, `members`, `resources`…);
//   its events are created by a member (`actor` the member's `Person`, `attributedTo` the group,
//   addressed to the group) and the group passes each of its members' activities on to its followers
//   as an `Announce` embedding the activity (Create, Update, Delete);
// - an event carries Mobilizon's `@context` (no definitions for `address`, `timezone` or the postal
//   address terms), a `Place` whose `address` is a schema.org `PostalAddress` with the country as a
//   name ("France"), `ical:status`, `category`, `uuid`, `anonymousParticipationEnabled`…;
// - the group answers a Follow with an `Accept` embedding the Follow;
// - requests are signed with draft-cavage over `(request-target) host date digest content-type`;
// - what it receives (a `Create`/`Update` embedding an `Article` or an `Event`, or an `Announce` naming
//   one by id, which it fetches: transmogrifier.ex) is kept only as Mobilizon's converters would keep
//   it (mobilizon-ingest.ts): `posts` and `events`, each refusal logged as a problem; documents in
//   mobilizon-documents.ts.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { generateSigningKey, idOf, type JsonObject, type SigningKey, signedGetHeaders, signedPostHeaders, verifyMastodonDelivery } from "./http-signatures.ts";
import { LITEPUB_CONTEXT, type MobilizonEventInput, mobilizonContext, mobilizonEventDocument, NODEINFO_SCHEMA, nodeinfoDocument, PUBLIC, type StoredEvent } from "./mobilizon-documents.ts";
import { eventFromObject, type Ingested, type MobilizonEvent, type MobilizonPost, postFromArticle } from "./mobilizon-ingest.ts";
import { closeServer, headerRecord, InboxRecord, type InboxDelivery, listenOnLoopback, PeerLog, parseJsonObject, readBody } from "./peer-http.ts";

export type { MobilizonEventInput } from "./mobilizon-documents.ts";

/** One actor of this server that can sign. */
interface LocalActor {
  id: URL;
  key: SigningKey;
}

export class MobilizonPeer {
  readonly origin: URL;
  readonly groupName: string;
  readonly group: LocalActor;
  readonly member: LocalActor;
  readonly log = new PeerLog("mobilizon");
  readonly inbox = new InboxRecord<InboxDelivery>("mobilizon");
  /** Actors following the group (their inboxes), as Mobilizon keeps them once it accepted. */
  readonly followers = new Map<string, URL>();
  /** Events received from actors the group follows (by id), as received. */
  readonly received = new Map<string, JsonObject>();
  /** Events received or fetched, by id, as Mobilizon's event converter keeps them (organiser, group, contacts…). */
  readonly events = new Map<string, MobilizonEvent>();
  /** Group posts (Articles) received or fetched, by id, as Mobilizon keeps them: whose group, title, text. */
  readonly posts = new Map<string, MobilizonPost>();
  readonly #events = new Map<string, StoredEvent>();
  readonly #documents = new Map<string, JsonObject>();
  readonly #server: Server;
  readonly #context: unknown[];

  private constructor(server: Server, origin: URL, groupName: string, group: LocalActor, member: LocalActor) {
    this.#server = server;
    this.origin = origin;
    this.groupName = groupName;
    this.group = group;
    this.member = member;
    this.#context = mobilizonContext(origin);
  }

  static async start(options: { host?: string; group?: string } = {}): Promise<MobilizonPeer> {
    let peer: MobilizonPeer | undefined;
    const { server, origin } = await listenOnLoopback(
      options.host ?? "127.0.0.1",
      (req, res) => peer!.#handle(req, res),
      (error) => peer?.log.error(`[error] ${String(error)}`),
    );
    const name = options.group ?? "collectif_velo";
    const groupId = new URL(`/@${name}`, origin);
    const memberId = new URL("/@organisatrice", origin);
    const group = { id: groupId, key: await generateSigningKey(new URL(`${groupId.href}#main-key`)) };
    const member = { id: memberId, key: await generateSigningKey(new URL(`${memberId.href}#main-key`)) };
    peer = new MobilizonPeer(server, origin, name, group, member);
    return peer;
  }

  get handle(): string {
    return `${this.groupName}@${this.origin.host}`;
  }

  groupDocument(): JsonObject {
    const id = this.group.id.href;
    return {
      "@context": this.#context,
      id,
      type: "Group",
      preferredUsername: this.groupName,
      name: "Collectif vélo Lille",
      summary: "<p>Vélorution mensuelle</p>",
      url: id,
      inbox: `${id}/inbox`,
      outbox: `${id}/outbox`,
      followers: `${id}/followers`,
      following: `${id}/following`,
      members: `${id}/members`,
      resources: `${id}/resources`,
      todos: `${id}/todos`,
      posts: `${id}/posts`,
      events: `${id}/events`,
      discussions: `${id}/discussions`,
      openness: "open",
      manuallyApprovesFollowers: false,
      discoverable: true,
      endpoints: { sharedInbox: new URL("/inbox", this.origin).href },
      publicKey: { id: this.group.key.keyId.href, owner: id, publicKeyPem: this.group.key.publicKeyPem },
    };
  }

  memberDocument(): JsonObject {
    const id = this.member.id.href;
    return {
      "@context": this.#context,
      id,
      type: "Person",
      preferredUsername: "organisatrice",
      name: "Organisatrice",
      url: id,
      inbox: `${id}/inbox`,
      outbox: `${id}/outbox`,
      endpoints: { sharedInbox: new URL("/inbox", this.origin).href },
      publicKey: { id: this.member.key.keyId.href, owner: id, publicKeyPem: this.member.key.publicKeyPem },
    };
  }

  /** The event as Mobilizon serves it and embeds it (lib/federation/activity_stream/converter/event.ex). */
  eventDocument(uuid: string): JsonObject {
    const stored = this.#events.get(uuid);
    if (!stored) throw new Error(`no event ${uuid}`);
    return mobilizonEventDocument(this.origin, this.group.id, this.member.id, stored);
  }

  /** A member creates an event in the group: the group announces the member's Create to its followers. */
  async publishEvent(input: MobilizonEventInput): Promise<URL> {
    const uuid = randomUUID();
    const now = new Date().toISOString();
    this.#events.set(uuid, { uuid, input, status: "CONFIRMED", published: now, updated: now });
    await this.#announce("Create", uuid);
    return new URL(`/events/${uuid}`, this.origin);
  }

  async updateEvent(eventId: URL, change: Partial<MobilizonEventInput>, status?: "CONFIRMED" | "CANCELLED"): Promise<void> {
    const uuid = eventId.pathname.split("/").pop() as string;
    const stored = this.#events.get(uuid);
    if (!stored) throw new Error(`no event ${uuid}`);
    stored.input = { ...stored.input, ...change };
    if (status) stored.status = status;
    stored.updated = new Date(Date.now() + 1000).toISOString();
    await this.#announce("Update", uuid);
  }

  async deleteEvent(eventId: URL): Promise<void> {
    const uuid = eventId.pathname.split("/").pop() as string;
    await this.#announce("Delete", uuid);
    this.#events.delete(uuid);
  }

  /** The group follows an actor elsewhere (a Relais collective). */
  async follow(target: URL): Promise<URL> {
    const actor = await this.fetchJson(target);
    const inbox = idOf(actor?.inbox);
    if (!inbox) throw new Error(`${target.href} has no inbox`);
    const id = new URL(`/follow/${randomUUID()}`, this.origin);
    await this.sendSigned(this.group, new URL(inbox), { "@context": this.#context, id: id.href, type: "Follow", actor: this.group.id.href, object: target.href });
    return id;
  }

  async #announce(type: "Create" | "Update" | "Delete", uuid: string): Promise<void> {
    const event = this.eventDocument(uuid);
    const eventId = String(event.id);
    const stamp = Date.now();
    const activity =
      type === "Delete"
        ? { id: `${eventId}/delete/${stamp}`, type, actor: this.member.id.href, to: [PUBLIC], object: eventId }
        : { id: `${eventId}/activity${type === "Update" ? `/update/${stamp}` : ""}`, type, actor: this.member.id.href, attributedTo: this.group.id.href, to: [PUBLIC], cc: [this.group.id.href], object: event };
    if (type !== "Delete") {
      this.#documents.set(new URL(eventId).pathname, { "@context": this.#context, ...event });
      this.#documents.set(new URL(activity.id).pathname, { "@context": this.#context, ...activity });
    } else {
      this.#documents.delete(new URL(eventId).pathname);
    }
    const announce = {
      "@context": this.#context,
      id: new URL(`/announces/${randomUUID()}`, this.origin).href,
      type: "Announce",
      actor: this.group.id.href,
      to: [PUBLIC],
      cc: [`${this.group.id.href}/followers`],
      object: activity,
    };
    for (const inbox of new Set([...this.followers.values()].map((u) => u.href))) {
      const response = await this.sendSigned(this.group, new URL(inbox), announce);
      if (response.status >= 300) this.log.warn(`[federation] ${inbox} answered ${response.status} to an Announce`);
    }
  }

  async sendSigned(actor: LocalActor, inbox: URL, activity: JsonObject): Promise<Response> {
    const body = JSON.stringify(activity);
    return await fetch(inbox, { method: "POST", headers: signedPostHeaders(actor.key, inbox, body), body, signal: AbortSignal.timeout(10_000) });
  }

  async fetchJson(url: URL): Promise<JsonObject | null> {
    const response = await fetch(url, { headers: signedGetHeaders(this.group.key, url, "application/activity+json"), signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return null;
    return parseJsonObject(await response.text());
  }

  async close(): Promise<void> {
    await closeServer(this.#server);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const json = (status: number, body: unknown, type = "application/activity+json; charset=utf-8"): void => {
      res.writeHead(status, { "content-type": type }).end(JSON.stringify(body));
    };
    if (req.method === "POST" && (url.pathname === "/inbox" || url.pathname.endsWith("/inbox"))) return this.#receive(req, res, url);
    if (url.pathname === "/litepub/context.jsonld") return json(200, LITEPUB_CONTEXT, "application/ld+json");
    if (url.pathname === "/.well-known/webfinger") {
      const resource = url.searchParams.get("resource") ?? "";
      const actor = resource === `acct:${this.handle}` ? this.group.id : resource === `acct:organisatrice@${this.origin.host}` ? this.member.id : undefined;
      if (!actor) return void res.writeHead(404).end();
      return json(200, { subject: resource, links: [{ rel: "self", type: "application/activity+json", href: actor.href }, { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: actor.href }] }, "application/jrd+json");
    }
    if (url.pathname === "/.well-known/nodeinfo") {
      return json(200, { links: [{ rel: `${NODEINFO_SCHEMA}/2.1`, href: new URL("/.well-known/nodeinfo/2.1", this.origin).href }] }, "application/json");
    }
    if (url.pathname === "/.well-known/nodeinfo/2.1") {
      return json(200, nodeinfoDocument(this.#events.size), "application/json");
    }
    if (url.pathname === this.group.id.pathname) return json(200, this.groupDocument());
    if (url.pathname === this.member.id.pathname) return json(200, this.memberDocument());
    const document = this.#documents.get(url.pathname);
    if (document) return json(200, document);
    if (url.pathname.startsWith("/events/")) return void res.writeHead(410).end();
    res.writeHead(404).end();
  }

  /** Keeps what Mobilizon's converters would keep; logs what they would refuse. */
  #keep<T>(ingested: Ingested<T>, store: Map<string, T>, id: unknown): void {
    if (ingested.ok) store.set(String(id), ingested.value);
    else this.log.warn(`[federation] ${ingested.reason}`);
  }

  async #ingestEvent(event: JsonObject, via: string): Promise<void> {
    this.received.set(String(event.id), event);
    this.#keep(await eventFromObject(event, via, (url) => this.fetchJson(url)), this.events, event.id);
  }

  async #receive(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req);
    const activity = parseJsonObject(raw.toString("utf8"));
    const headers = headerRecord(req);
    const verified = await verifyMastodonDelivery({ method: "POST", target: url.pathname, headers: new Headers(headers), body: raw }, idOf(activity?.actor), {
      fetchJson: async (keyUrl) => {
        const doc = await this.fetchJson(keyUrl);
        return doc ? { ok: true, json: doc } : { ok: false, reason: `${keyUrl.href} could not be fetched` };
      },
    });
    const delivery: InboxDelivery = { activity, path: url.pathname, scheme: "draft-cavage", signatureValid: verified.ok, signer: verified.signer, status: null };
    this.inbox.push(delivery);
    if (!verified.ok || !activity) {
      this.log.warn(`[federation] refused a delivery: ${verified.ok ? "no JSON" : verified.detail}`);
      delivery.status = 401;
      res.writeHead(401).end();
      this.inbox.notify();
      return;
    }
    const actor = idOf(activity.actor) as string;
    const object = activity.object;
    if (activity.type === "Follow" && idOf(object) === this.group.id.href) {
      const follower = await this.fetchJson(new URL(actor));
      const inbox = idOf((follower?.endpoints as JsonObject | undefined)?.sharedInbox) ?? idOf(follower?.inbox);
      if (inbox) {
        this.followers.set(actor, new URL(inbox));
        const accept = { "@context": this.#context, id: new URL(`/accept/follow/${randomUUID()}`, this.origin).href, type: "Accept", actor: this.group.id.href, to: [actor], object: { ...(activity as JsonObject), "@context": undefined } };
        delete (accept.object as JsonObject)["@context"];
        await this.sendSigned(this.group, new URL(idOf(follower?.inbox) ?? inbox), accept);
      }
    } else if (activity.type === "Undo" && (object as JsonObject | undefined)?.type === "Follow") {
      this.followers.delete(actor);
    } else if ((activity.type === "Create" || activity.type === "Update") && (object as JsonObject | undefined)?.type === "Article") {
      this.#keep(postFromArticle(object as JsonObject, String(activity.type)), this.posts, (object as JsonObject).id);
    } else if (activity.type === "Announce" && typeof object === "string") {
      const fetched = await this.fetchJson(new URL(object));
      if (fetched?.type === "Article") this.#keep(postFromArticle(fetched, `Announce by ${actor}`), this.posts, fetched.id);
      else if (fetched?.type === "Event") await this.#ingestEvent(fetched, `Announce by ${actor}`);
      else this.log.warn(`[federation] could not fetch the announced ${object}`);
    } else if ((activity.type === "Create" || activity.type === "Update") && (object as JsonObject | undefined)?.type === "Event") {
      await this.#ingestEvent(object as JsonObject, String(activity.type));
    } else if (activity.type === "Delete") {
      this.received.delete(String(idOf(object)));
      this.events.delete(String(idOf(object)));
      this.posts.delete(String(idOf(object)));
    }
    delivery.status = 200;
    res.writeHead(200).end();
    this.inbox.notify();
  }
}

export async function startMobilizonPeer(options: { host?: string; group?: string } = {}): Promise<MobilizonPeer> {
  return await MobilizonPeer.start(options);
}
