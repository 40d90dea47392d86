// Changes and revocations of a co-signed call across three Relais instances (issue 9; FEDERATION.md
// "Co-signed calls"): a new translation leaves signatures alone; a new version that changes a language a
// signature covers moves it to "awaiting reconfirmation" (not shown, not counted) and asks the signer
// again, and its new signature restores it; a signer that revokes is unlisted by the initiator, heard of by
// a co-signer on another server, and its followers see its boost undone, within seconds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { verifySignature } from "../../src/federation/verify-signature.ts";
import { createEditor } from "../support/editor.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const marker = "zq-changes-marker";
const idOf = (v: unknown) => (typeof v === "string" ? v : (v as Json | undefined)?.id);

describe("changing and revoking a co-signed call", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let c: RelaisInstance;
  let mastodon: MastodonPeer;
  let editorA: Principal;
  let tokenC: string;
  let callId: string;
  let callUrl: string;
  const stamps: Record<string, string> = {};
  let aClosed = false;
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });
  const listed = async () => ((await (await as2(`${callUrl}/signatories`)).json()) as Json).totalItems;
  const receivedAt = (at: RelaisInstance, slug: string) => at.runtime.cosign.received("cli", slug);

  async function signLatest(at: RelaisInstance, slug: string, languages: string[], version: number): Promise<string> {
    const inv = await until(`${slug} to be asked for version ${version}`, async () => (await receivedAt(at, slug)).find((i) => i.version === version && i.state === "pending"));
    const signed = await at.runtime.cosign.sign("cli", slug, inv.id, { languages });
    const url = signed.stamp!.url;
    await until(`${slug} listed for version ${version}`, async () => (await a.runtime.cosign.signatories(callId)).some((s) => s.stampId === url));
    return url;
  }

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.5" })]);
    mastodon = await startMastodonPeer({ host: "127.0.0.3", username: "ben" });
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    await c.runtime.collectives.create({ slug: "gent", name: { fr: "Gent" }, primaryLanguage: "fr" });
    editorA = (await createEditor(a.runtime, "cdc", `${marker}@example.org`)).principal;
    tokenC = (await createEditor(c.runtime, "gent", `${marker}-c@example.org`)).token;
    for (const url of [b.url("/@koeln"), c.url("/@gent")]) await mastodon.follow(url);
    await until("two follows accepted", async () => mastodon.received.filter((d) => d.activity?.type === "Accept" && d.signatureValid).length >= 2, 60_000);
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    });
    callId = call.id;
    callUrl = call.apId.href;
    await a.runtime.calls.consult(editorA, callId);
    for (const [at, slug] of [[b, "koeln"], [c, "gent"]] as const) {
      const found = await a.runtime.cosignPartners(at.url(`/@${slug}`).href);
      if (!found.ok) throw new Error(found.reason);
      await a.runtime.cosign.invite(editorA, callId, found.partner);
    }
    stamps.koeln = await signLatest(b, "koeln", ["fr", "de"], 1);
    stamps.gent = await signLatest(c, "gent", ["fr"], 1);
    await a.runtime.calls.open(editorA, callId);
    for (const slug of ["koeln", "gent"]) {
      await mastodon.waitFor((d) => d.signatureValid && d.activity?.type === "Announce" && String(d.activity.actor).endsWith(`/@${slug}`), { timeoutMs: 60_000 });
    }
  }, 240_000);
  afterAll(async () => {
    await mastodon?.close();
    await Promise.all([aClosed ? undefined : a?.close(), b?.close(), c?.close()]);
  });

  it("leaves signatures alone for a new translation, and asks again for a changed language", async () => {
    expect(await listed()).toBe(2);
    const invitationsBefore = (await a.runtime.cosign.invitations(editorA, callId)).invitations.length;
    // A language map sent replaces the stored one: the translation comes with the languages kept.
    const before = await a.runtime.calls.get(editorA, callId);
    await a.runtime.calls.update(editorA, callId, {
      title: { ...before.title, nl: "Stop de algoritmische controle" },
      body: { ...before.bodySource, nl: "Wij **eisen** het einde van de score." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores", nl: "Einde van de risicoscore" }],
    });
    expect((await a.runtime.calls.get(editorA, callId)).version).toBe(2);
    expect((await a.runtime.cosign.signatories(callId)).map((s) => s.state)).toEqual(["current", "current"]);
    expect((await a.runtime.cosign.invitations(editorA, callId)).invitations).toHaveLength(invitationsBefore);
    expect(await listed()).toBe(2);

    // The German text changes: koeln signed German, gent did not.
    const v2 = await a.runtime.calls.get(editorA, callId);
    await a.runtime.calls.update(editorA, callId, { body: { ...v2.bodySource, de: "Wir **fordern** das sofortige Ende des Scores." } });
    const { signatures } = await a.runtime.cosign.invitations(editorA, callId);
    expect(signatures.find((s) => s.stampId === stamps.koeln)?.state).toBe("pending");
    expect(signatures.find((s) => s.stampId === stamps.gent)?.state).toBe("current");
    expect(await listed()).toBe(1);
    const collection = (await (await as2(`${callUrl}/signatories`)).json()) as Json;
    expect(JSON.stringify(collection)).not.toContain("/@koeln");
    // The Article names the collection of signatures awaiting reconfirmation; koeln is there, apart.
    expect(((await (await as2(callUrl)).json()) as Json).pendingSignatories).toBe(`${callUrl}/signatories/pending`);
    const pending = (await (await as2(`${callUrl}/signatories/pending`)).json()) as Json;
    expect(pending).toMatchObject({ type: "OrderedCollection", totalItems: 1, orderedItems: [{ partner: b.url("/@koeln").href, entryState: "PendingReconfirmation" }] });
    // koeln is asked again, for version 3, and its new signature restores it with a new stamp.
    const again = await signLatest(b, "koeln", ["fr", "de"], 3);
    expect(again).not.toBe(stamps.koeln);
    expect(await listed()).toBe(2);
    expect(((await (await as2(`${callUrl}/signatories/pending`)).json()) as Json).totalItems).toBe(0);
    const after = (await a.runtime.cosign.invitations(editorA, callId)).signatures;
    expect(after.find((s) => s.stampId === stamps.koeln)?.state).toBe("removed");
    expect(after.find((s) => s.stampId === again)).toMatchObject({ state: "current", version: 3 });
    stamps.koeln = again;
  }, 120_000);

  it("tells the initiator, a co-signer on another server and the followers of a revocation within seconds", async () => {
    const mark = mastodon.received.length;
    const started = Date.now();
    const stampId = new URL(stamps.gent as string).pathname.split("/").pop();
    const res = await fetch(c.url(`/api/v1/collectives/gent/signatures/${stampId}`), { method: "DELETE", headers: { authorization: `Bearer ${tokenC}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).revokedAt).not.toBeNull();
    // The signer's own server contradicts anyone who keeps listing it.
    const gone = await as2(stamps.gent as string);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ type: "Tombstone", formerType: "CosignAuthorization" });

    await until("the initiator to unlist gent", async () => (await listed()) === 1, 10_000);
    await until("koeln's server to hear of it", async () => b.runtime.cosign.isRevoked(stamps.gent as string), 10_000);
    const undo = await mastodon.waitFor(
      (d) => mastodon.received.indexOf(d) >= mark && d.signatureValid && d.activity?.type === "Undo" && (d.activity.object as Json)?.type === "Announce",
      { timeoutMs: 10_000 },
    );
    expect(undo.signer).toBe(c.url("/@gent").href);
    expect(idOf((undo.activity?.object as Json | undefined)?.object)).toBe(callUrl);
    const deleted = await mastodon.waitFor((d) => mastodon.received.indexOf(d) >= mark && d.activity?.type === "Delete", { timeoutMs: 10_000 });
    expect(idOf(deleted.activity?.object)).toBe(stamps.gent);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await a.runtime.cosign.invitations(editorA, callId)).signatures.find((s) => s.stampId === stamps.gent)?.state).toBe("revoked");
    // Revoking again changes nothing and sends nothing more.
    const again = await fetch(c.url(`/api/v1/collectives/gent/signatures/${stampId}`), { method: "DELETE", headers: { authorization: `Bearer ${tokenC}` } });
    expect(again.status).toBe(200);
    expect(mastodon.received.some((d) => d.body.includes(marker))).toBe(false);
  }, 60_000);

  it("tells anyone who signed which version, even with the initiator stopped (verify-signature)", async () => {
    const koeln = b.url("/@koeln").href;
    expect(await verifySignature(callUrl, koeln)).toMatchObject({ outcome: "valid-current", version: 3, stamp: stamps.koeln, initiatorReachable: true });
    expect(await verifySignature(callUrl, c.url("/@gent").href)).toMatchObject({ outcome: "revoked", stamp: stamps.gent });
    expect((await verifySignature(callUrl, a.url("/@cdc").href)).outcome).toBe("unverifiable");
    // The endorsements of koeln list its stamps for public calls, both versions it signed.
    const endorsements = (await (await as2(b.url("/@koeln/endorsements").href)).json()) as Json;
    expect((endorsements.orderedItems as Json[]).map((i) => i.id)).toContain(stamps.koeln);
    // A change of the text koeln signed makes its signature an older version's.
    const v = await a.runtime.calls.get(editorA, callId);
    await a.runtime.calls.update(editorA, callId, { body: { ...v.bodySource, de: "Wir **fordern** das Ende." } });
    expect(await verifySignature(callUrl, koeln)).toMatchObject({ outcome: "valid-older-version", version: 3 });
    aClosed = true;
    await a.close();
    // The signed text is read from koeln's own archive (its stamp's signedText) and its digests recomputed.
    const alone = await verifySignature(callUrl, koeln, { timeoutMs: 3_000 });
    expect(alone).toMatchObject({ outcome: "valid-current", version: 3, initiatorReachable: false, textFrom: "signer" });
    expect(alone.reason).toContain("signedText");
    const stamp = (await (await as2(stamps.koeln as string)).json()) as Json;
    expect(stamp.signedText).toBe(`${stamps.koeln}/text`);
    const archived = (await (await as2(stamp.signedText as string)).json()) as Json;
    expect(archived).toMatchObject({ type: "CallVersion", versionOf: callUrl, version: 3, attributedTo: a.url("/@cdc").href });
    expect((archived.proof as Json).verificationMethod).toMatch(/^http:\/\/127\.0\.0\.1/);
    // Archives that no longer match their stamps' digests are caught (every copy koeln keeps of this call altered in place).
    const sqlB = (query: string, params: unknown[]) => b.runtime.em.fork().getConnection().execute(query, params);
    const kept = (await sqlB("select id, version_document from cosign_stamp where call_ap_id = ?", [callUrl])) as { id: string; version_document: unknown }[];
    expect(kept.length).toBeGreaterThan(0);
    await sqlB(`update cosign_stamp set version_document = jsonb_set(version_document, '{contentMap}', '{"fr": "<p>Autre chose.</p>", "de": "<p>Etwas anderes.</p>"}'::jsonb) where call_ap_id = ?`, [callUrl]);
    try {
      const tampered = await verifySignature(callUrl, koeln, { timeoutMs: 3_000 });
      expect(tampered).toMatchObject({ outcome: "forged", textFrom: "signer" });
      expect(tampered.reason).toContain("archived text");
    } finally {
      for (const row of kept) {
        await sqlB("update cosign_stamp set version_document = ? where id = ?", [typeof row.version_document === "string" ? row.version_document : JSON.stringify(row.version_document), row.id]);
      }
    }
    expect((await verifySignature(callUrl, koeln, { timeoutMs: 3_000 })).outcome).toBe("valid-current");
    expect((await verifySignature(callUrl, c.url("/@gent").href, { timeoutMs: 3_000 })).outcome).toBe("revoked");
  }, 60_000);
});
