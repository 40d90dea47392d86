// The inbox of the Gancio-shaped peer: helpers.js `verifySignature`, inbox.js, follows.js, events.js
// and `parseAPEvent`/`parsePlace` of Gancio 1.21, with their crashes where Gancio crashes (a TypeError
// becomes a 500 through express-async-errors, or a 400 where Gancio catches it) and the requests it
// never answers (handlers that return without a response).
import type { IncomingMessage, ServerResponse } from "node:http";
import { verifyDraftCavageRequest, type JsonObject } from "./http-signatures.ts";
import type { GancioApUser, GancioEvent, GancioPeer } from "./gancio-peer.ts";
import { headerRecord, type InboxDelivery, parseJsonObject, readBody } from "./peer-http.ts";

type Answer = (status: number | "none", text?: string) => void;

interface Incoming {
  readonly peer: GancioPeer;
  readonly body: JsonObject;
  readonly sender: GancioApUser;
  readonly answer: Answer;
}

/** POST /federation/u/:name/inbox */
export async function handleGancioInbox(peer: GancioPeer, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const raw = await readBody(req);
  const headers = headerRecord(req);
  const json = /application\/(json|activity\+json|ld\+json)/.test(headers["content-type"] ?? "");
  const body = (json ? parseJsonObject(raw.toString("utf8")) : null) ?? {};
  const scheme = headers["signature-input"] !== undefined ? "rfc9421" : headers.signature !== undefined ? "draft-cavage" : "none";
  const delivery: InboxDelivery = { activity: body, path: url.pathname, scheme, signatureValid: false, status: null };
  peer.inbox.push(delivery);
  const answer: Answer = (status, text) => {
    if (status === "none") return peer.hang(res);
    delivery.status = status;
    res.writeHead(status).end(text);
    peer.inbox.notify();
  };
  try {
    const sender = await verifySignature(peer, { headers, raw, target: url.pathname + url.search, body }, answer);
    if (!sender) return;
    (delivery as { signatureValid: boolean }).signatureValid = true;
    (delivery as { signer?: string }).signer = sender.apId;
    await dispatch({ peer, body, sender, answer });
  } catch (error) {
    // express-async-errors: the stack goes to the log, the client gets 500.
    peer.log.error(String(error));
    if (!res.headersSent) answer(500);
  }
}

async function verifySignature(
  peer: GancioPeer,
  request: { headers: Record<string, string>; raw: Buffer; target: string; body: JsonObject },
  answer: Answer,
): Promise<GancioApUser | null> {
  const actorUrl = typeof request.body.actor === "string" ? request.body.actor : undefined;
  const isDelete = request.body.type === "Delete";
  if (!actorUrl) {
    peer.log.warn("[FEDI] Verify Signature: No actor url or empty body");
    answer(401, "Actor not found");
    return null;
  }
  const instance = isDelete ? (peer.instances.get(new URL(actorUrl).host) ?? null) : await peer.getInstance(actorUrl);
  if (!instance) {
    peer.log.warn(`[FEDI] Verify Signature: Instance not found ${actorUrl}`);
    answer(isDelete ? 201 : 401, "Instance not found");
    return null;
  }
  let actor = isDelete ? (peer.apUsers.get(actorUrl) ?? null) : await peer.getActor(actorUrl);
  if (!actor) {
    peer.log.info(`[FEDI] Actor ${actorUrl} not found`);
    answer(isDelete ? 201 : 401, "Actor not found");
    return null;
  }
  // @peertube/http-signature's parseRequest throws on a request without a draft-cavage Signature
  // (RFC 9421 included): express-async-errors turns it into a 500.
  if (request.headers["signature-input"] !== undefined || request.headers.signature === undefined) {
    throw new Error("MissingHeaderError: no signature in authorization header");
  }
  const check = (user: GancioApUser) =>
    verifyDraftCavageRequest(
      { method: "POST", target: request.target, headers: new Headers(request.headers), body: request.raw },
      { fetchJson: async () => ({ ok: true, json: user.object }) },
    );
  if ((await check(actor)).ok) return actor;
  actor = await peer.getActor(actorUrl, true);
  if (actor && (await check(actor)).ok) return actor;
  peer.log.info(`[FEDI] Invalid signature from Actor ${actorUrl}`);
  answer(401, "Request signature could not be verified");
  return null;
}

const objectOf = (body: JsonObject): JsonObject | undefined =>
  typeof body.object === "object" && body.object !== null ? (body.object as JsonObject) : undefined;

/** inbox.js */
async function dispatch(incoming: Incoming): Promise<void> {
  const { peer, body, answer } = incoming;
  const object = objectOf(body);
  if (!body.object || !body.type) {
    peer.log.warn(`[FEDI] message without \`object\` or \`type\` property: ${JSON.stringify(body)}`);
    return answer(404, "Wrong AP message: no object or type property");
  }
  switch (body.type) {
    case "Follow":
      return follow(incoming);
    case "Accept":
      return answer(202);
    case "Undo":
      if (object?.type === "Follow") return unfollow(incoming);
      peer.log.warn(`[FEDI] Undo message type with unsupported object: ${JSON.stringify(body.object)}`);
      return answer("none");
    case "Announce":
      peer.log.debug("[FEDI] Ignore Announce for a whole object");
      return answer(404, "Announce is supported for internal events only");
    case "Delete":
      return remove(incoming, object);
    case "Update":
      if (object?.type === "Event") {
        if (!isFollowedAndTrusted(incoming)) return answer(404);
        return updateEvent(incoming, object);
      }
      if (object?.type === "Note") return resource(incoming);
      peer.log.debug(`[FEDI] Unsupported Update: ${JSON.stringify(body.object)}`);
      return answer("none");
    case "Create":
      if (object?.type === "Note") return resource(incoming);
      if (object?.type === "Event") {
        if (!isFollowedAndTrusted(incoming)) return answer(404);
        try {
          await parseAPEvent(incoming, object);
        } catch (error) {
          peer.log.error(`[FEDI] Error parsing AP Event: ${(error as Error).message}`);
          return answer(400, "Error parsing AP Event");
        }
        return answer(201);
      }
      peer.log.warn(`[FEDI] Create with unsupported Object or not a reply => ${JSON.stringify(body.object)}`);
      return answer(404);
    default:
      peer.log.error(`[FEDI] Unknown message type: ${String(body.type)}`);
      return answer(404);
  }
}

function isFollowedAndTrusted({ peer, sender }: Incoming): boolean {
  if (sender.following && sender.trusted) return true;
  peer.log.warn("[FEDI] APUser not followed nor trusted");
  return false;
}

/** follows.js `follow` */
async function follow({ peer, body, sender, answer }: Incoming): Promise<void> {
  if (typeof body.object !== "string") return answer("none");
  const username = body.object.replace(`${peer.origin.origin}/federation/u/`, "");
  if (username !== "relay") {
    peer.log.warn(`[FEDI] Following the wrong user: ${username} instead of relay`);
    return answer(404, "User not found");
  }
  sender.follower = true;
  peer.log.info(`[FEDI] Followed by ${String(body.actor)}`);
  const accept = { "@context": "https://www.w3.org/ns/activitystreams", id: `${peer.origin.origin}/federation/${crypto.randomUUID()}`, type: "Accept", actor: peer.actorId.href, object: body };
  await peer.signAndSend(JSON.stringify(accept), new URL(String(sender.object.inbox)));
  answer(200);
}

/** follows.js `unfollow` */
function unfollow({ peer, body, sender, answer }: Incoming): void {
  const username = String(objectOf(body)?.object).replace(`${peer.origin.origin}/federation/u/`, "");
  if (username !== "relay") {
    peer.log.warn(`[FEDI] Unfollowing wrong user: ${username} instead of relay`);
    answer(404, "User not found");
    return;
  }
  sender.follower = false;
  peer.log.info(`[FEDI] Unfollowed by ${String(body.actor)}`);
  answer(200);
}

/** resources.js: comments are off by default, and then the handler returns without an answer. */
function resource({ peer, body, answer }: Incoming): void {
  if (!peer.enableResources) {
    peer.log.info("[FEDI] Ignore resource as it is disabled in settings");
    answer("none");
    return;
  }
  if (body.type === "Create" && !objectOf(body)?.inReplyTo) {
    peer.log.error("This is a direct message. Just ignore it");
    answer(404, "Not found");
    return;
  }
  peer.log.warn("[FEDI] Resource not found");
  answer(404);
}

/** inbox.js `Delete`, then events.js `remove` (the Tombstone's formerType is compared as a word). */
function remove({ peer, body, sender, answer }: Incoming, object: JsonObject | undefined): void {
  const type = object?.type === "Tombstone" ? (object.formerType ?? "Tombstone") : object?.type;
  const apId = typeof body.object === "string" ? body.object : String(object?.id);
  if (type === "Note") {
    peer.log.info("[FEDI] Comment not found");
    answer(404, "Not found");
    return;
  }
  if (type !== "Event") {
    // Neither an actor nor a resource: inbox.js falls through without answering.
    if (peer.apUsers.has(apId)) {
      answer(sender.apId === apId ? 201 : 403);
      return;
    }
    answer("none");
    return;
  }
  if (!sender.following) {
    peer.log.warn("[FEDI] APUser not followed");
    answer(404);
    return;
  }
  const event = peer.events.get(apId);
  if (!event) {
    peer.log.error(`[FEDI] Event not found: ${apId}`);
    answer(404);
    return;
  }
  if (event.owner !== sender.apId) throw new TypeError("Cannot read properties of undefined (reading 'fedi_user')");
  peer.events.delete(apId);
  answer(201);
}

/** helpers.js `parsePlace` and api/controller/event.js `_findOrCreatePlace`. */
function parsePlace(peer: GancioPeer, event: JsonObject): { name: string; address: string; online: string[] } | null {
  if (!event.location) {
    peer.log.warn(`[FEDI] Event "${String(event.name)}" has no location field`);
    return null;
  }
  const locations = (Array.isArray(event.location) ? event.location : [event.location]) as JsonObject[];
  const addressUrl = (l: JsonObject) => (l.address as JsonObject | undefined)?.url;
  const physical = locations.find((l) => l.address && !addressUrl(l)) ?? locations.find((l) => !addressUrl(l));
  const online = locations.filter((l) => addressUrl(l)).map((l) => String(addressUrl(l)));
  let name: unknown;
  let address: unknown;
  if (physical) {
    name = physical.name;
    const addr = physical.address as JsonObject | string | undefined;
    if (typeof addr === "string") address = addr;
    else if (addr && (addr.streetAddress || addr.addressLocality || addr.addressCountry || addr.addressRegion)) {
      address = [addr.streetAddress, addr.addressLocality, addr.addressRegion, addr.addressCountry].filter(Boolean).join(", ");
    } else if (addr?.url) name = "online";
    else if (addr) peer.log.warn(`[FEDI] Event "${String(event.name)}" has bad address location: ${JSON.stringify(addr)}`);
    else address = name;
  } else if (online.length > 0) {
    name = "online";
  } else {
    peer.log.warn(`[FEDI] No Physical nor Virtual location: ${JSON.stringify(event.location)}`);
    return null;
  }
  return { ...findOrCreatePlace(name, address), online };
}

function findOrCreatePlace(name: unknown, address: unknown): { name: string; address: string } {
  const placeName = name ? (name as string).trim() : name;
  const placeAddress = address ? (address as string).trim() : address; // a TypeError when it is not text
  if (!placeName || (!placeAddress && String(placeName).toLocaleLowerCase() !== "online")) {
    throw new Error("place_id or place_name and place_address are required");
  }
  return { name: placeName as string, address: (placeAddress as string) || "" };
}

/** helpers.js `parseAPEvent` for a Create(Event). */
async function parseAPEvent({ peer, sender }: Incoming, object: JsonObject): Promise<void> {
  for (const field of ["name", "startTime", "id"]) if (!object[field]) throw new Error(`${field} required`);
  const apId = String(object.id);
  if (peer.events.has(apId)) {
    peer.log.warn(`[FEDI] Avoid creating a duplicated event ${apId}`);
    return;
  }
  const place = parsePlace(peer, object);
  const attachments = object.attachment as { find?: unknown } | undefined;
  // `APEvent?.attachment?.find(a => a?.mediaType.includes('image') && a.url)`
  if (attachments !== undefined && typeof attachments.find !== "function") throw new TypeError("APEvent.attachment.find is not a function");
  const image = (attachments as JsonObject[] | undefined)?.find((a) => (a.mediaType as string).includes("image") && a.url);
  const event: GancioEvent = {
    apId,
    title: String(object.name).trim(),
    startTime: String(object.startTime),
    endTime: object.endTime ? String(object.endTime) : null,
    description: String(object.content ?? object.summary ?? ""),
    placeName: place?.name ?? null,
    placeAddress: place?.address ?? null,
    onlineLocations: place?.online ?? [],
    tags: [],
    media: image ? [String(image.url)] : [],
    owner: sender.apId,
  };
  peer.events.set(apId, event); // stored before the tags: a crash below leaves it half-stored
  if (object.tag) {
    if (!Array.isArray(object.tag)) throw new TypeError("APEvent.tag.map is not a function");
    event.tags = (object.tag as JsonObject[]).map((t) => String(t?.name).slice(1));
  }
}

/** events.js `update` */
function updateEvent({ peer, body, sender, answer }: Incoming, object: JsonObject): void {
  const apId = String(object.id);
  const event = peer.events.get(apId);
  if (!event) throw new TypeError("log.warning is not a function");
  if (event.owner !== sender.apId) throw new TypeError("Cannot read properties of undefined (reading 'fedi_user')");
  const location = object.location as JsonObject | undefined;
  const address = location?.address as JsonObject | undefined;
  const place = findOrCreatePlace(location?.name, address?.streetAddress ?? address?.addressLocality ?? address?.addressCountry ?? address ?? "");
  const attachments = object.attachment as JsonObject[] | undefined;
  if (attachments === undefined || attachments === null) throw new TypeError("Cannot read properties of undefined (reading 'length')");
  let media: string[] = [];
  if (attachments.length > 0) {
    const url = attachments[0]?.url;
    if (typeof url !== "string") throw new TypeError("Cannot read properties of undefined (reading 'startsWith')");
    media = [url];
  }
  if (typeof object.content !== "string") throw new TypeError("Cannot read properties of undefined (reading 'length')");
  Object.assign(event, {
    title: String(object.name).trim(),
    startTime: String(object.startTime),
    endTime: object.endTime ? String(object.endTime) : null,
    description: object.content,
    media,
    placeName: place.name,
    placeAddress: place.address,
    owner: String(body.actor),
  });
  if (object.tag) {
    if (!Array.isArray(object.tag)) throw new TypeError("APEvent.tag.map is not a function");
    event.tags = (object.tag as JsonObject[]).map((t) => String(t?.name).slice(1));
  }
  answer(201);
}
