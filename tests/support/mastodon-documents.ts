// The documents the Mastodon-shaped peer (mastodon-peer.ts) serves and sends, shaped like Mastodon 4.3's
// (../shared/fixtures/as2: its actor, WebFinger, NodeInfo, a public Create(Note)).
import { ACTIVITY_JSON, type JsonObject } from "./http-signatures.ts";
import type { MastodonPeer } from "./mastodon-peer.ts";

export const ACTIVITY_STREAMS = "https://www.w3.org/ns/activitystreams";
export const PUBLIC_COLLECTION = `${ACTIVITY_STREAMS}#Public`;
export const NODEINFO = "http://nodeinfo.diaspora.software";

/** The context Mastodon puts on actor documents (trimmed to the terms the peer uses). */
const ACTOR_CONTEXT = [
  ACTIVITY_STREAMS,
  "https://w3id.org/security/v1",
  {
    manuallyApprovesFollowers: "as:manuallyApprovesFollowers",
    toot: "http://joinmastodon.org/ns#",
    featured: { "@id": "toot:featured", "@type": "@id" },
    featuredTags: { "@id": "toot:featuredTags", "@type": "@id" },
    alsoKnownAs: { "@id": "as:alsoKnownAs", "@type": "@id" },
    movedTo: { "@id": "as:movedTo", "@type": "@id" },
    schema: "http://schema.org#",
    PropertyValue: "schema:PropertyValue",
    value: "schema:value",
    discoverable: "toot:discoverable",
    indexable: "toot:indexable",
    memorial: "toot:memorial",
  },
];

const NOTE_CONTEXT = [
  ACTIVITY_STREAMS,
  { ostatus: "http://ostatus.org#", atomUri: "ostatus:atomUri", sensitive: "as:sensitive", toot: "http://joinmastodon.org/ns#" },
];

/** Who the peer is: its account and where its actor and inboxes live. */
type MastodonAccount = Pick<MastodonPeer, "origin" | "username" | "actorId" | "inboxUrl" | "sharedInboxUrl" | "acct" | "key">;

/** Mastodon's Person document, shaped like the activitypub.academy fixture. */
export function mastodonActor(account: MastodonAccount): JsonObject {
  const actor = account.actorId.href;
  return {
    "@context": ACTOR_CONTEXT,
    id: actor,
    type: "Person",
    following: `${actor}/following`,
    followers: `${actor}/followers`,
    inbox: account.inboxUrl.href,
    outbox: `${actor}/outbox`,
    featured: `${actor}/collections/featured`,
    featuredTags: `${actor}/collections/tags`,
    preferredUsername: account.username,
    name: account.username[0]!.toUpperCase() + account.username.slice(1),
    summary: "",
    url: new URL(`/@${account.username}`, account.origin).href,
    manuallyApprovesFollowers: false,
    discoverable: true,
    indexable: false,
    memorial: false,
    published: "2024-09-12T00:00:00Z",
    publicKey: { id: account.key.keyId.href, owner: actor, publicKeyPem: account.key.publicKeyPem },
    tag: [],
    attachment: [],
    endpoints: { sharedInbox: account.sharedInboxUrl.href },
  };
}

/** The actor's collections, always empty. */
export const mastodonCollections = ["following", "followers", "outbox", "collections/featured", "collections/tags"];

export function emptyCollection(id: string): JsonObject {
  return { "@context": ACTIVITY_STREAMS, id, type: "OrderedCollection", totalItems: 0, orderedItems: [] };
}

export function mastodonWebFinger(account: MastodonAccount): JsonObject {
  const profile = new URL(`/@${account.username}`, account.origin).href;
  return {
    subject: `acct:${account.acct}`,
    aliases: [profile, account.actorId.href],
    links: [
      { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: profile },
      { rel: "self", type: ACTIVITY_JSON, href: account.actorId.href },
      { rel: "http://ostatus.org/schema/1.0/subscribe", template: new URL("/authorize_interaction?uri={uri}", account.origin).href },
    ],
  };
}

/** `/.well-known/nodeinfo`: where the NodeInfo 2.0 document is. */
export function nodeInfoLinks(origin: URL): JsonObject {
  return { links: [{ rel: `${NODEINFO}/ns/schema/2.0`, href: new URL("/nodeinfo/2.0", origin).href }] };
}

/** `/nodeinfo/2.0`: a Mastodon 4.3 server with one user. */
export function mastodonNodeInfo(): JsonObject {
  const usage = { users: { total: 1, activeMonth: 1, activeHalfyear: 1 }, localPosts: 0 };
  return { version: "2.0", software: { name: "mastodon", version: "4.3.0" }, protocols: ["activitypub"], services: { outbound: [], inbound: [] }, usage, openRegistrations: false, metadata: {} };
}

/** A public Note by the account at `noteId`, and the Create that carries it. */
export function mastodonCreateNote(
  actorId: URL,
  noteId: URL,
  options: { content: string; to?: string[]; cc?: string[]; inReplyTo?: URL },
): { note: JsonObject; create: JsonObject } {
  const published = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const to = options.to ?? [PUBLIC_COLLECTION];
  const cc = options.cc ?? [`${actorId.href}/followers`];
  const note = {
    id: noteId.href,
    type: "Note",
    summary: null,
    inReplyTo: options.inReplyTo?.href ?? null,
    published,
    url: noteId.href,
    attributedTo: actorId.href,
    to,
    cc,
    sensitive: false,
    atomUri: noteId.href,
    content: options.content,
    attachment: [],
    tag: [],
  };
  return {
    note: { "@context": NOTE_CONTEXT, ...note },
    create: { "@context": NOTE_CONTEXT, id: `${noteId.href}/activity`, type: "Create", actor: actorId.href, published, to, cc, object: note },
  };
}
