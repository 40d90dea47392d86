import { webcrypto } from "node:crypto";

export interface GeneratedKey {
  readonly algorithm: "RSASSA-PKCS1-v1_5" | "Ed25519";
  readonly publicJwk: JsonWebKey;
  readonly privateJwk: JsonWebKey;
}

/**
 * RSA-2048 (draft-cavage HTTP signatures, what Mastodon verifies) and Ed25519 (object integrity
 * proofs, FEP-8b32) key pairs for a new local actor.
 */
export async function generateActorKeys(): Promise<GeneratedKey[]> {
  const rsa = await webcrypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  );
  const ed = (await webcrypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const out: GeneratedKey[] = [];
  for (const [algorithm, pair] of [
    ["RSASSA-PKCS1-v1_5", rsa],
    ["Ed25519", ed],
  ] as const) {
    out.push({
      algorithm,
      publicJwk: (await webcrypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey,
      privateJwk: (await webcrypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey,
    });
  }
  return out;
}
