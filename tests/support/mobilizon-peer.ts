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
// - an `Article` becomes a post of the group named by its `attributedTo` only when it also has `actor`
//   (Mobilizon's converter/post.ex needs both), kept with its title and HTML `content` (no `summary`);
//   an `Announce` naming an object by id makes it fetch that object and ingest it (transmogrifier.ex).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { generateSigningKey, idOf, type JsonObject, type SigningKey, signedGetHeaders, signedPostHeaders, verifyMastodonDelivery } from "./http-signatures.ts";
import { closeServer, headerRecord, InboxRecord, type InboxDelivery, listenOnLoopback, PeerLog, parseJsonObject, readBody } from "./peer-http.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const PUBLIC = `${AS}#Public`;
const NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema";

/**
 * Mobilizon's `@context` (lib/federation/activity_stream/utils.ex `make_json_ld_header`), trimmed. Its
 * second entry is LitePub's remote context; tests reach no other host, so this peer serves a copy of
 * that context itself and names it at its own origin: what is tested is the same (a remote context to
 * load, with the terms Mobilizon relies on), only the URL differs.
 */
const mobilizonContext = (origin: URL) => [
  AS,
  new URL("/litepub/context.jsonld", origin).href,
  {
    Hashtag: "as:Hashtag",
    category: "sc:category",
    ical: "http://www.w3.org/2002/12/cal/ical#",
    joinMode: { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
    mz: "https://joinmobilizon.org/ns#",
    sc: "http://schema.org#",
    uuid: "sc:identifier",
    openness: { "@id": "mz:openness", "@type": "@id" },
    anonymousParticipationEnabled: { "@id": "mz:anonymousParticipationEnabled", "@type": "sc:Boolean" },
    isOnline: { "@id": "mz:isOnline", "@type": "sc:Boolean" },
  },
];

/** LitePub's context (litepub.social/litepub/context.jsonld), trimmed to what Mobilizon's documents use. */
const LITEPUB_CONTEXT = {
  "@context": [
    AS,
    "https://w3id.org/security/v1",
    {
      Emoji: "toot:Emoji",
      Hashtag: "as:Hashtag",
      PropertyValue: "schema:PropertyValue",
      discoverable: "toot:discoverable",
      manuallyApprovesFollowers: "as:manuallyApprovesFollowers",
      litepub: "http://litepub.social/ns#",
      ostatus: "http://ostatus.org#",
      schema: "http://schema.org#",
      sensitive: "as:sensitive",
      toot: "http://joinmastodon.org/ns#",
      value: "schema:value",
    },
  ],
};

export interface MobilizonEventInput {
  title: string;
  /** Local wall time with its offset, as Mobilizon writes `beginsOn` (e.g. 2030-05-02T19:00:00+02:00). */
  beginsOn: string;
  endsOn?: string;
  timezone?: string;
  description?: string;
  place?: { name: string; street?: string; postalCode?: string; locality?: string; region?: string; country?: string };
  tags?: string[];
  category?: string;
}

interface StoredEvent {
  uuid: string;
  input: MobilizonEventInput;
  status: "CONFIRMED" | "CANCELLED";
  published: string;
  updated: string;
}

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
  /** Events received from actors the group follows (by id). */
  readonly received = new Map<string, JsonObject>();
  /** Group posts (Articles) received or fetched, by id, as Mobilizon keeps them: whose group, title, text. */
  readonly posts = new Map<string, { readonly attributedTo: string; readonly actor: string; readonly title: string; readonly content: string; readonly via: string }>();
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
    const { input } = stored;
    const id = new URL(`/events/${uuid}`, this.origin).href;
    const place = input.place;
    return {
      id,
      type: "Event",
      uuid,
      name: input.title,
      url: id,
      startTime: input.beginsOn,
      endTime: input.endsOn ?? null,
      ...(input.timezone ? { timezone: input.timezone } : {}),
      content: input.description ?? "",
      mediaType: "text/html",
      attributedTo: this.group.id.href,
      actor: this.member.id.href,
      to: [PUBLIC],
      cc: [`${this.group.id.href}/followers`],
      category: input.category ?? "MEETING",
      "ical:status": stored.status,
      anonymousParticipationEnabled: false,
      isOnline: false,
      published: stored.published,
      updated: stored.updated,
      tag: (input.tags ?? []).map((t) => ({ type: "Hashtag", name: `#${t}`, href: new URL(`/tag/${t}`, this.origin).href })),
      attachment: [],
      location: place
        ? {
            type: "Place",
            id: new URL(`/address/${randomUUID()}`, this.origin).href,
            name: place.name,
            address: {
              type: "PostalAddress",
              streetAddress: place.street ?? "",
              postalCode: place.postalCode ?? "",
              addressLocality: place.locality ?? "",
              addressRegion: place.region ?? "",
              addressCountry: place.country ?? "",
            },
          }
        : null,
    };
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
      return json(200, { version: "2.1", software: { name: "Mobilizon", version: "5.1.0" }, protocols: ["activitypub"], usage: { users: { total: 2 }, localPosts: this.#events.size }, openRegistrations: false, metadata: {}, services: { inbound: [], outbound: ["atom1.0"] } }, "application/json");
    }
    if (url.pathname === this.group.id.pathname) return json(200, this.groupDocument());
    if (url.pathname === this.member.id.pathname) return json(200, this.memberDocument());
    const document = this.#documents.get(url.pathname);
    if (document) return json(200, document);
    if (url.pathname.startsWith("/events/")) return void res.writeHead(410).end();
    res.writeHead(404).end();
  }

  /** Mobilizon's post converter: an Article without `actor` or `attributedTo` is not a group post. */
  #ingestPost(article: JsonObject, via: string): void {
    const attributedTo = idOf(article.attributedTo);
    const actor = idOf(article.actor);
    if (!attributedTo || !actor) {
      this.log.warn(`[federation] an Article without actor or attributedTo is not a post: ${String(article.id)}`);
      return;
    }
    this.posts.set(String(article.id), { attributedTo, actor, title: String(article.name ?? ""), content: String(article.content ?? ""), via });
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
      this.#ingestPost(object as JsonObject, String(activity.type));
    } else if (activity.type === "Announce" && typeof object === "string") {
      const fetched = await this.fetchJson(new URL(object));
      if (fetched?.type === "Article") this.#ingestPost(fetched, `Announce by ${actor}`);
      else if (fetched?.type === "Event") this.received.set(String(fetched.id), fetched);
      else this.log.warn(`[federation] could not fetch the announced ${object}`);
    } else if ((activity.type === "Create" || activity.type === "Update") && (object as JsonObject | undefined)?.type === "Event") {
      this.received.set(String((object as JsonObject).id), object as JsonObject);
    } else if (activity.type === "Delete") {
      this.received.delete(String(idOf(object)));
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
