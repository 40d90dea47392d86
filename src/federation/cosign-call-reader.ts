import type { Context } from "@fedify/fedify";
import type { SignableVersion } from "../modules/cosign/call-digest.ts";
import type { CallToJoin } from "../modules/cosign/join-requests.service.ts";
import type { RemoteActorInfo } from "../modules/remote-actor/remote-actor.types.ts";
import type { Urls } from "../shared/urls.ts";
import { sanitizedHtmlMap } from "./mappers/as2-text.ts";
import { hasType, signableFromVersionDocument } from "./mappers/cosign.mapper.ts";
import { idOf } from "./mappers/json-values.ts";
import type { JsonObject } from "./mappers/event.mapper.ts";
import { checkActorProof, fetchActor, signedGet } from "./object-proofs.ts";

const sameOrigin = (a: string | undefined, b: URL) => a !== undefined && URL.canParse(a) && new URL(a).origin === b.origin;

export type VersionRead =
  | { ok: true; signable: SignableVersion; authoritativeLanguages: string[]; document: JsonObject; initiator: RemoteActorInfo }
  | { ok: false; reason: string };

/**
 * One version of another server's call, read with a GET signed by our collective `identifier` and
 * checked as an invitation's is (FEDERATION.md #1): a `CallVersion` of the initiator's own call, with a
 * valid proof by a key the initiator lists, whose HTML our sanitizer leaves unchanged (what editors see
 * is what they sign).
 */
export async function readCallVersion(ctx: Context<void>, identifier: string, versionUrl: URL, initiatorUrl: URL, opts: { allowPrivateAddresses: boolean }): Promise<VersionRead> {
  if (versionUrl.origin !== initiatorUrl.origin) return { ok: false, reason: "the version is not on the initiator's origin" };
  const fetched = await signedGet(ctx, identifier, versionUrl, opts);
  if (!fetched.ok) return { ok: false, reason: `its version could not be read (${fetched.reason})` };
  const parsed = signableFromVersionDocument(fetched.json);
  if (idOf(fetched.json) !== versionUrl.href || !parsed) return { ok: false, reason: "its version is not a CallVersion" };
  if (parsed.signable.initiator !== initiatorUrl.href || !sameOrigin(parsed.signable.call, initiatorUrl)) {
    return { ok: false, reason: "the version is not the initiating collective's own call" };
  }
  const initiator = await fetchActor(ctx, identifier, initiatorUrl, opts);
  if (!initiator.ok) return { ok: false, reason: `the initiator could not be read (${initiator.reason})` };
  const proof = checkActorProof(fetched.json, initiator.actor);
  if (!proof.ok) return { ok: false, reason: `the version's ${proof.reason}` };
  const content = parsed.signable.content;
  const clean = sanitizedHtmlMap(content) ?? {};
  if (Object.keys(content).some((l) => clean[l] !== content[l])) return { ok: false, reason: "its HTML is not what we would show (sanitizing changes it)" };
  return { ok: true, signable: parsed.signable, authoritativeLanguages: parsed.authoritativeLanguages, document: fetched.json, initiator: initiator.actor.info };
}

export type CallToJoinReader = (identifier: string, callUrl: string) => Promise<{ ok: true; call: CallToJoin } | { ok: false; reason: string }>;

/**
 * Reads an open call of another Relais server that a collective of ours asks to sign: the Article
 * (`callStatus` Open, its own initiator's), then its current version, checked as above. Failures are
 * values naming what is wrong.
 */
export function callToJoinReader(deps: { federation: { createContext(origin: URL, data: undefined): Context<void> }; urls: Urls; allowPrivateAddresses: boolean }): CallToJoinReader {
  return async (identifier, callUrl) => {
    if (!URL.canParse(callUrl)) return { ok: false, reason: `${callUrl} is not a URL: give the call's address (https://…/calls/…)` };
    const url = new URL(callUrl);
    if (url.origin === deps.urls.origin.origin) return { ok: false, reason: "that call is on this server: invite the collective from the call instead" };
    const ctx = deps.federation.createContext(deps.urls.origin, undefined);
    const opts = { allowPrivateAddresses: deps.allowPrivateAddresses };
    const fetched = await signedGet(ctx, identifier, url, opts);
    if (!fetched.ok) return { ok: false, reason: `the call could not be read (${fetched.reason})` };
    const article = fetched.json;
    const initiator = idOf(article.attributedTo);
    if (!hasType(article, "Article") || idOf(article) !== url.href || !initiator || !sameOrigin(initiator, url)) return { ok: false, reason: `${url.href} is not a call to action of that server` };
    if (article.callStatus !== "Open") return { ok: false, reason: `the call is not open (${typeof article.callStatus === "string" ? article.callStatus : "no status"}): only an open call can be joined` };
    const versionUrl = idOf(article.currentVersion);
    const signatories = idOf(article.signatories);
    if (!versionUrl || !sameOrigin(versionUrl, url) || !signatories || !sameOrigin(signatories, url)) return { ok: false, reason: "the call names no version or no signatories on its own server: it is not a Relais call" };
    const version = await readCallVersion(ctx, identifier, new URL(versionUrl), new URL(initiator), opts);
    if (!version.ok) return version;
    if (version.signable.call !== url.href) return { ok: false, reason: "its current version belongs to another call" };
    const i = version.initiator;
    return {
      ok: true,
      call: {
        callApId: url.href,
        initiator: { apId: i.apId, inboxUrl: i.inboxUrl, sharedInboxUrl: i.sharedInboxUrl, name: i.name },
        signatoriesUrl: signatories,
        signable: version.signable,
        authoritativeLanguages: version.authoritativeLanguages,
        versionDocument: version.document,
      },
    };
  };
}
