import type { SignableVersion, TextDigest } from "../../modules/cosign/call-digest.ts";
import type { SignatureView, StampView } from "../../modules/cosign/cosign.types.ts";
import type { LanguageMap } from "../../shared/language.ts";
import type { JsonObject } from "./event.mapper.ts";
import { idOf, isObject } from "./json-values.ts";
import { relaisContext } from "./relais-context.ts";

/**
 * Co-signed calls on the wire (FEDERATION.md "Co-signed calls", design §4–5), as pure JSON: Fedify's
 * vocabulary has none of these terms, and refuses an activity that embeds an object of a type it does
 * not know. So versions and stamps are served at their URLs and activities name them by id; the
 * receiver fetches them from their origin (which it must do anyway to know they are not revoked). The
 * request's own type is `["Offer", "CosignRequest"]`: Fedify (and any AS2 reader) reads an Offer.
 */

const asContext = "https://www.w3.org/ns/activitystreams";
/** Defines `proof` (FEP-8b32); Fedify has it preloaded, nothing is fetched. */
const dataIntegrity = "https://w3id.org/security/data-integrity/v1";

/** The context of versions, stamps, collections and co-signing activities. */
export const cosignContext = [asContext, dataIntegrity, relaisContext] as const;
const context = () => [...cosignContext] as unknown as JsonObject;

/** Whether a document's `type` (a string or a list) names `name` (compact, or as a full IRI). */
export const hasType = (o: JsonObject, name: string): boolean =>
  (Array.isArray(o.type) ? o.type : [o.type]).some((t) => typeof t === "string" && (t === name || t.endsWith(`#${name}`) || t.endsWith(`:${name}`)));

const digestsJson = (digests: readonly TextDigest[]) => digests.map((d) => ({ inLanguage: d.language, digestMultibase: d.digest }));

/** One version of a call (`CallVersion`), without its proof (the federation layer adds it when serving). */
export function callVersionDocument(
  v: SignableVersion,
  extra: { readonly id: URL; readonly published: Temporal.Instant; readonly authoritativeLanguages: readonly string[]; readonly digests: readonly TextDigest[] },
): JsonObject {
  const doc: JsonObject = {
    "@context": context(),
    id: extra.id.href,
    type: "CallVersion",
    versionOf: v.call,
    attributedTo: v.initiator,
    version: v.version,
    published: extra.published.toString(),
    authoritativeLanguages: [...extra.authoritativeLanguages],
    nameMap: { ...v.name },
    contentMap: { ...v.content },
    demands: v.demands.map((d) => ({ type: "Demand", nameMap: { ...d } })),
    relatedEvents: [...v.relatedEvents],
    textDigests: digestsJson(extra.digests),
  };
  if (Object.keys(v.summary).length > 0) doc.summaryMap = { ...v.summary };
  if (v.deadline !== null) doc.deadline = v.deadline;
  return doc;
}

const stringMap = (v: unknown): LanguageMap | undefined => {
  if (!isObject(v)) return undefined;
  const entries = Object.entries(v);
  return entries.every(([, t]) => typeof t === "string") ? (Object.fromEntries(entries) as LanguageMap) : undefined;
};

/** A received `CallVersion` as domain data; undefined when it is not one (a wrong shape is never guessed at). */
export function signableFromVersionDocument(doc: JsonObject): { signable: SignableVersion; authoritativeLanguages: string[] } | undefined {
  if (!hasType(doc, "CallVersion")) return undefined;
  const call = idOf(doc.versionOf);
  const initiator = idOf(doc.attributedTo);
  const name = stringMap(doc.nameMap);
  const content = stringMap(doc.contentMap);
  const summary = doc.summaryMap === undefined ? {} : stringMap(doc.summaryMap);
  const demandsRaw = doc.demands === undefined ? [] : Array.isArray(doc.demands) ? doc.demands : [doc.demands];
  const demands = demandsRaw.map((d) => (isObject(d) ? stringMap(d.nameMap) : undefined));
  const events = doc.relatedEvents === undefined ? [] : Array.isArray(doc.relatedEvents) ? doc.relatedEvents.map(idOf) : [idOf(doc.relatedEvents)];
  const deadline = doc.deadline === undefined || doc.deadline === null ? null : typeof doc.deadline === "string" ? doc.deadline : undefined;
  const languages = doc.authoritativeLanguages === undefined ? [] : Array.isArray(doc.authoritativeLanguages) ? doc.authoritativeLanguages : [doc.authoritativeLanguages];
  if (!call || !initiator || !name || !content || !summary || deadline === undefined || !Number.isSafeInteger(doc.version) || (doc.version as number) < 1) return undefined;
  if (demands.some((d) => d === undefined) || events.some((e) => e === undefined) || languages.some((l) => typeof l !== "string")) return undefined;
  return {
    signable: {
      call,
      initiator,
      version: doc.version as number,
      name,
      summary,
      content,
      demands: demands as LanguageMap[],
      deadline,
      relatedEvents: events as string[],
    },
    authoritativeLanguages: languages as string[],
  };
}

/** A stamp (`CosignAuthorization`) as its signer's server serves it, without its proof. */
export function stampDocument(stamp: StampView, ids: { readonly id: URL; readonly signer: URL; readonly signedText: URL }): JsonObject {
  return {
    "@context": context(),
    id: ids.id.href,
    type: "CosignAuthorization",
    attributedTo: ids.signer.href,
    interactionTarget: ids.signer.href,
    interactingObject: stamp.callApId,
    version: stamp.version,
    target: { type: "OrderedCollection", id: stamp.signatoriesUrl, attributedTo: stamp.initiatorApId },
    published: stamp.signedAt.toString(),
    textDigests: digestsJson(stamp.digests),
    signedText: ids.signedText.href,
  };
}

/** What a revoked stamp's URL answers, with 410. */
export function stampTombstoneDocument(id: URL, revokedAt: Temporal.Instant): JsonObject {
  return {
    "@context": [asContext, relaisContext, { formerType: { "@id": "as:formerType", "@type": "@vocab" } }] as unknown as JsonObject,
    id: id.href,
    type: "Tombstone",
    formerType: "CosignAuthorization",
    deleted: revokedAt.toString(),
  };
}

/** The facts of a fetched stamp the initiator checks (design §8, step 3); undefined when it is no stamp. */
export function stampFacts(doc: JsonObject): { id: string; signer: string; target: string | undefined; call: string; version: number; digests: TextDigest[] } | undefined {
  if (!hasType(doc, "CosignAuthorization")) return undefined;
  const id = idOf(doc);
  const signer = idOf(doc.attributedTo);
  const call = idOf(doc.interactingObject);
  if (!id || !signer || idOf(doc.interactionTarget) !== signer || !call || !Number.isSafeInteger(doc.version)) return undefined;
  const raw = Array.isArray(doc.textDigests) ? doc.textDigests : doc.textDigests === undefined ? [] : [doc.textDigests];
  const digests: TextDigest[] = [];
  for (const d of raw) {
    if (!isObject(d) || typeof d.inLanguage !== "string" || typeof d.digestMultibase !== "string") return undefined;
    digests.push({ language: d.inLanguage, digest: d.digestMultibase });
  }
  if (new Set(digests.map((d) => d.language)).size !== digests.length) return undefined;
  return { id, signer, target: idOf(doc.target), call, version: doc.version as number, digests };
}

/** The call's signatories: each entry wraps the signer's stamp as its origin served it (proof included). */
export function signatoriesDocument(id: URL, initiator: URL, signatures: readonly SignatureView[], entryState: "Current" | "PendingReconfirmation" = "Current"): JsonObject {
  return {
    "@context": context(),
    id: id.href,
    type: "OrderedCollection",
    attributedTo: initiator.href,
    totalItems: signatures.length,
    orderedItems: signatures.map((s) => ({
      id: `${id.href}#${s.id}`,
      type: "PartnerEntry",
      partner: s.signer.apId,
      ...(s.signer.name ? { name: s.signer.name } : {}),
      entryState,
      published: s.verifiedAt.toString(),
      authorization: stripContext(s.stamp),
    })),
  };
}

function stripContext(doc: Record<string, unknown>): JsonObject {
  const { "@context": _c, ...rest } = doc;
  return rest as JsonObject;
}

/** #1: the invitation to sign a version (or to sign again). */
export function cosignRequestDocument(r: {
  readonly id: URL;
  readonly initiator: URL;
  readonly partner: string;
  readonly version: URL;
  readonly signatories: URL;
  readonly expiresAt: Temporal.Instant;
}): JsonObject {
  return {
    "@context": context(),
    id: r.id.href,
    type: ["Offer", "CosignRequest"],
    actor: r.initiator.href,
    to: [r.partner],
    object: r.partner,
    instrument: r.version.href,
    target: r.signatories.href,
    endTime: r.expiresAt.toString(),
  };
}

/** #2 and #3: the signer's answer, Accept (with its stamp's id as `result`) or Reject. */
export function cosignAnswerDocument(a: { readonly id: URL; readonly type: "Accept" | "Reject"; readonly signer: URL; readonly initiator: string; readonly request: string; readonly stamp?: URL }): JsonObject {
  return {
    "@context": context(),
    id: a.id.href,
    type: a.type,
    actor: a.signer.href,
    to: [a.initiator],
    object: a.request,
    ...(a.stamp ? { result: a.stamp.href } : {}),
  };
}

/** #4: the initiator withdraws an invitation not answered yet (the request named by id). */
export function cosignWithdrawDocument(a: { readonly id: string; readonly initiator: URL; readonly partner: string; readonly request: string }): JsonObject {
  return { "@context": context(), id: a.id, type: "Undo", actor: a.initiator.href, to: [a.partner], object: a.request };
}

/** #5: the initiator lists a stamp in its signatories. */
export function cosignAddDocument(a: { readonly id: string; readonly initiator: URL; readonly to: readonly string[]; readonly stamp: string; readonly signatories: URL }): JsonObject {
  return {
    "@context": context(),
    id: a.id,
    type: "Add",
    actor: a.initiator.href,
    to: [...a.to],
    object: a.stamp,
    target: a.signatories.href,
  };
}

const publicAddress = "https://www.w3.org/ns/activitystreams#Public";

/** #11: a signer boosts the call it signed, to its followers, at the call's launch (Mastodon folds boosts of one post). */
export function cosignAnnounceDocument(a: { readonly id: URL; readonly signer: URL; readonly call: string; readonly followers: URL }): JsonObject {
  return {
    "@context": [asContext] as unknown as JsonObject,
    id: a.id.href,
    type: "Announce",
    actor: a.signer.href,
    to: [publicAddress],
    cc: [a.followers.href],
    object: a.call,
  };
}

/** The Undo of that boost (its id: the boost's plus `-undo`), the boost embedded. */
export function cosignUndoAnnounceDocument(announce: JsonObject): JsonObject {
  const { "@context": _c, ...inner } = announce;
  return {
    "@context": [asContext] as unknown as JsonObject,
    id: `${announce.id as string}-undo`,
    type: "Undo",
    actor: announce.actor,
    to: announce.to,
    cc: announce.cc,
    object: inner,
  };
}

/** `formerType` as a vocabulary term: "CosignAuthorization" expands to Relais's IRI. */
const formerType = { formerType: { "@id": "as:formerType", "@type": "@vocab" } };

/**
 * #9: the signer revokes its stamp. The stamp is named as a Tombstone (Fedify 2.3 would refuse the
 * activity with an embedded `CosignAuthorization`) whose `formerType`, `interactingObject` and
 * `interactionTarget` say what it was; receivers confirm it at the stamp's origin (410).
 */
export function cosignRevokeDocument(d: {
  readonly id: URL;
  readonly signer: URL;
  readonly stamp: URL;
  readonly call: string;
  readonly initiator: string;
  readonly followers: URL;
  readonly revokedAt: Temporal.Instant;
}): JsonObject {
  return {
    "@context": [asContext, relaisContext, formerType] as unknown as JsonObject,
    id: d.id.href,
    type: "Delete",
    actor: d.signer.href,
    to: [d.initiator],
    cc: [d.followers.href],
    object: {
      id: d.stamp.href,
      type: "Tombstone",
      formerType: "CosignAuthorization",
      interactingObject: d.call,
      interactionTarget: d.signer.href,
      deleted: d.revokedAt.toString(),
    },
  };
}
