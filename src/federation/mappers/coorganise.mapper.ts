import type { CoorganizerView, CoorganizeStampView } from "../../modules/coorganise/coorganise.types.ts";
import type { EventEssentials } from "../../modules/coorganise/event-essentials.ts";
import { cosignContext, hasType } from "./cosign.mapper.ts";
import type { JsonObject } from "./event.mapper.ts";
import { idOf, isObject } from "./json-values.ts";
import { relaisContext } from "./relais-context.ts";

/**
 * Co-organised events on the wire (FEDERATION.md "Co-organised events"): the co-signing pattern of
 * ADR 0021 applied to events. Requests are `["Offer", "CoorganizeRequest"]` naming the event by id
 * (`instrument`), stamps are `CoorganizeAuthorization`s served by the co-organiser at /stamps/{id}
 * and named by id in answers; the host lists the co-organisers in the event's FEP-8a8e `organizers`
 * and in its `coorganizers` collection. Pure JSON: Fedify has none of these terms.
 */

const asContext = "https://www.w3.org/ns/activitystreams";
const context = () => [...cosignContext] as unknown as JsonObject;

/** FEP-8a8e's `organizers` (an OrganizersCollection) and Relais's `coorganizers`, added to an event's context. */
export const organizersContext = {
  organizers: "https://w3id.org/fep/8a8e/organizers",
  OrganizersCollection: "https://w3id.org/fep/8a8e/OrganizersCollection",
  coorganizers: relaisContext.coorganizers,
  relais: relaisContext.relais,
  // Mobilizon's term (its event converter reads `contacts`, a list of actors it fetches, and shows
  // them on the event; it ignores `organizers`).
  contacts: { "@id": "https://joinmobilizon.org/ns#contacts", "@type": "@id" },
} as const;

/**
 * The essentials of a published event a co-organiser's stamp pins, read from its AS2 JSON (the host
 * reads the document it serves, the co-organiser the one it fetched): undefined when it is no event.
 */
export function eventEssentialsFromJson(doc: JsonObject): EventEssentials | undefined {
  if (!hasType(doc, "Event")) return undefined;
  const event = idOf(doc);
  const host = idOf(doc.attributedTo);
  if (!event || !host) return undefined;
  const nameMap = isObject(doc.nameMap) && Object.values(doc.nameMap).every((v) => typeof v === "string") ? (doc.nameMap as Record<string, string>) : undefined;
  const name = nameMap ?? (typeof doc.name === "string" ? { "": doc.name } : {});
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return { event, host, name, startTime: text(doc.startTime), endTime: text(doc.endTime), timezone: text(doc.timezone), location: doc.location ?? null };
}

/** #1 for events: the invitation to co-organise (or to reconfirm after a change of time or place). */
export function coorganizeRequestDocument(r: {
  readonly id: URL;
  readonly host: URL;
  readonly partner: string;
  readonly event: URL;
  readonly coorganizers: URL;
  readonly expiresAt: Temporal.Instant;
}): JsonObject {
  return {
    "@context": context(),
    id: r.id.href,
    type: ["Offer", "CoorganizeRequest"],
    actor: r.host.href,
    to: [r.partner],
    object: r.partner,
    instrument: r.event.href,
    target: r.coorganizers.href,
    endTime: r.expiresAt.toString(),
  };
}

/** A co-organiser's stamp (`CoorganizeAuthorization`) as its server serves it, without its proof. */
export function coorganizeStampDocument(stamp: CoorganizeStampView, ids: { readonly id: URL; readonly partner: URL }): JsonObject {
  return {
    "@context": context(),
    id: ids.id.href,
    type: "CoorganizeAuthorization",
    attributedTo: ids.partner.href,
    interactionTarget: ids.partner.href,
    interactingObject: stamp.eventApId,
    target: { type: "OrderedCollection", id: stamp.coorganizersUrl, attributedTo: stamp.hostApId },
    published: (stamp.signedAt ?? Temporal.Now.instant()).toString(),
    digestMultibase: stamp.digest,
  };
}

/** The facts of a fetched stamp the host checks; undefined when it is no CoorganizeAuthorization. */
export function coorganizeStampFacts(doc: JsonObject): { id: string; partner: string; event: string; target: string | undefined; digest: string } | undefined {
  if (!hasType(doc, "CoorganizeAuthorization")) return undefined;
  const id = idOf(doc);
  const partner = idOf(doc.attributedTo);
  const event = idOf(doc.interactingObject);
  if (!id || !partner || idOf(doc.interactionTarget) !== partner || !event || typeof doc.digestMultibase !== "string") return undefined;
  return { id, partner, event, target: idOf(doc.target), digest: doc.digestMultibase };
}

const formerType = { formerType: { "@id": "as:formerType", "@type": "@vocab" } };

/** What a withdrawn stamp's URL answers, with 410. */
export function coorganizeTombstoneDocument(id: URL, revokedAt: Temporal.Instant): JsonObject {
  return {
    "@context": [asContext, relaisContext, formerType] as unknown as JsonObject,
    id: id.href,
    type: "Tombstone",
    formerType: "CoorganizeAuthorization",
    deleted: revokedAt.toString(),
  };
}

/** #9 for events: the co-organiser withdraws (Delete of its stamp, named as a Tombstone; receivers confirm it at its origin). */
export function coorganizeRevokeDocument(d: { readonly id: URL; readonly partner: URL; readonly stamp: URL; readonly event: string; readonly host: string; readonly revokedAt: Temporal.Instant }): JsonObject {
  return {
    "@context": [asContext, relaisContext, formerType] as unknown as JsonObject,
    id: d.id.href,
    type: "Delete",
    actor: d.partner.href,
    to: [d.host],
    object: { id: d.stamp.href, type: "Tombstone", formerType: "CoorganizeAuthorization", interactingObject: d.event, interactionTarget: d.partner.href, deleted: d.revokedAt.toString() },
  };
}

const stripContext = (doc: Record<string, unknown>): JsonObject => {
  const { "@context": _c, ...rest } = doc;
  return rest as JsonObject;
};

/** The host's collection of co-organisers: each entry wraps the co-organiser's stamp as its origin served it. */
export function coorganizersDocument(id: URL, host: URL, coorganizers: readonly CoorganizerView[]): JsonObject {
  return {
    "@context": context(),
    id: id.href,
    type: "OrderedCollection",
    attributedTo: host.href,
    totalItems: coorganizers.length,
    orderedItems: coorganizers.map((c) => ({
      id: `${id.href}#${c.id}`,
      type: "PartnerEntry",
      partner: c.partner.apId,
      ...(c.partner.name ? { name: c.partner.name } : {}),
      entryState: c.state === "current" ? "Current" : "PendingReconfirmation",
      published: c.verifiedAt.toString(),
      authorization: stripContext(c.stamp),
    })),
  };
}

/**
 * Adds FEP-8a8e's `organizers` (the host, then every listed co-organiser, pending reconfirmation
 * included), Relais's `coorganizers` collection and Mobilizon's `contacts` (the co-organisers' ids: the
 * host is already `attributedTo`) to an event document. Left as it is when the event has no
 * co-organiser (`attributedTo` says who organises it).
 */
export function withOrganizers(doc: JsonObject, host: { readonly id: URL; readonly name?: string | undefined }, coorganizers: readonly CoorganizerView[], collection: URL): JsonObject {
  if (coorganizers.length === 0) return doc;
  const contexts = Array.isArray(doc["@context"]) ? doc["@context"] : [doc["@context"]];
  const items = [
    { type: "Group", id: host.id.href, ...(host.name ? { name: host.name } : {}) },
    ...coorganizers.map((c) => ({ type: "Group", id: c.partner.apId, ...(c.partner.name ? { name: c.partner.name } : {}) })),
  ];
  return {
    ...doc,
    "@context": [...contexts.filter((c) => c !== undefined), organizersContext] as unknown as JsonObject,
    organizers: { type: "OrganizersCollection", totalItems: items.length, items },
    coorganizers: collection.href,
    contacts: coorganizers.map((c) => c.partner.apId),
  };
}


/**
 * The same for a Create or Update of the event: `organizers` and `coorganizers` go on its object and
 * their context on the activity (the object is embedded without a context of its own).
 */
export function activityWithOrganizers(activity: JsonObject, host: { readonly id: URL; readonly name?: string | undefined }, coorganizers: readonly CoorganizerView[], collection: URL): JsonObject {
  if (coorganizers.length === 0) return activity;
  const object = withOrganizers({ "@context": activity["@context"], ...(activity.object as JsonObject) }, host, coorganizers, collection);
  const { "@context": context, ...inner } = object;
  return { ...activity, "@context": context as JsonObject, object: inner };
}
