// How the Mastodon-shaped peer (mastodon-peer.ts) takes a POST to its inboxes: the draft-cavage
// signature checked as Mastodon checks it (with its key cache and one refetch when a kept key fails),
// a forwarded activity taken when its Linked Data signature is its actor's, and a record of it all.
import type { IncomingMessage } from "node:http";
import { idOf, type JsonFetchResult, type JsonObject, type SignatureProblem, type VerifyResult, verifyMastodonDelivery } from "./http-signatures.ts";
import { parseJsonObject, readBody } from "./peer-http.ts";

/** One POST to the peer's inboxes, valid or not. */
export interface ReceivedDelivery {
  activity: JsonObject | null;
  path: string;
  scheme: "draft-cavage" | "rfc9421" | "none";
  signatureValid: boolean;
  signatureProblem?: SignatureProblem;
  signatureDetail?: string;
  keyId?: string;
  /** Owner of the key the signature verified with (also set on `actor-mismatch`). */
  signer?: string;
  headers: Record<string, string>;
  body: string;
  /** The status the peer answered. */
  status: number;
  /** Set when the delivery was forwarded: the signer of the request, whose actor is not the activity's. */
  forwardedBy?: string;
}

export interface MastodonInbox {
  /** Fetches a key document (signed, as the peer fetches). */
  readonly fetchDocument: (url: URL) => Promise<JsonFetchResult>;
  /** Key documents kept between deliveries, when the peer caches keys. */
  readonly keyCache: Map<string, JsonFetchResult> | undefined;
  /** Records each key document fetched (cache misses and refetches). */
  readonly keyFetches: string[];
  readonly verifyForwarded: ((activity: JsonObject) => Promise<boolean>) | undefined;
}

/** Reads and checks one delivery; its status is 202 when the signature holds, else 401. */
export async function receiveMastodonDelivery(inbox: MastodonInbox, req: IncomingMessage, url: URL, headers: Record<string, string>): Promise<ReceivedDelivery> {
  const raw = await readBody(req);
  const body = raw.toString("utf8");
  const activity = parseJsonObject(body);
  const fetchKey = async (keyUrl: URL): Promise<JsonFetchResult> => {
    const cached = inbox.keyCache?.get(keyUrl.href);
    if (cached?.ok) return cached;
    inbox.keyFetches.push(keyUrl.href);
    const fetched = await inbox.fetchDocument(keyUrl);
    inbox.keyCache?.set(keyUrl.href, fetched);
    return fetched;
  };
  const verifyOnce = () =>
    verifyMastodonDelivery(
      { method: req.method ?? "POST", target: url.pathname + url.search, headers: new Headers(headers), body: raw },
      idOf(activity?.actor),
      { fetchJson: fetchKey },
    );
  let result: VerifyResult = await verifyOnce();
  if (!result.ok && result.problem === "bad-signature" && result.keyId && inbox.keyCache?.has(result.keyId)) {
    // Mastodon refreshes the key of a signature that does not verify, once, and tries again.
    inbox.keyCache.delete(result.keyId);
    result = await verifyOnce();
  }
  let forwardedBy: string | undefined;
  if (!result.ok && result.problem === "actor-mismatch" && activity && inbox.verifyForwarded && (await inbox.verifyForwarded(activity))) {
    forwardedBy = result.signer;
    result = { ok: true, keyId: result.keyId ?? "", signer: forwardedBy ?? "" };
  }
  const scheme = headers["signature-input"] !== undefined ? "rfc9421" : headers.signature !== undefined ? "draft-cavage" : "none";
  const delivery: ReceivedDelivery = { activity, path: url.pathname, scheme, signatureValid: result.ok, headers, body, status: result.ok ? 202 : 401 };
  if (result.keyId !== undefined) delivery.keyId = result.keyId;
  if (result.signer !== undefined) delivery.signer = result.signer;
  if (forwardedBy !== undefined) delivery.forwardedBy = forwardedBy;
  if (!result.ok) {
    delivery.signatureProblem = result.problem;
    delivery.signatureDetail = result.detail;
  }
  return delivery;
}
