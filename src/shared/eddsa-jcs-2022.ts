import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

/**
 * FEP-8b32 object integrity proofs with the `eddsa-jcs-2022` cryptosuite (W3C vc-di-eddsa §3.3):
 * JCS (RFC 8785) of the proof options and of the document without its proof, each hashed with
 * SHA-256, the two hashes (options first) signed with Ed25519, the signature as base58btc multibase.
 * Pure node:crypto, so that stamps and versions are signed and checked without Fedify (whose
 * signObject/verifyObject take vocabulary objects only). Checked against the W3C test vectors.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** RFC 8785: object keys sorted by UTF-16 code units, ECMAScript serialization of strings and numbers. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("JCS: numbers must be finite");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

export function base58btcEncode(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let out = "";
  while (n > 0n) {
    out = alphabet[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

export function base58btcDecode(text: string): Uint8Array {
  let n = 0n;
  for (const c of text) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new TypeError(`not base58btc: ${JSON.stringify(c)}`);
    n = n * 58n + BigInt(i);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n % 256n));
    n /= 256n;
  }
  for (const c of text) {
    if (c !== "1") break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

/** A Multikey (FEP-521a) `publicKeyMultibase` of an Ed25519 key: "z" + base58btc(0xed 0x01 ‖ key). */
export function ed25519PublicKeyFromMultibase(multibase: string): KeyObject {
  if (!multibase.startsWith("z")) throw new TypeError("publicKeyMultibase must be base58btc (z…)");
  const bytes = base58btcDecode(multibase.slice(1));
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) throw new TypeError("not an Ed25519 public Multikey");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(bytes.slice(2)).toString("base64url") }, format: "jwk" });
}

/** The secret counterpart ("z" + base58btc(0x80 0x26 ‖ seed)), as the test vectors give it. */
export function ed25519PrivateKeyFromMultibase(secret: string, publicMultibase: string): KeyObject {
  const bytes = base58btcDecode(secret.slice(1));
  if (!secret.startsWith("z") || bytes.length !== 34 || bytes[0] !== 0x80 || bytes[1] !== 0x26) throw new TypeError("not an Ed25519 secret Multikey");
  const pub = base58btcDecode(publicMultibase.slice(1)).slice(2);
  return createPrivateKey({
    key: { kty: "OKP", crv: "Ed25519", d: Buffer.from(bytes.slice(2)).toString("base64url"), x: Buffer.from(pub).toString("base64url") },
    format: "jwk",
  });
}

/** The proof options, as `createProof` takes them (`@context` is the document's, when it has one). */
export interface ProofOptions {
  readonly verificationMethod: string;
  readonly created: string;
  readonly proofPurpose?: string;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

function hashData(document: Record<string, unknown>, proofConfig: Record<string, unknown>): Buffer {
  return Buffer.concat([sha256(canonicalJson(proofConfig)), sha256(canonicalJson(document))]);
}

/** Adds an `eddsa-jcs-2022` proof to a document (a copy: the document is not changed). */
export function createProof<T extends Record<string, unknown>>(document: T, key: KeyObject, options: ProofOptions): T & { proof: Record<string, Json> } {
  const { proof: _existing, ...unsecured } = document as Record<string, unknown>;
  const proofConfig: Record<string, unknown> = {
    type: "DataIntegrityProof",
    cryptosuite: "eddsa-jcs-2022",
    created: options.created,
    verificationMethod: options.verificationMethod,
    proofPurpose: options.proofPurpose ?? "assertionMethod",
    ...(unsecured["@context"] !== undefined ? { "@context": unsecured["@context"] } : {}),
  };
  const signature = sign(null, hashData(unsecured, proofConfig), key);
  return { ...(document as T), proof: { ...(proofConfig as Record<string, Json>), proofValue: `z${base58btcEncode(signature)}` } };
}

/** Why a proof does not verify, or that it does. */
export type ProofCheck = { ok: true; verificationMethod: string } | { ok: false; reason: string };

/**
 * Checks a document's `eddsa-jcs-2022` proof with `key` (the key of its `verificationMethod`, which the
 * caller resolves and checks belongs to the right actor). The proof's `@context`, when present, must
 * be the document's.
 */
export function verifyProof(document: Record<string, unknown>, key: KeyObject, opts: { proofPurpose?: string } = {}): ProofCheck {
  const { proof, ...unsecured } = document;
  if (!proof || typeof proof !== "object" || Array.isArray(proof)) return { ok: false, reason: "no single proof" };
  const { proofValue, ...proofConfig } = proof as Record<string, unknown>;
  if (proofConfig.type !== "DataIntegrityProof" || proofConfig.cryptosuite !== "eddsa-jcs-2022") return { ok: false, reason: "not an eddsa-jcs-2022 DataIntegrityProof" };
  if (proofConfig.proofPurpose !== (opts.proofPurpose ?? "assertionMethod")) return { ok: false, reason: `proofPurpose is not ${opts.proofPurpose ?? "assertionMethod"}` };
  if (typeof proofConfig.verificationMethod !== "string") return { ok: false, reason: "no verificationMethod" };
  if (proofConfig["@context"] !== undefined && canonicalJson(proofConfig["@context"]) !== canonicalJson(unsecured["@context"])) {
    return { ok: false, reason: "the proof's @context is not the document's" };
  }
  if (typeof proofValue !== "string" || !proofValue.startsWith("z")) return { ok: false, reason: "proofValue is not base58btc" };
  let signature: Uint8Array;
  try {
    signature = base58btcDecode(proofValue.slice(1));
  } catch {
    return { ok: false, reason: "proofValue is not base58btc" };
  }
  if (signature.length !== 64) return { ok: false, reason: "the signature is not 64 bytes" };
  const valid = verify(null, hashData(unsecured, proofConfig), key, signature);
  return valid ? { ok: true, verificationMethod: proofConfig.verificationMethod } : { ok: false, reason: "the signature does not match" };
}
