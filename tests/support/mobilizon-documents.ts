// The documents the Mobilizon-shaped peer (mobilizon-peer.ts) serves and sends, as Mobilizon 5.1 writes
// them (lib/federation/activity_stream/utils.ex `make_json_ld_header`, converter/event.ex `model_to_as`;
// shapes checked against ../shared/fixtures/as2/from-mobilizon-tests): its `@context`, LitePub's remote
// context, NodeInfo, and an event of a group created by one of its members.
import { randomUUID } from "node:crypto";
import type { JsonObject } from "./http-signatures.ts";

const AS = "https://www.w3.org/ns/activitystreams";
export const PUBLIC = `${AS}#Public`;
export const NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema";

/**
 * Mobilizon's `@context`, trimmed. Its second entry is LitePub's remote context; tests reach no other
 * host, so the peer serves a copy of that context itself and names it at its own origin: what is tested
 * is the same (a remote context to load, with the terms Mobilizon relies on), only the URL differs.
 */
export const mobilizonContext = (origin: URL) => [
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
    contacts: { "@id": "mz:contacts", "@type": "@id" },
  },
];

/** LitePub's context (litepub.social/litepub/context.jsonld), trimmed to what Mobilizon's documents use. */
export const LITEPUB_CONTEXT = {
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

export const nodeinfoDocument = (localPosts: number): JsonObject => ({
  version: "2.1",
  software: { name: "Mobilizon", version: "5.1.0" },
  protocols: ["activitypub"],
  usage: { users: { total: 2 }, localPosts },
  openRegistrations: false,
  metadata: {},
  services: { inbound: [], outbound: ["atom1.0"] },
});

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

export interface StoredEvent {
  uuid: string;
  input: MobilizonEventInput;
  status: "CONFIRMED" | "CANCELLED";
  published: string;
  updated: string;
}

/** The event as Mobilizon serves it and embeds it: created by `member` in `group`. */
export function mobilizonEventDocument(origin: URL, group: URL, member: URL, stored: StoredEvent): JsonObject {
  const { input, uuid } = stored;
  const id = new URL(`/events/${uuid}`, origin).href;
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
    attributedTo: group.href,
    actor: member.href,
    to: [PUBLIC],
    cc: [`${group.href}/followers`],
    category: input.category ?? "MEETING",
    "ical:status": stored.status,
    anonymousParticipationEnabled: false,
    isOnline: false,
    published: stored.published,
    updated: stored.updated,
    contacts: [],
    tag: (input.tags ?? []).map((t) => ({ type: "Hashtag", name: `#${t}`, href: new URL(`/tag/${t}`, origin).href })),
    attachment: [],
    location: place
      ? {
          type: "Place",
          id: new URL(`/address/${randomUUID()}`, origin).href,
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
