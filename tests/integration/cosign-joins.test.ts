// Join requests between Relais instances over real HTTP with real signatures (issue 9; FEDERATION.md
// "Join requests"): collectives on another server ask to sign an open call by sending their stamp. With
// automatic approval they are listed at once; by hand, only once an editor approves; a refused request
// is answered with a Reject, the stamp then answers 410 and nothing of it is public. A hostile server's
// forged requests change nothing (0 rows, 0 outbox rows).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedGet } from "../../src/federation/object-proofs.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const marker = "zq-joins-marker";

describe("asking to sign an open call on another server", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let tokenA: string;
  let tokenB: string;
  let callId: string;
  let callUrl: string;

  const api = async (at: RelaisInstance, token: string, path: string, init: { method?: string; json?: unknown } = {}) => {
    const headers = new Headers({ authorization: `Bearer ${token}` });
    if (init.json !== undefined) headers.set("content-type", "application/json");
    const res = await fetch(at.url(path), { method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
    return { status: res.status, body: (await res.json().catch(() => null)) as Json };
  };
  const signedBy = (from: RelaisInstance, slug: string, url: string) =>
    signedGet(from.runtime.federation.createContext(from.origin, undefined), slug, new URL(url), { allowPrivateAddresses: true });
  const listedSigners = async () => (await a.runtime.cosign.signatories(callId)).map((s) => s.signer.apId);
  const ask = async (slug: string) => {
    const res = await api(b, tokenB, `/api/v1/collectives/${slug}/join-requests`, { method: "POST", json: { call: callUrl } });
    expect(res.status).toBe(201);
    return res.body as { stampId: string; stamp: string; state: string };
  };
  const count = async (at: RelaisInstance, table: string) =>
    Number((await at.runtime.em.fork().getConnection().execute<{ n: string }[]>(`select count(*) as n from ${table}`))[0]?.n);

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    for (const [slug, lang] of [["koeln", "de"], ["gent", "nl"], ["liege", "fr"]] as const) {
      await b.runtime.collectives.create({ slug, name: { [lang]: slug }, primaryLanguage: lang });
    }
    const editor = await createEditor(a.runtime, "cdc", `${marker}-a@example.org`);
    editorA = editor.principal;
    tokenA = editor.token;
    tokenB = (await createEditor(b.runtime, "koeln", `${marker}-b@example.org`)).token;
    for (const slug of ["gent", "liege"]) await b.runtime.users.addMember(slug, `${marker}-b@example.org`, "editor");
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    });
    callId = call.id;
    callUrl = call.apId.href;
    await a.runtime.calls.open(editorA, callId);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("refuses to ask for a call that is not open, and a bad policy, naming what to fix", async () => {
    const draft = await a.runtime.calls.create(editorA, "cdc", { title: { fr: "Brouillon" }, body: { fr: "Texte" }, demands: [] });
    const res = await api(b, tokenB, "/api/v1/collectives/koeln/join-requests", { method: "POST", json: { call: draft.apId.href } });
    expect(res.status).toBe(422);
    expect(String(res.body.message)).toMatch(/the call: the call could not be read/);
    const bad = await api(a, tokenA, `/api/v1/calls/${callId}/join-policy`, { method: "PUT", json: { policy: "sometimes" } });
    expect(bad.status).toBe(422);
    expect((await api(a, tokenA, `/api/v1/calls/${callId}/join-policy`)).body.policy).toBe("manual");
    expect(await count(b, "cosign_stamp")).toBe(0);
  }, 60_000);

  it("lists a collective at once when the call approves automatically", async () => {
    expect((await api(a, tokenA, `/api/v1/calls/${callId}/join-policy`, { method: "PUT", json: { policy: "automatic" } })).body.policy).toBe("automatic");
    const sent = await ask("koeln");
    expect(sent.state).toBe("pending");
    expect(new URL(sent.stamp).origin).toBe(b.origin.origin);
    await until("koeln listed at cdc", async () => (await listedSigners()).includes(b.url("/@koeln").href));
    const [request] = (await api(a, tokenA, `/api/v1/calls/${callId}/join-requests`)).body.items as Json[];
    expect(request).toMatchObject({ requester: b.url("/@koeln").href, state: "approved", stampId: sent.stamp, version: 1 });
    // koeln hears it is listed (Add), and the call being open, its stamp becomes public and it boosts.
    await until("koeln to hear it is listed", async () => ((await api(b, tokenB, "/api/v1/collectives/koeln/join-requests")).body.items as Json[])[0]?.state === "listed");
    await until("the stamp public", async () => (await fetch(sent.stamp, { headers: { accept: "application/activity+json" } })).status === 200);
    // Asking again for the same version is refused.
    expect((await api(b, tokenB, "/api/v1/collectives/koeln/join-requests", { method: "POST", json: { call: callUrl } })).status).toBe(409);
  }, 60_000);

  it("by hand: lists only once an editor approves", async () => {
    await a.runtime.joins.setPolicy(editorA, callId, "manual");
    const sent = await ask("gent");
    const pending = await until("gent's request at cdc", async () =>
      ((await api(a, tokenA, `/api/v1/calls/${callId}/join-requests`)).body.items as Json[]).find((r) => r.requester === b.url("/@gent").href),
    );
    expect(pending).toMatchObject({ state: "pending", stampId: sent.stamp });
    expect(await listedSigners()).not.toContain(b.url("/@gent").href);
    const signatories = await signedBy(b, "gent", `${callUrl}/signatories`);
    expect(signatories.ok && JSON.stringify(signatories.json)).not.toContain("/@gent");
    // Another collective's editor may not approve.
    await a.runtime.collectives.create({ slug: "other", name: { fr: "Autre" }, primaryLanguage: "fr" });
    const stranger = (await createEditor(a.runtime, "other", "stranger@example.org")).token;
    expect((await api(a, stranger, `/api/v1/calls/${callId}/join-requests/${pending.id}/approve`, { method: "POST" })).status).toBe(403);
    expect((await api(a, tokenA, `/api/v1/calls/${callId}/join-requests/${pending.id}/approve`, { method: "POST" })).body.state).toBe("approved");
    expect((await api(a, tokenA, `/api/v1/calls/${callId}/join-requests/${pending.id}/approve`, { method: "POST" })).status).toBe(409);
    await until("gent listed", async () => (await listedSigners()).includes(b.url("/@gent").href));
    await until("gent to hear it is listed", async () => (await b.runtime.joins.sent("cli", "gent"))[0]?.state === "listed");
  }, 60_000);

  it("by hand: a refused request lists nothing, stays private, and its stamp answers 410", async () => {
    const sent = await ask("liege");
    const pending = await until("liege's request at cdc", async () =>
      ((await api(a, tokenA, `/api/v1/calls/${callId}/join-requests`)).body.items as Json[]).find((r) => r.requester === b.url("/@liege").href),
    );
    const refused = await api(a, tokenA, `/api/v1/calls/${callId}/join-requests/${pending.id}/refuse`, { method: "POST" });
    expect(refused.body.state).toBe("refused");
    await until("liege to hear the refusal", async () => (await b.runtime.joins.sent("cli", "liege"))[0]?.state === "refused");
    const stamp = await signedBy(a, "cdc", sent.stamp);
    expect(stamp.ok ? 200 : stamp.status).toBe(410);
    expect(await listedSigners()).not.toContain(b.url("/@liege").href);
    const collection = (await (await fetch(`${callUrl}/signatories`, { headers: { accept: "application/activity+json" } })).json()) as Json;
    expect(collection.totalItems).toBe(2);
    expect(JSON.stringify(collection)).not.toContain("/@liege");
    // The refused stamp is not among liege's public endorsements either.
    const endorsements = (await (await fetch(b.url("/@liege/endorsements"), { headers: { accept: "application/activity+json" } })).json()) as Json;
    expect(endorsements.totalItems).toBe(0);
  }, 60_000);

  it("changes nothing for a hostile server's forged join requests (0 rows, 0 outbox rows)", async () => {
    await a.runtime.joins.setPolicy(editorA, callId, "automatic");
    const hostile = await startMastodonPeer({ host: "127.0.0.6", username: "mallory" });
    try {
      const before = { requests: await count(a, "call_join_request"), signatures: await count(a, "call_signature"), outbox: await count(a, "outbox") };
      const target = `${callUrl}/signatories`;
      // A "stamp" on the hostile server, attributed to koeln.
      const fakeStamp = `${hostile.origin.origin}/stamps/1`;
      hostile.serve({
        "@context": ["https://www.w3.org/ns/activitystreams", { relais: "https://w3id.org/relais/ns#", CosignAuthorization: "relais:CosignAuthorization" }],
        id: fakeStamp,
        type: "CosignAuthorization",
        attributedTo: b.url("/@koeln").href,
        interactionTarget: b.url("/@koeln").href,
        interactingObject: callUrl,
        version: 1,
        target: { type: "OrderedCollection", id: target, attributedTo: a.url("/@cdc").href },
        textDigests: [],
      });
      const send = (activity: Json) => hostile.sendSigned(a.url("/@cdc/inbox"), { "@context": "https://www.w3.org/ns/activitystreams", ...activity });
      // Its own "stamp" attributed to another collective.
      expect((await send({ id: `${hostile.actorId.href}#join-1`, type: "Create", actor: hostile.actorId.href, object: fakeStamp, target })).status).toBeLessThan(300);
      // koeln's real (listed) stamp, sent by the hostile actor.
      const koelnStamp = (await b.runtime.joins.sent("cli", "koeln"))[0]?.url as string;
      expect((await send({ id: `${hostile.actorId.href}#join-2`, type: "Create", actor: hostile.actorId.href, object: koelnStamp, target })).status).toBeLessThan(300);
      // Claiming to be koeln, signed with the hostile key: refused by the signature check.
      expect((await send({ id: `${b.url("/@koeln").href}#join-forged`, type: "Create", actor: b.url("/@koeln").href, object: `${b.origin.origin}/stamps/00000000-0000-4000-8000-000000000000`, target })).status).toBeGreaterThanOrEqual(400);
      await new Promise((r) => setTimeout(r, 3000)); // the queued inbox activities are handled
      expect(await count(a, "call_join_request")).toBe(before.requests);
      expect(await count(a, "call_signature")).toBe(before.signatures);
      expect(await count(a, "outbox")).toBe(before.outbox);
    } finally {
      await hostile.close();
    }
  }, 60_000);

  it("delists a stamp its signer's origin no longer serves, at the initiator's re-check", async () => {
    expect(await listedSigners()).toEqual([b.url("/@koeln").href, b.url("/@gent").href]);
    // koeln's stamp is withdrawn at its origin without the Delete ever reaching cdc (lost, or a signer gone).
    const koeln = (await b.runtime.joins.sent("cli", "koeln"))[0];
    await b.runtime.em.fork().getConnection().execute("update cosign_stamp set revoked_at = now() where id = ?", [koeln?.stampId]);
    expect((await signedBy(a, "cdc", koeln?.url as string)).ok).toBe(false);
    // Not due yet (confirmed less than a day ago): nothing is asked.
    expect(await a.runtime.recheckStamps()).toEqual({ confirmed: 0, revoked: 0, unreachable: 0 });
    expect(await a.runtime.recheckStamps({ olderThanMs: 0 })).toEqual({ confirmed: 1, revoked: 1, unreachable: 0 });
    expect(await listedSigners()).toEqual([b.url("/@gent").href]);
    expect(await a.runtime.cosign.isRevoked(koeln?.url as string)).toBe(true);
    const collection = (await (await fetch(`${callUrl}/signatories`, { headers: { accept: "application/activity+json" } })).json()) as Json;
    expect(collection.totalItems).toBe(1);
  }, 60_000);
});
