import { KeyObject } from "node:crypto";
import type { Context, Federation } from "@fedify/fedify";
import { signRequest } from "@fedify/fedify";
import { isActor, Object as AsObject } from "@fedify/vocab";
import { validatePublicUrl } from "@fedify/vocab-runtime";
import type { Request as ExpressRequest } from "express";
import type { RemoteActorInfo } from "../modules/remote-actor/remote-actor.types.ts";
import { createProof, ed25519PublicKeyFromMultibase, verifyProof } from "../shared/eddsa-jcs-2022.ts";
import { remoteActorInfo } from "./mappers/collective.mapper.ts";
import type { JsonObject } from "./mappers/event.mapper.ts";

/**
 * Signed documents of co-signed calls (FEDERATION.md "Co-signed calls"): FEP-8b32 `eddsa-jcs-2022`
 * proofs made with a collective's Ed25519 key (the one its actor lists in `assertionMethod`, FEP-521a)
 * and checked against the key a remote actor lists; GETs signed by a collective (embargoed documents
 * are served only to the collectives concerned) and the signer of such a GET on our side.
 *
 * Proofs are made with src/shared/eddsa-jcs-2022.ts, not Fedify's `signObject`, which takes vocabulary
 * objects only (ours are plain JSON). A proof is made when the document is served, with `created` set
 * to the document's own date: Ed25519 is deterministic, so the same document always carries the same
 * proof (while the key stays the same).
 */

const as2Accept = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/** Signs `document` with the Ed25519 key of a local actor. */
export async function signWithActorKey(ctx: Context<void>, identifier: string, document: JsonObject, created: Temporal.Instant): Promise<JsonObject> {
  const pairs = await ctx.getActorKeyPairs(identifier);
  const ed = pairs.find((p) => p.privateKey.algorithm.name === "Ed25519");
  if (!ed) throw new Error(`the actor ${identifier} has no Ed25519 key to make a proof with`);
  const createdText = created.round({ smallestUnit: "second", roundingMode: "floor" }).toString();
  return createProof(document, KeyObject.from(ed.privateKey), { verificationMethod: ed.multikey.id!.href, created: createdText }) as JsonObject;
}

export type Fetched = { ok: true; status: number; json: JsonObject } | { ok: false; status?: number | undefined; reason: string };

/**
 * A GET signed by a local actor (draft-cavage, as Fedify signs its own fetches), without following
 * redirects: a document must come from the URL that names it. Network failures and bad bodies are values.
 */
export async function signedGet(ctx: Context<void>, identifier: string, url: URL, opts: { allowPrivateAddresses: boolean; signal?: AbortSignal }): Promise<Fetched> {
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: `${url.href} is not an http(s) URL` };
  try {
    if (!opts.allowPrivateAddresses) await validatePublicUrl(url.href);
    const pairs = await ctx.getActorKeyPairs(identifier);
    const rsa = pairs.find((p) => p.privateKey.algorithm.name === "RSASSA-PKCS1-v1_5");
    const request = new Request(url, { headers: { accept: as2Accept } });
    const signed = rsa ? await signRequest(request, rsa.privateKey, rsa.keyId) : request;
    // 10 s at most, less when the caller gives up first (a worker stopping).
    const signal = opts.signal ? AbortSignal.any([AbortSignal.timeout(10_000), opts.signal]) : AbortSignal.timeout(10_000);
    const response = await fetch(signed, { redirect: "manual", signal });
    if (response.status !== 200) {
      await response.body?.cancel();
      return { ok: false, status: response.status, reason: `${url.href} answered ${response.status}` };
    }
    const json = (await response.json()) as unknown;
    if (typeof json !== "object" || json === null || Array.isArray(json)) return { ok: false, status: 200, reason: `${url.href} is not a JSON object` };
    return { ok: true, status: 200, json: json as JsonObject };
  } catch (error) {
    return { ok: false, reason: `${url.href} could not be read: ${(error as Error).message}` };
  }
}

/** A remote actor read from its own origin: what we keep of it, and its Ed25519 keys by id. */
export interface FetchedActor {
  readonly info: RemoteActorInfo;
  readonly ed25519Keys: ReadonlyMap<string, KeyObject>;
}

/** Reads an actor from its origin (a GET signed by `identifier`), with the Ed25519 keys it lists as its own. */
export async function fetchActor(ctx: Context<void>, identifier: string, actor: URL, opts: { allowPrivateAddresses: boolean }): Promise<{ ok: true; actor: FetchedActor } | { ok: false; reason: string }> {
  const fetched = await signedGet(ctx, identifier, actor, opts);
  if (!fetched.ok) return fetched;
  if (fetched.json.id !== actor.href) return { ok: false, reason: `${actor.href} answered with another actor` };
  let info: RemoteActorInfo | undefined;
  try {
    const object = await AsObject.fromJsonLd(fetched.json, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
    info = isActor(object) ? remoteActorInfo(object) : undefined;
  } catch (error) {
    return { ok: false, reason: `${actor.href} is not a readable actor: ${(error as Error).message}` };
  }
  if (!info) return { ok: false, reason: `${actor.href} is not an actor with an inbox` };
  const keys = new Map<string, KeyObject>();
  const methods = fetched.json.assertionMethod;
  for (const m of Array.isArray(methods) ? methods : methods === undefined ? [] : [methods]) {
    if (typeof m !== "object" || m === null) continue;
    const k = m as JsonObject;
    // Only keys of this very actor, described in its own document.
    if (typeof k.id !== "string" || !k.id.startsWith(`${actor.href}#`) || k.controller !== actor.href || typeof k.publicKeyMultibase !== "string") continue;
    try {
      keys.set(k.id, ed25519PublicKeyFromMultibase(k.publicKeyMultibase));
    } catch {
      // an RSA Multikey, or not a key: not for proofs
    }
  }
  return { ok: true, actor: { info, ed25519Keys: keys } };
}

/** Checks a document's `eddsa-jcs-2022` proof with a key `actor` lists as its own (design §8, step 4). */
export function checkActorProof(document: JsonObject, actor: FetchedActor): { ok: true } | { ok: false; reason: string } {
  const proof = document.proof;
  const method = typeof proof === "object" && proof !== null && !Array.isArray(proof) ? (proof as JsonObject).verificationMethod : undefined;
  if (typeof method !== "string") return { ok: false, reason: "it carries no single proof" };
  const key = actor.ed25519Keys.get(method);
  if (!key) return { ok: false, reason: `its proof's key ${method} is not an Ed25519 key of ${actor.info.apId.href}` };
  const checked = verifyProof(document, key);
  return checked.ok ? { ok: true } : { ok: false, reason: `its proof does not verify: ${checked.reason}` };
}

/**
 * Who signed a GET we serve (the owner of the key of a valid HTTP signature, checked by Fedify, key and
 * owner on one origin), or null for an unsigned or badly signed request. For documents served only to
 * some actors before a call is public.
 */
export function signedRequestOwner(federation: Federation<void>, origin: URL): (req: ExpressRequest) => Promise<URL | null> {
  return async (req) => {
    if (!req.get("signature") && !req.get("signature-input")) return null;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) headers.set(name, value.join(", "));
    }
    headers.set("host", origin.host);
    const request = new Request(new URL(req.originalUrl, origin), { method: req.method, headers });
    try {
      const owner = await federation.createContext(request, undefined).getSignedKeyOwner();
      return owner?.id ?? null;
    } catch {
      return null;
    }
  };
}
