import { readFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  base58btcDecode,
  base58btcEncode,
  canonicalJson,
  createProof,
  ed25519PrivateKeyFromMultibase,
  ed25519PublicKeyFromMultibase,
  verifyProof,
} from "./eddsa-jcs-2022.ts";

// The W3C vc-di-eddsa test vectors (tests/fixtures/vc-di-eddsa/README.md says where from).
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../tests/fixtures/vc-di-eddsa/${name}`, import.meta.url), "utf8"));
const keyPair = fixture("keyPair.json") as { publicKeyMultibase: string; privateKeyMultibase: string };
const signed = fixture("signedJCS.json") as Record<string, unknown> & { proof: Record<string, unknown> };

describe("eddsa-jcs-2022", () => {
  const publicKey = ed25519PublicKeyFromMultibase(keyPair.publicKeyMultibase);
  const privateKey = ed25519PrivateKeyFromMultibase(keyPair.privateKeyMultibase, keyPair.publicKeyMultibase);

  it("verifies the W3C test vector", () => {
    expect(verifyProof(signed, publicKey)).toEqual({ ok: true, verificationMethod: signed.proof.verificationMethod });
  });

  it("makes exactly the W3C test vector's proof (Ed25519 is deterministic)", () => {
    const { proof, ...unsecured } = signed;
    const made = createProof(unsecured, privateKey, { verificationMethod: String(proof.verificationMethod), created: String(proof.created) });
    expect(made.proof.proofValue).toBe(proof.proofValue);
    expect(canonicalJson(made)).toBe(canonicalJson(signed));
  });

  it("refuses a changed document, another key, a changed context or purpose", () => {
    expect(verifyProof({ ...signed, name: "Forged Credential" }, publicKey)).toMatchObject({ ok: false, reason: "the signature does not match" });
    const other = generateKeyPairSync("ed25519").publicKey;
    expect(verifyProof(signed, other).ok).toBe(false);
    expect(verifyProof({ ...signed, proof: { ...signed.proof, "@context": ["https://example.org"] } }, publicKey).ok).toBe(false);
    expect(verifyProof({ ...signed, proof: { ...signed.proof, proofPurpose: "authentication" } }, publicKey).ok).toBe(false);
    expect(verifyProof({ ...signed, proof: { ...signed.proof, proofValue: "zzz" } }, publicKey).ok).toBe(false);
  });

  it("canonicalises as RFC 8785 says (key order by code units, numbers and strings as ECMAScript writes them)", () => {
    expect(canonicalJson({ b: [1e21, 0.1, -0, "é\u2028"], a: { "\u00e9": 1, z: null, "\ud83d\ude00": true } })).toBe(
      '{"a":{"z":null,"é":1,"😀":true},"b":[1e+21,0.1,0,"é\u2028"]}',
    );
    const bytes = Uint8Array.from([0, 0, 1, 2, 255]);
    expect(base58btcDecode(base58btcEncode(bytes))).toEqual(bytes);
  });
});
