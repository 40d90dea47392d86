// Draft-cavage HTTP signatures as Mastodon writes and checks them, implemented on node:crypto alone so
// that our federation tests do not verify Fedify with Fedify. Reference: Mastodon's app/lib/request.rb
// (signing) and app/controllers/concerns/signature_verification.rb (verification).
import { createHash, createPublicKey, generateKeyPair, type KeyObject, sign, verify } from "node:crypto";

/** An RSA key that signs requests; `keyId` is what goes into the `Signature` header. */
export interface SigningKey {
  keyId: URL;
  privateKey: KeyObject;
  publicKeyPem: string;
}

export async function generateSigningKey(keyId: URL): Promise<SigningKey> {
  const pair = await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>((resolve, reject) =>
    generateKeyPair("rsa", { modulusLength: 2048 }, (error, publicKey, privateKey) =>
      error ? reject(error) : resolve({ publicKey, privateKey }),
    ),
  );
  const publicKeyPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
  return { keyId, privateKey: pair.privateKey, publicKeyPem };
}

/** `SHA-256=<base64>`, the only Digest form Mastodon sends and requires. */
export function digestHeader(body: Uint8Array | string): string {
  return `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
}

/** RFC 7231 IMF-fixdate, as Ruby's `Time#httpdate`. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** Header names are lower-case; `(request-target)` is `<method> <path?query>`. */
export type SignedHeaderList = ReadonlyArray<readonly [name: string, value: string]>;

export function signingString(headers: SignedHeaderList): string {
  return headers.map(([name, value]) => `${name}: ${value}`).join("\n");
}

/** Builds the `Signature` header value exactly in Mastodon's parameter order. */
export function signatureHeader(key: SigningKey, headers: SignedHeaderList): string {
  const signature = sign("sha256", Buffer.from(signingString(headers)), key.privateKey).toString("base64");
  const names = headers.map(([name]) => name).join(" ");
  return `keyId="${key.keyId.href}",algorithm="rsa-sha256",headers="${names}",signature="${signature}"`;
}

export const ACTIVITY_JSON = "application/activity+json";

/** Headers of a Mastodon GET (authorized fetch): signs `(request-target) host date accept`. */
export function signedGetHeaders(key: SigningKey, url: URL, accept: string, date = new Date()): Record<string, string> {
  const dateValue = httpDate(date);
  const signature = signatureHeader(key, [
    ["(request-target)", `get ${url.pathname}${url.search}`],
    ["host", url.host],
    ["date", dateValue],
    ["accept", accept],
  ]);
  return { date: dateValue, accept, signature };
}

/** Headers of a Mastodon delivery: signs `(request-target) host date digest content-type`. */
export function signedPostHeaders(key: SigningKey | null, url: URL, body: string, date = new Date()): Record<string, string> {
  const dateValue = httpDate(date);
  const digest = digestHeader(body);
  const headers: Record<string, string> = { date: dateValue, digest, "content-type": ACTIVITY_JSON };
  if (key === null) return headers;
  headers.signature = signatureHeader(key, [
    ["(request-target)", `post ${url.pathname}${url.search}`],
    ["host", url.host],
    ["date", dateValue],
    ["digest", digest],
    ["content-type", ACTIVITY_JSON],
  ]);
  return headers;
}

export interface ParsedSignature {
  keyId: string;
  algorithm: string | undefined;
  headers: string[];
  signature: Buffer;
}

/** Parses `k="v",k="v"`; returns null when the header is not a draft-cavage signature. */
export function parseSignatureHeader(value: string): ParsedSignature | null {
  const params = new Map<string, string>();
  for (const match of value.matchAll(/\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))\s*(?:,|$)/g)) {
    params.set(match[1]!, match[2] ?? match[3] ?? "");
  }
  const keyId = params.get("keyId");
  const signature = params.get("signature");
  if (!keyId || !signature) return null;
  return {
    keyId,
    algorithm: params.get("algorithm"),
    // Mastodon: a signature without `headers` covers `date` only.
    headers: (params.get("headers") ?? "date").toLowerCase().split(/\s+/).filter(Boolean),
    signature: Buffer.from(signature, "base64"),
  };
}

export type SignatureProblem =
  | "unsigned"
  | "rfc9421-unsupported"
  | "malformed-signature"
  | "unsupported-algorithm"
  | "weak-signature"
  | "missing-signed-header"
  | "date-out-of-window"
  | "digest-mismatch"
  | "key-fetch-failed"
  | "key-not-found"
  | "key-not-listed-by-owner"
  | "bad-signature"
  | "actor-mismatch";

export type VerifyResult =
  | { ok: true; keyId: string; signer: string }
  | { ok: false; problem: SignatureProblem; detail: string; keyId?: string; signer?: string };

export interface IncomingRequest {
  method: string;
  /** Path and query as received, e.g. `/users/alice/inbox`. */
  target: string;
  headers: Headers;
  body: Uint8Array;
}

export type JsonFetchResult = { ok: true; json: unknown } | { ok: false; reason: string };

export interface VerifyOptions {
  /** Dereferences a key id or actor id (the caller decides how: Mastodon signs these GETs). */
  fetchJson: (url: URL) => Promise<JsonFetchResult>;
  now?: Date;
}

// Mastodon accepts a Date-signed request for 5 minutes, plus one hour of clock skew either way.
const SIGNATURE_LIFETIME_MS = 5 * 60_000;
const CLOCK_SKEW_MS = 60 * 60_000;

function fail(problem: SignatureProblem, detail: string, keyId?: string): VerifyResult {
  return keyId === undefined ? { ok: false, problem, detail } : { ok: false, problem, detail, keyId };
}

/** Verifies a draft-cavage signed request the way a Mastodon inbox does (minus LD signatures). */
export async function verifyDraftCavageRequest(request: IncomingRequest, options: VerifyOptions): Promise<VerifyResult> {
  const header = request.headers.get("signature");
  if (header === null) {
    return request.headers.has("signature-input")
      ? fail("rfc9421-unsupported", "RFC 9421 signatures are not accepted, only draft-cavage")
      : fail("unsigned", "no Signature header");
  }
  if (request.headers.has("signature-input")) {
    return fail("rfc9421-unsupported", "RFC 9421 signatures are not accepted, only draft-cavage");
  }
  const parsed = parseSignatureHeader(header);
  if (parsed === null) return fail("malformed-signature", `cannot parse Signature header: ${header}`);
  const { keyId } = parsed;
  if (parsed.algorithm !== undefined && !["rsa-sha256", "hs2019"].includes(parsed.algorithm.toLowerCase())) {
    return fail("unsupported-algorithm", `algorithm ${parsed.algorithm} is not supported`, keyId);
  }

  const signed = new Set(parsed.headers);
  const method = request.method.toLowerCase();
  if (!signed.has("date")) return fail("weak-signature", "the Date header must be signed", keyId);
  if (!signed.has("(request-target)") && !signed.has("digest")) {
    return fail("weak-signature", "(request-target) or Digest must be signed", keyId);
  }
  if (method === "get" && !signed.has("host")) return fail("weak-signature", "Host must be signed on GET", keyId);
  if (method === "post" && !signed.has("digest")) return fail("weak-signature", "Digest must be signed on POST", keyId);

  const lines: [string, string][] = [];
  for (const name of parsed.headers) {
    if (name === "(request-target)") {
      lines.push([name, `${method} ${request.target}`]);
      continue;
    }
    const value = request.headers.get(name);
    if (value === null) return fail("missing-signed-header", `signed header ${name} is absent`, keyId);
    lines.push([name, value]);
  }

  const date = Date.parse(request.headers.get("date")!);
  const now = (options.now ?? new Date()).getTime();
  if (Number.isNaN(date) || date > now + CLOCK_SKEW_MS || date + SIGNATURE_LIFETIME_MS < now - CLOCK_SKEW_MS) {
    return fail("date-out-of-window", `Date ${request.headers.get("date")} is not recent`, keyId);
  }

  const digest = request.headers.get("digest");
  if (digest !== null || method === "post") {
    const sha256 = (digest ?? "")
      .split(",")
      .map((part) => part.trim())
      .find((part) => part.toLowerCase().startsWith("sha-256="));
    if (sha256 === undefined || sha256.slice(8) !== digestHeader(request.body).slice(8)) {
      return fail("digest-mismatch", `Digest ${digest} does not match the body`, keyId);
    }
  }

  const key = await resolvePublicKey(keyId, options.fetchJson);
  if (!key.ok) return fail(key.problem, key.detail, keyId);
  const valid = verify("sha256", Buffer.from(signingString(lines)), key.publicKey, parsed.signature);
  if (!valid) return fail("bad-signature", `signature does not verify with ${keyId}`, keyId);
  return { ok: true, keyId, signer: key.owner };
}

/**
 * A Mastodon inbox's check: a valid signature whose key owner is the activity's actor. Mastodon
 * would accept a relayed activity with an LD signature instead; this peer does not.
 */
export async function verifyMastodonDelivery(
  request: IncomingRequest,
  activityActor: string | undefined,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const result = await verifyDraftCavageRequest(request, options);
  if (!result.ok || result.signer === activityActor) return result;
  const detail = `activity actor ${activityActor} is not the key owner ${result.signer}`;
  return { ok: false, problem: "actor-mismatch", detail, keyId: result.keyId, signer: result.signer };
}

type KeyResolution =
  | { ok: true; publicKey: KeyObject; owner: string }
  | { ok: false; problem: SignatureProblem; detail: string };

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The id of a JSON-LD reference that is either a string or an object with `id`. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return isObject(value) && typeof value.id === "string" ? value.id : undefined;
}

function asArray(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

function withoutFragment(id: string): string {
  const url = new URL(id);
  url.hash = "";
  return url.href;
}

function toPublicKey(pem: unknown): KeyObject | null {
  if (typeof pem !== "string") return null;
  // Some servers publish the PEM with spaces where the line breaks belong.
  const base64 = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
  try {
    return createPublicKey({ key: Buffer.from(base64, "base64"), format: "der", type: "spki" });
  } catch {
    return null;
  }
}

/**
 * Dereferences `keyId`. When it names a key inside an actor document, the actor is the owner. When it
 * names a standalone key document, the claimed `owner` is fetched and must list the key (the owner
 * check whose absence let anyone impersonate any actor, GHSA-q9f8).
 */
export async function resolvePublicKey(
  keyId: string,
  fetchJson: (url: URL) => Promise<JsonFetchResult>,
): Promise<KeyResolution> {
  let keyUrl: URL;
  try {
    keyUrl = new URL(keyId);
  } catch {
    return { ok: false, problem: "malformed-signature", detail: `keyId ${keyId} is not a URL` };
  }
  const fetched = await fetchJson(keyUrl);
  if (!fetched.ok) return { ok: false, problem: "key-fetch-failed", detail: fetched.reason };
  const document = fetched.json;
  if (!isObject(document)) return { ok: false, problem: "key-not-found", detail: `${keyId} is not a JSON object` };

  if (document.id === keyId) {
    const owner = idOf(document.owner ?? document.controller);
    const publicKey = toPublicKey(document.publicKeyPem);
    if (owner === undefined || publicKey === null) {
      return { ok: false, problem: "key-not-found", detail: `${keyId} has no owner or no publicKeyPem` };
    }
    const actor = await fetchJson(new URL(owner));
    if (!actor.ok) return { ok: false, problem: "key-fetch-failed", detail: `owner ${owner}: ${actor.reason}` };
    if (!isObject(actor.json) || actor.json.id !== owner) {
      return { ok: false, problem: "key-not-listed-by-owner", detail: `${owner} is not an actor document` };
    }
    const listed = [...asArray(actor.json.publicKey), ...asArray(actor.json.assertionMethod)].map(idOf);
    if (!listed.includes(keyId)) {
      return { ok: false, problem: "key-not-listed-by-owner", detail: `${owner} does not list the key ${keyId}` };
    }
    return { ok: true, publicKey, owner };
  }

  const actorId = typeof document.id === "string" ? document.id : undefined;
  if (actorId === undefined || actorId !== withoutFragment(keyId)) {
    return { ok: false, problem: "key-not-found", detail: `${keyId} resolved to a document with id ${actorId}` };
  }
  const entry = asArray(document.publicKey).find((candidate) => idOf(candidate) === keyId);
  if (!isObject(entry)) return { ok: false, problem: "key-not-found", detail: `${actorId} does not contain ${keyId}` };
  if (entry.owner !== undefined && idOf(entry.owner) !== actorId) {
    return { ok: false, problem: "key-not-listed-by-owner", detail: `${keyId} claims owner ${idOf(entry.owner)}` };
  }
  const publicKey = toPublicKey(entry.publicKeyPem);
  if (publicKey === null) return { ok: false, problem: "key-not-found", detail: `${keyId} has no usable publicKeyPem` };
  return { ok: true, publicKey, owner: actorId };
}
