import { importJwk } from "@fedify/fedify";
import type { StoredKey } from "../modules/collective/collective.service.ts";

export interface ImportedKeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/** Stored JWKs as WebCrypto keys, RSA first (Fedify signs HTTP requests with the first RSA key). */
export async function importKeyPairs(keys: readonly StoredKey[]): Promise<ImportedKeyPair[]> {
  const sorted = [...keys].sort((a, b) => (a.algorithm === b.algorithm ? 0 : a.algorithm === "RSASSA-PKCS1-v1_5" ? -1 : 1));
  return Promise.all(
    sorted.map(async (k) => ({
      privateKey: await importJwk(k.privateJwk, "private"),
      publicKey: await importJwk(k.publicJwk, "public"),
    })),
  );
}
