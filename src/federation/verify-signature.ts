import { versionDigests } from "../modules/cosign/call-digest.ts";
import { ed25519PublicKeyFromMultibase, verifyProof } from "../shared/eddsa-jcs-2022.ts";
import { signableFromVersionDocument, stampFacts } from "./mappers/cosign.mapper.ts";
import { idOf } from "./mappers/json-values.ts";
import type { JsonObject } from "./mappers/event.mapper.ts";

/** What `relais verify-signature` says (design §8): one outcome and why. */
export type VerifyOutcome = "valid-current" | "valid-older-version" | "revoked" | "forged" | "unverifiable";

export interface VerifyReport {
  readonly outcome: VerifyOutcome;
  readonly reason: string;
  readonly stamp?: string | undefined;
  readonly version?: number | undefined;
  readonly languages?: readonly string[] | undefined;
  /** Whether the initiator answered (the current version and the text were checked against it). */
  readonly initiatorReachable: boolean;
  /** Where the signed text whose digests were recomputed came from: the initiator, or the signer's archive (`signedText`). */
  readonly textFrom?: "initiator" | "signer" | undefined;
}

type Got = { status: number; json?: JsonObject };

async function get(url: string, timeoutMs: number): Promise<Got> {
  try {
    const res = await fetch(url, { headers: { accept: "application/activity+json" }, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200 && res.status !== 410) {
      await res.body?.cancel();
      return { status: res.status };
    }
    const json = (await res.json()) as unknown;
    return typeof json === "object" && json !== null && !Array.isArray(json) ? { status: res.status, json: json as JsonObject } : { status: 0 };
  } catch {
    return { status: 0 };
  }
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/**
 * Did collective `actor` sign call `call`, and which version? Trusting neither the initiator's honesty
 * nor its uptime: the signer's stamps are found in its own `endorsements` (then in the call's
 * `signatories`, an untrusted mirror), authenticated at the signer's origin (410: revoked; 404: not public,
 * unverifiable; a listed stamp hosted elsewhere: forged) and by
 * its proof with a key the signer's actor lists; when the initiator answers, the version's text is
 * fetched and its digests recomputed, and the call's current version says whether the signature is
 * current. Only HTTP, JCS and Ed25519: no database, no keys of our own.
 */
export async function verifySignature(callUrl: string, actorUrl: string, opts: { timeoutMs?: number } = {}): Promise<VerifyReport> {
  const timeout = opts.timeoutMs ?? 10_000;
  const actorOrigin = new URL(actorUrl).origin;
  const actor = await get(actorUrl, timeout);
  if (actor.status !== 200 || !actor.json || actor.json.id !== actorUrl) return { outcome: "unverifiable", reason: `the collective's actor could not be read (${actor.status || "unreachable"})`, initiatorReachable: false };
  const keys = new Map<string, ReturnType<typeof ed25519PublicKeyFromMultibase>>();
  for (const m of asList(actor.json.assertionMethod)) {
    const k = m as JsonObject;
    if (typeof k?.id !== "string" || !k.id.startsWith(`${actorUrl}#`) || k.controller !== actorUrl || typeof k.publicKeyMultibase !== "string") continue;
    try {
      keys.set(k.id, ed25519PublicKeyFromMultibase(k.publicKeyMultibase));
    } catch {
      // not an Ed25519 key
    }
  }
  if (keys.size === 0) return { outcome: "unverifiable", reason: "the collective lists no Ed25519 key", initiatorReachable: false };

  // Candidate stamps: the signer's own list first, then the initiator's (only ids on the signer's origin count).
  const candidates = new Set<string>();
  const endorsements = typeof actor.json.endorsements === "string" ? actor.json.endorsements : `${actorUrl}/endorsements`;
  const own = await get(endorsements, timeout);
  for (const item of asList(own.json?.orderedItems)) if (idOf((item as JsonObject)?.interactingObject) === callUrl) candidates.add(idOf(item) ?? "");
  const call = await get(callUrl, timeout);
  const initiatorReachable = call.status === 200 && call.json !== undefined;
  const signatoriesUrl = initiatorReachable ? idOf(call.json?.signatories) : undefined;
  if (signatoriesUrl) {
    const list = await get(signatoriesUrl, timeout);
    for (const entry of asList(list.json?.orderedItems)) {
      const e = entry as JsonObject;
      if (idOf(e?.partner) === actorUrl) candidates.add(idOf(e.authorization) ?? "");
    }
  }
  const ids = [...candidates].filter((id) => URL.canParse(id) && new URL(id).origin === actorOrigin);
  // A stamp listed for this collective but hosted elsewhere is not its stamp (design §8 step 1: only the
  // collective's origin hosts its stamps); it is never fetched, nor any key it names.
  const elsewhere = [...candidates].filter((id) => id !== "" && !ids.includes(id));
  if (ids.length === 0 && elsewhere.length > 0) {
    const where = URL.canParse(elsewhere[0] as string) ? new URL(elsewhere[0] as string).origin : "an unreadable address";
    return { outcome: "forged", reason: `the initiator lists a stamp for this collective hosted on ${where}, not on the collective's server (${actorOrigin})`, stamp: elsewhere[0], initiatorReachable };
  }
  if (ids.length === 0) return { outcome: "unverifiable", reason: "no stamp of this collective for this call was found", initiatorReachable };

  let best: VerifyReport | undefined;
  const rank: Record<VerifyOutcome, number> = { "valid-current": 5, "valid-older-version": 4, revoked: 3, forged: 2, unverifiable: 1 };
  for (const id of ids) {
    const report = await checkStamp(id, callUrl, actorUrl, keys, call.json, initiatorReachable, timeout);
    if (!best || rank[report.outcome] > rank[best.outcome]) best = report;
  }
  return best as VerifyReport;
}

async function checkStamp(
  id: string,
  callUrl: string,
  actorUrl: string,
  keys: Map<string, ReturnType<typeof ed25519PublicKeyFromMultibase>>,
  article: JsonObject | undefined,
  initiatorReachable: boolean,
  timeout: number,
): Promise<VerifyReport> {
  const stamp = await get(id, timeout);
  if (stamp.status === 410) return { outcome: "revoked", reason: "the collective's server answers 410 for its stamp", stamp: id, initiatorReachable };
  // 404 is not a revocation: a stamp is served only once its server heard of the launch (until then only
  // to the initiator), and a revoked one answers 410 for ever.
  if (stamp.status === 404) {
    return { outcome: "unverifiable", reason: "the collective's server answers 404 for its stamp: not public (yet), so it can neither be confirmed nor read as revoked (only 410 revokes)", stamp: id, initiatorReachable };
  }
  if (stamp.status !== 200 || !stamp.json) return { outcome: "unverifiable", reason: "the stamp could not be read from the collective's server", stamp: id, initiatorReachable };
  const facts = stampFacts(stamp.json);
  if (!facts || facts.id !== id || facts.signer !== actorUrl || facts.call !== callUrl) return { outcome: "forged", reason: "the stamp is not this collective's stamp for this call", stamp: id, initiatorReachable };
  const method = (stamp.json.proof as JsonObject | undefined)?.verificationMethod;
  const key = typeof method === "string" ? keys.get(method) : undefined;
  if (!key) return { outcome: "forged", reason: "the stamp's proof is not made with a key the collective lists", stamp: id, initiatorReachable };
  const proof = verifyProof(stamp.json, key);
  if (!proof.ok) return { outcome: "forged", reason: `the stamp's proof does not verify: ${proof.reason}`, stamp: id, initiatorReachable };
  const base = { stamp: id, version: facts.version, languages: facts.digests.map((d) => d.language), initiatorReachable };
  if (!initiatorReachable || !article) {
    // The initiator is down: the text comes from the signer's archive (its `signedText`, on its own origin).
    const archived = await signedTextOf(stamp.json, id, callUrl, facts.version, timeout);
    if (!archived) return { outcome: "valid-current", reason: `signed version ${facts.version}; the initiator does not answer and the signer serves no copy of the text, so neither the text nor the current version was checked`, ...base };
    if (facts.digests.some((d) => archived.get(d.language) !== d.digest)) return { outcome: "forged", reason: `the signer's archived text of version ${facts.version} is not what its stamp signed`, ...base, textFrom: "signer" };
    return { outcome: "valid-current", reason: `signed version ${facts.version}, whose text was read from the signer's archive (signedText); the initiator does not answer, so the current version was not checked`, ...base, textFrom: "signer" };
  }
  // The text of the signed version, from the initiator, its digests recomputed.
  const version = await get(`${callUrl}/versions/${facts.version}`, timeout);
  const parsed = version.json ? signableFromVersionDocument(version.json) : undefined;
  if (!parsed || parsed.signable.call !== callUrl) return { outcome: "valid-current", reason: `signed version ${facts.version}; its text could not be read from the initiator`, ...base };
  const recomputed = new Map(versionDigests(parsed.signable).map((d) => [d.language, d.digest]));
  if (facts.digests.some((d) => recomputed.get(d.language) !== d.digest)) return { outcome: "forged", reason: `the initiator's text of version ${facts.version} is not what was signed`, ...base, textFrom: "initiator" };
  const current = typeof article.version === "number" ? article.version : facts.version;
  if (current === facts.version) return { outcome: "valid-current", reason: `signed the current version (${current})`, ...base };
  const now = await get(`${callUrl}/versions/${current}`, timeout);
  const latest = now.json ? signableFromVersionDocument(now.json) : undefined;
  const digestsNow = latest ? new Map(versionDigests(latest.signable).map((d) => [d.language, d.digest])) : undefined;
  if (digestsNow && facts.digests.every((d) => digestsNow.get(d.language) === d.digest)) {
    return { outcome: "valid-current", reason: `signed version ${facts.version}; what it covers is unchanged in the current version (${current})`, ...base };
  }
  return { outcome: "valid-older-version", reason: `signed version ${facts.version}; the call is at version ${current}`, ...base };
}

/** The digests of the signer's archived copy of the signed version (its stamp's `signedText`, on the stamp's origin); undefined when none is served. */
async function signedTextOf(stamp: JsonObject, stampId: string, callUrl: string, version: number, timeout: number): Promise<Map<string, string> | undefined> {
  const url = idOf(stamp.signedText);
  if (!url || !URL.canParse(url) || new URL(url).origin !== new URL(stampId).origin) return undefined;
  const got = await get(url, timeout);
  const parsed = got.status === 200 && got.json ? signableFromVersionDocument(got.json) : undefined;
  if (!parsed || parsed.signable.call !== callUrl || parsed.signable.version !== version) return undefined;
  return new Map(versionDigests(parsed.signable).map((d) => [d.language, d.digest]));
}
