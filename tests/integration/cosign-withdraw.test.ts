// Withdrawing an invitation to co-sign (design §13 #2, activity #4) between two Relais instances over real
// HTTP with real signatures: the initiator's editors withdraw an invitation not answered yet through the
// JSON API; the invited server learns it from an Undo of the request (signed by the initiator), the
// invitation leaves its editors' list, reading or signing it answers 410 with the reason, no stamp is
// made, and the invited collective can no longer read the call before launch. An answered invitation
// cannot be withdrawn (a signature is the signer's to revoke).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedGet } from "../../src/federation/object-proofs.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;

describe("withdrawing an invitation to co-sign", { timeout: 180_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let tokenA: string;
  let tokenB: string;
  let callId: string;

  const api = async (at: () => RelaisInstance, token: () => string, path: string, init: { method?: string; json?: unknown } = {}) => {
    const headers = new Headers({ authorization: `Bearer ${token()}` });
    if (init.json !== undefined) headers.set("content-type", "application/json");
    const res = await fetch(at().url(path), { method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
    return { status: res.status, body: (await res.json().catch(() => null)) as Json };
  };
  const apiA = (path: string, init?: { method?: string; json?: unknown }) => api(() => a, () => tokenA, path, init);
  const apiB = (path: string, init?: { method?: string; json?: unknown }) => api(() => b, () => tokenB, path, init);
  const readAs = async (slug: string, path: string) => {
    const got = await signedGet(b.runtime.federation.createContext(b.origin, undefined), slug, a.url(path), { allowPrivateAddresses: true });
    return got.ok ? 200 : got.status;
  };
  const sql = (at: RelaisInstance, query: string, params: unknown[] = []) => at.runtime.em.fork().getConnection().execute(query, params);
  const invite = async (slug: string) => {
    const sent = await apiA(`/api/v1/calls/${callId}/invitations`, { method: "POST", json: { partner: b.url(`/@${slug}`).href } });
    expect(sent.status).toBe(201);
    const pending = await until(`the invitation at ${slug}`, async () => ((await apiB(`/api/v1/collectives/${slug}/invitations`)).body.items as Json[]).find((i) => i.state === "pending"));
    return { sent: sent.body, received: pending };
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    for (const slug of ["koeln", "gent"]) await b.runtime.collectives.create({ slug, name: { de: `AG ${slug}` }, primaryLanguage: "de" });
    tokenA = (await createEditor(a.runtime, "cdc", "zq-withdraw-a@example.org")).token;
    tokenB = (await createEditor(b.runtime, "koeln", "zq-withdraw-b@example.org")).token;
    await b.runtime.users.addMember("gent", "zq-withdraw-b@example.org", "editor");
    const created = await apiA("/api/v1/collectives/cdc/calls", {
      method: "POST",
      json: { title: { fr: "Stop au contrôle algorithmique" }, body: { fr: "Nous **exigeons** la fin du score." }, demands: [{ fr: "Fin du score de risque" }] },
    });
    expect(created.status).toBe(201);
    callId = created.body.id as string;
    expect((await apiA(`/api/v1/calls/${callId}/consult`, { method: "POST" })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("tells the invited server, which hides the invitation, refuses to sign it, and can no longer read the call", async () => {
    const { sent, received } = await invite("koeln");
    expect(await readAs("koeln", `/calls/${callId}`)).toBe(200);

    const withdrawn = await apiA(`/api/v1/calls/${callId}/invitations/${sent.id}`, { method: "DELETE" });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ id: sent.id, state: "withdrawn" });
    // Withdrawing twice changes nothing and sends nothing more.
    expect((await apiA(`/api/v1/calls/${callId}/invitations/${sent.id}`, { method: "DELETE" })).body.state).toBe("withdrawn");
    const requestId = a.runtime.urls.callInvitation(callId, sent.id as string).href;
    expect(await sql(a, "select kind from outbox where activity_id = ?", [`${requestId}#withdraw`])).toEqual([{ kind: "cosign-withdraw" }]);

    // koeln's server learns it: the invitation leaves the list; reading or signing it says why.
    await until("the invitation gone from koeln's list", async () => ((await apiB("/api/v1/collectives/koeln/invitations")).body.items as Json[]).length === 0);
    const [row] = (await sql(b, "select state from received_invitation where request_id = ?", [requestId])) as { state: string }[];
    expect(row?.state).toBe("withdrawn");
    const read = await apiB(`/api/v1/collectives/koeln/invitations/${received.id}`);
    expect(read.status).toBe(410);
    expect(read.body.message).toMatch(/initiator withdrew this invitation/);
    const sign = await apiB(`/api/v1/collectives/koeln/invitations/${received.id}/sign`, { method: "POST", json: { languages: ["fr"] } });
    expect(sign.status).toBe(410);
    expect(sign.body.message).toMatch(/can no longer be read or signed/);
    expect(await sql(b, "select count(*)::int as n from cosign_stamp", [])).toEqual([{ n: 0 }]);
    expect(await sql(b, "select count(*)::int as n from outbox where kind like 'cosign-%'", [])).toEqual([{ n: 0 }]);

    // Nothing of the call leaks to koeln any more: the call and its version answer 404 to its signed GETs.
    expect(await readAs("koeln", `/calls/${callId}`)).toBe(404);
    expect(await readAs("koeln", `/calls/${callId}/versions/1`)).toBe(404);
    // And a signature of the withdrawn invitation that would still reach the initiator is refused there.
    const late = await a.runtime.cosign.incomingSignature(sent.id as string, { stampId: b.url("/stamps/late").href, signerApId: b.url("/@koeln").href, version: 1, digests: [], document: {} });
    expect(late).toEqual({ ok: false, reason: "the invitation is withdrawn" });
    expect(await a.runtime.cosign.signatories(callId)).toEqual([]);
  });

  it("refuses to withdraw an invitation already signed (the signature is the signer's to revoke)", async () => {
    const { sent, received } = await invite("gent");
    expect((await apiB(`/api/v1/collectives/gent/invitations/${received.id}/sign`, { method: "POST", json: { languages: ["fr"] } })).status).toBe(200);
    await until("gent listed", async () => (await a.runtime.cosign.signatories(callId)).length === 1);
    const refused = await apiA(`/api/v1/calls/${callId}/invitations/${sent.id}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/signed: only an invitation not answered yet can be withdrawn/);
    expect((await a.runtime.cosign.signatories(callId)).map((s) => s.signer.apId)).toEqual([b.url("/@gent").href]);
    expect(await readAs("gent", `/calls/${callId}`)).toBe(200);
  });
});
