// Co-signed calls between two Relais instances over real HTTP with real signatures (issue 9; FEDERATION.md
// "Co-signed calls"): the initiator invites a partner collective on another instance; the partner's editors
// read the exact text per language through the API and sign (a stamp on their server with an Ed25519
// proof) or decline, or let the invitation expire; the initiator lists a signature only once it fetched
// the stamp from the signer's origin and checked its proof and digests. Before launch, nothing of the call
// is served to anyone but the invited collectives (404).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { versionDigests } from "../../src/modules/cosign/call-digest.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { signedGet } from "../../src/federation/object-proofs.ts";
import { ed25519PublicKeyFromMultibase, verifyProof } from "../../src/shared/eddsa-jcs-2022.ts";
import { createEditor } from "../support/editor.ts";
import { captureLogs, type LogCapture } from "../support/log-capture.ts";
import { startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const marker = "zq-cosign-marker";

describe("co-signing a call across instances", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let tokenB: string;
  let callId: string;
  let logs: LogCapture;

  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });
  const apiB = async (path: string, init: { method?: string; json?: unknown; token?: string } = {}) => {
    const headers = new Headers({ authorization: `Bearer ${init.token ?? tokenB}` });
    if (init.json !== undefined) headers.set("content-type", "application/json");
    const res = await fetch(b.url(path), { method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
    return { status: res.status, body: (await res.json().catch(() => null)) as Json };
  };
  /** A GET signed by a collective of `from`. */
  const signedBy = (from: RelaisInstance, slug: string, url: string) =>
    signedGet(from.runtime.federation.createContext(from.origin, undefined), slug, new URL(url), { allowPrivateAddresses: true });
  const received = async (slug: string) => (await apiB(`/api/v1/collectives/${slug}/invitations`)).body.items as Json[];

  beforeAll(async () => {
    // The inboxes' decisions, each with the activity's id at debug level: to count what was delivered.
    logs = await captureLogs("debug");
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Gent Solidair" }, primaryLanguage: "nl" });
    editorA = (await createEditor(a.runtime, "cdc", `${marker}-a@example.org`)).principal;
    tokenB = (await createEditor(b.runtime, "koeln", `${marker}-b@example.org`)).token;
    await b.runtime.users.addMember("gent", `${marker}-b@example.org`, "editor");
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      pitch: { fr: "Les CAF notent nos vies." },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
      deadline: "2030-03-01",
    });
    callId = call.id;
    await a.runtime.calls.consult(editorA, callId);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await logs?.close();
  });

  it("shows nothing of a call in consultation to anyone not invited", async () => {
    for (const path of [`/calls/${callId}`, `/calls/${callId}/versions/1`, `/calls/${callId}/signatories`, `/calls/${callId}/signatories/pending`]) {
      expect((await as2(a.url(path).href)).status).toBe(404);
      const signed = await signedBy(b, "koeln", a.url(path).href);
      expect(signed.ok ? 200 : signed.status).toBe(404);
    }
  });

  it("invites, shows the exact text per language, signs with a verified stamp, and lists it", async () => {
    const found = await a.runtime.cosignPartners(`@koeln@${b.origin.host}`);
    if (!found.ok) throw new Error(found.reason);
    const invitation = await a.runtime.cosign.invite(editorA, callId, found.partner);
    expect(invitation).toMatchObject({ state: "invited", version: 1, purpose: "sign" });
    // Inviting again changes nothing (same invitation, nothing sent twice).
    expect((await a.runtime.cosign.invite(editorA, callId, found.partner)).id).toBe(invitation.id);

    const [inv] = await until("the invitation at koeln", async () => {
      const items = await received("koeln");
      return items.length > 0 ? items : undefined;
    });
    expect(inv).toMatchObject({ state: "pending", version: 1, call: a.url(`/calls/${callId}`).href, initiator: a.url("/@cdc").href, languages: ["fr", "de"], authoritativeLanguages: ["fr"] });
    const texts = inv?.texts as Record<string, Json>;
    expect(texts.de).toEqual({
      title: "Schluss mit der Algorithmen-Kontrolle",
      pitch: "",
      bodyHtml: (await a.runtime.calls.version(callId, 1))?.body.de,
      demands: ["Abschaffung des Risiko-Scores"],
    });
    expect(texts.fr?.pitch).toBe("Les CAF notent nos vies.");
    // The partner's digests are the initiator's, recomputed independently on each side.
    const signable = await a.runtime.cosign.signableVersion(callId, 1);
    expect(inv?.digests).toEqual(Object.fromEntries(versionDigests(signable!).map((d) => [d.language, d.digest])));
    // Invited, koeln may read the call and its version (signed GET); gent, on the same server, may not.
    expect((await signedBy(b, "koeln", a.url(`/calls/${callId}`).href)).ok).toBe(true);
    const gent = await signedBy(b, "gent", a.url(`/calls/${callId}/versions/1`).href);
    expect(gent.ok ? 200 : gent.status).toBe(404);

    // Another collective's editor may not sign for koeln; a language the text lacks is refused.
    const other = (await createEditor(b.runtime, "gent", "stranger@example.org")).token;
    expect((await apiB(`/api/v1/collectives/koeln/invitations/${inv?.id}/sign`, { method: "POST", token: other })).status).toBe(403);
    const bad = await apiB(`/api/v1/collectives/koeln/invitations/${inv?.id}/sign`, { method: "POST", json: { languages: ["nl"] } });
    expect(bad.status).toBe(422);
    const noAuthority = await apiB(`/api/v1/collectives/koeln/invitations/${inv?.id}/sign`, { method: "POST", json: { languages: ["de"] } });
    expect(noAuthority.status).toBe(422);

    const signed = await apiB(`/api/v1/collectives/koeln/invitations/${inv?.id}/sign`, { method: "POST", json: { languages: ["fr", "de"] } });
    expect(signed.status).toBe(200);
    expect(signed.body.state).toBe("signed");
    const stampUrl = (signed.body.stamp as Json).url as string;
    expect(new URL(stampUrl).origin).toBe(b.origin.origin);

    const [signature] = await until("koeln listed at cdc", async () => {
      const s = await a.runtime.cosign.signatories(callId);
      return s.length > 0 ? s : undefined;
    });
    expect(signature).toMatchObject({ signer: { apId: b.url("/@koeln").href }, stampId: stampUrl, version: 1, languages: ["fr", "de"], state: "current" });
    expect((await a.runtime.cosign.invitations(editorA, callId)).invitations[0]?.state).toBe("signed");
    // koeln's server received exactly one CosignRequest (design §13 #1), though cdc invited twice.
    const requestId = a.runtime.urls.callInvitation(callId, invitation.id).href;
    const delivered = logs.lines.filter((l) => l.category === "relais.inbox.cosign" && l.record.properties.id === requestId);
    expect(delivered.map((l) => [l.record.properties.type, l.record.properties.outcome])).toEqual([["CosignRequest", expect.stringMatching(/^stored/)]]);

    // The stamp: served only to the initiator before launch, with koeln's Ed25519 proof.
    expect((await as2(stampUrl)).status).toBe(404);
    const stamp = await signedBy(a, "cdc", stampUrl);
    if (!stamp.ok) throw new Error(stamp.reason);
    expect(stamp.json).toMatchObject({
      id: stampUrl,
      type: "CosignAuthorization",
      attributedTo: b.url("/@koeln").href,
      interactionTarget: b.url("/@koeln").href,
      interactingObject: a.url(`/calls/${callId}`).href,
      version: 1,
      target: { id: a.url(`/calls/${callId}/signatories`).href, attributedTo: a.url("/@cdc").href },
      proof: { type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022", proofPurpose: "assertionMethod" },
    });
    const actor = (await (await as2(b.url("/@koeln").href)).json()) as Json;
    const method = (stamp.json.proof as Json).verificationMethod as string;
    const key = (actor.assertionMethod as Json[]).find((k) => k.id === method);
    expect(verifyProof(stamp.json, ed25519PublicKeyFromMultibase(key?.publicKeyMultibase as string)).ok).toBe(true);
    expect(verifyProof({ ...stamp.json, version: 2 }, ed25519PublicKeyFromMultibase(key?.publicKeyMultibase as string)).ok).toBe(false);
    // The signatories collection wraps that very stamp; koeln hears that it is listed (Add).
    const collection = await signedBy(b, "koeln", a.url(`/calls/${callId}/signatories`).href);
    if (!collection.ok) throw new Error(collection.reason);
    expect(collection.json).toMatchObject({ type: "OrderedCollection", totalItems: 1, orderedItems: [{ type: "PartnerEntry", partner: b.url("/@koeln").href, entryState: "Current" }] });
    const stampId = new URL(stampUrl).pathname.split("/").pop() as string;
    expect((await b.runtime.cosign.stamp(stampId))?.version).toBe(1);
    await until("koeln to hear it is listed", async () => ((await b.runtime.cosign.stamp(stampId))?.listedAt ?? null) !== null);
    // Signing twice is refused.
    expect((await apiB(`/api/v1/collectives/koeln/invitations/${inv?.id}/sign`, { method: "POST" })).status).toBe(409);
    // No editor's e-mail in anything served.
    for (const doc of [stamp.json, collection.json]) expect(JSON.stringify(doc)).not.toContain(marker);
  }, 120_000);

  it("keeps a decline private, and lets an expired invitation lapse without a word", async () => {
    const gent = await a.runtime.cosignPartners(b.url("/@gent").href);
    if (!gent.ok) throw new Error(gent.reason);
    await a.runtime.cosign.invite(editorA, callId, gent.partner);
    const [inv] = await until("the invitation at gent", async () => {
      const items = await received("gent");
      return items.length > 0 ? items : undefined;
    });
    const declined = await apiB(`/api/v1/collectives/gent/invitations/${inv?.id}/decline`, { method: "POST" });
    expect(declined.status).toBe(200);
    await until("cdc to see the decline", async () => (await a.runtime.cosign.invitations(editorA, callId)).invitations.some((i) => i.partner.apId === b.url("/@gent").href && i.state === "declined"));
    // Invited again too soon: refused, with the date it becomes possible.
    await expect(a.runtime.cosign.invite(editorA, callId, gent.partner)).rejects.toThrow(/declined on .* invited again from/);
    const collection = await signedBy(b, "koeln", a.url(`/calls/${callId}/signatories`).href);
    if (!collection.ok) throw new Error(collection.reason);
    expect(JSON.stringify(collection.json)).not.toContain("/@gent");

    // An invitation that expires: nothing is sent, signing it afterwards is refused.
    const third = await b.runtime.collectives.create({ slug: "liege", name: { fr: "Liège" }, primaryLanguage: "fr" });
    await b.runtime.users.addMember(third.slug, `${marker}-b@example.org`, "editor");
    const liege = await a.runtime.cosignPartners(b.url("/@liege").href);
    if (!liege.ok) throw new Error(liege.reason);
    await a.runtime.cosign.invite(editorA, callId, liege.partner, { expiresAt: Temporal.Now.instant().add({ seconds: 4 }) });
    const [late] = await until("the invitation at liege", async () => {
      const items = await received("liege");
      return items.length > 0 ? items : undefined;
    });
    await until("the invitation to expire", async () => ((await apiB(`/api/v1/collectives/liege/invitations/${late?.id}`)).body.state === "expired"), 15_000);
    const refused = await apiB(`/api/v1/collectives/liege/invitations/${late?.id}/sign`, { method: "POST" });
    expect(refused.status).toBe(409);
    expect(String((refused.body as Json).message)).toMatch(/expired/);
    expect((await a.runtime.cosign.invitations(editorA, callId)).invitations.find((i) => i.partner.apId === b.url("/@liege").href)?.state).toBe("expired");
  }, 120_000);

  it("refuses to invite what cannot sign, and names what to fix", async () => {
    const res = await fetch(a.url(`/api/v1/calls/${callId}/invitations`), {
      method: "POST",
      headers: { authorization: `Bearer ${(await a.runtime.users.createToken(`${marker}-a@example.org`)).token}`, "content-type": "application/json" },
      body: JSON.stringify({ partner: "not a handle" }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).message).toMatch(/partner/);
  });

  it("changes nothing for a hostile server's forged answers and requests (0 rows, 0 outbox rows)", async () => {
    const hostile = await startMastodonPeer({ host: "127.0.0.6", username: "mallory" });
    try {
      const count = async (at: RelaisInstance, table: string) =>
        Number((await at.runtime.em.fork().getConnection().execute<{ n: string }[]>(`select count(*) as n from ${table}`))[0]?.n);
      const before = { signatures: await count(a, "call_signature"), outbox: await count(a, "outbox"), received: await count(b, "received_invitation") };
      const koelnInvitation = (await a.runtime.cosign.invitations(editorA, callId)).invitations.find((i) => i.partner.apId === b.url("/@koeln").href);
      const request = a.url(`/calls/${callId}/invitations/${koelnInvitation?.id}`).href;
      // An Accept of koeln's invitation by another actor, with a "stamp" on its own server.
      const forgedAccept = { "@context": "https://www.w3.org/ns/activitystreams", id: `${hostile.actorId.href}#accept-1`, type: "Accept", actor: hostile.actorId.href, object: request, result: `${hostile.origin.origin}/stamps/1` };
      expect((await hostile.sendSigned(a.url("/@cdc/inbox"), forgedAccept)).status).toBeLessThan(300);
      // The same, claiming to be koeln but signed with the hostile key: refused by the signature check.
      const claimed = { ...forgedAccept, id: `${b.url("/@koeln").href}#accept-forged`, actor: b.url("/@koeln").href, result: `${b.origin.origin}/stamps/00000000-0000-4000-8000-000000000000` };
      expect((await hostile.sendSigned(a.url("/@cdc/inbox"), claimed)).status).toBeGreaterThanOrEqual(400);
      // An invitation to koeln whose version is on another server than the sender's.
      const forgedRequest = {
        "@context": ["https://www.w3.org/ns/activitystreams", { relais: "https://w3id.org/relais/ns#", CosignRequest: "relais:CosignRequest" }],
        id: `${hostile.actorId.href}#invite-1`,
        type: ["Offer", "CosignRequest"],
        actor: hostile.actorId.href,
        object: b.url("/@koeln").href,
        instrument: a.url(`/calls/${callId}/versions/1`).href,
        target: a.url(`/calls/${callId}/signatories`).href,
      };
      expect((await hostile.sendSigned(b.url("/@koeln/inbox"), forgedRequest)).status).toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 3000)); // the queued inbox activities are handled
      expect(await count(a, "call_signature")).toBe(before.signatures);
      expect(await count(a, "outbox")).toBe(before.outbox);
      expect(await count(b, "received_invitation")).toBe(before.received);
      expect((await a.runtime.cosign.signatories(callId)).map((s) => s.signer.apId)).toEqual([b.url("/@koeln").href]);
    } finally {
      await hostile.close();
    }
  }, 60_000);
});
