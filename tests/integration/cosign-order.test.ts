// Order and concurrency (design §13 row 11): a revocation that overtakes its Accept wins — the initiator
// fetches the stamp from its signer's origin before listing it, so a stamp revoked before its Accept is
// handled is never listed; and two editors saving the same version of a call at once get exactly one
// success and one 409. A revoked stamp offered again as a join request (row 10) lists nothing. koeln's server runs its inbox queue but not its outbox relay, so the test sends
// koeln's activities itself, in the order it wants, signed with koeln's key over real HTTP.
import { Accept, Create, Delete } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("order and concurrency of co-signing", { timeout: 300_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  const stopQueue = new AbortController();
  let editorA: Principal;
  let tokenA: string;
  let koeln: string;
  let callId: string;
  let callUrl: string;
  let other: { id: string; url: string; stamp: string };
  const fromKoeln = (activity: Accept | Create | Delete) =>
    b.runtime.federation
      .createContext(b.origin, undefined)
      .sendActivity({ identifier: "koeln" }, { id: a.url("/@cdc"), inboxId: a.url("/@cdc/inbox") }, activity, { immediate: true });

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2", worker: false })]);
    void b.runtime.federation.startQueue(undefined, { signal: stopQueue.signal });
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    koeln = b.url("/@koeln").href;
    ({ principal: editorA, token: tokenA } = await createEditor(a.runtime, "cdc", "zq-order-marker@example.org"));
    const call = await a.runtime.calls.create(editorA, "cdc", { title: { fr: "Stop au contrôle" }, body: { fr: "Nous **exigeons**." }, demands: [{ fr: "Fin du score" }] });
    callId = call.id;
    callUrl = call.apId.href;
    await a.runtime.calls.consult(editorA, callId);
  }, 240_000);
  afterAll(async () => {
    stopQueue.abort();
    await Promise.all([a?.close(), b?.close()]);
  });

  it("never lists a stamp whose Delete overtook its Accept", async () => {
    const found = await a.runtime.cosignPartners(koeln);
    if (!found.ok) throw new Error(found.reason);
    const invitation = await a.runtime.cosign.invite(editorA, callId, found.partner);
    const received = await until("koeln asked", async () => (await b.runtime.cosign.received("cli", "koeln")).find((i) => i.call.apId === callUrl && i.state === "pending"));
    // koeln signs, then revokes at once: both activities wait in koeln's outbox, unsent.
    const stamp = (await b.runtime.cosign.sign("cli", "koeln", received.id, { languages: ["fr"] })).stamp?.url as string;
    await b.runtime.cosign.revoke("cli", "koeln", new URL(stamp).pathname.split("/").pop() as string);
    // The Delete arrives first, then the Accept.
    await fromKoeln(new Delete({ id: new URL(`${stamp}#delete`), actor: new URL(koeln), object: new URL(stamp) }));
    await fromKoeln(new Accept({ id: new URL(`${stamp}#accept`), actor: new URL(koeln), object: a.url(`/calls/${callId}/invitations/${invitation.id}`), result: new URL(stamp) }));
    await until("cdc to hear of the revocation", async () => a.runtime.cosign.isRevoked(stamp), 10_000);
    await new Promise((r) => setTimeout(r, 3000)); // the queued Accept is handled
    expect(await a.runtime.cosign.signatories(callId)).toEqual([]);
    const signatures = (await a.runtime.cosign.invitations(editorA, callId)).signatures;
    expect(signatures.filter((s) => s.stampId === stamp && (s.state === "current" || s.state === "pending"))).toEqual([]);
    // The control: the same Accept, sent the same way for a stamp not revoked, is listed.
    const created = await a.runtime.calls.create(editorA, "cdc", { title: { fr: "Contrôle" }, body: { fr: "Texte." }, demands: [] });
    await a.runtime.calls.consult(editorA, created.id);
    const invited = await a.runtime.cosign.invite(editorA, created.id, found.partner);
    const asked = await until("koeln asked again", async () => (await b.runtime.cosign.received("cli", "koeln")).find((i) => i.call.apId === created.apId.href && i.state === "pending"));
    const live = (await b.runtime.cosign.sign("cli", "koeln", asked.id, { languages: ["fr"] })).stamp?.url as string;
    await fromKoeln(new Accept({ id: new URL(`${live}#accept`), actor: new URL(koeln), object: a.url(`/calls/${created.id}/invitations/${invited.id}`), result: new URL(live) }));
    await until("the live stamp listed", async () => (await a.runtime.cosign.signatories(created.id)).some((s) => s.stampId === live), 10_000);
    other = { id: created.id, url: created.apId.href, stamp: live };
  });

  it("refuses a revoked stamp offered again in a join request (§13 #10)", async () => {
    await a.runtime.calls.open(editorA, other.id);
    await a.runtime.joins.setPolicy(editorA, other.id, "automatic");
    await b.runtime.cosign.revoke("cli", "koeln", new URL(other.stamp).pathname.split("/").pop() as string);
    await fromKoeln(new Delete({ id: new URL(`${other.stamp}#delete`), actor: new URL(koeln), object: new URL(other.stamp) }));
    await until("cdc to unlist koeln", async () => (await a.runtime.cosign.signatories(other.id)).length === 0, 10_000);
    const count = async (table: string) => Number((await a.runtime.em.fork().getConnection().execute<{ n: string }[]>(`select count(*) as n from ${table}`))[0]?.n);
    const before = { requests: await count("call_join_request"), signatures: await count("call_signature"), outbox: await count("outbox") };
    // koeln's own server, with koeln's key, offers the revoked stamp as a join request of the open call.
    await fromKoeln(new Create({ id: new URL(`${koeln}#join-replayed`), actor: new URL(koeln), object: new URL(other.stamp), target: new URL(`${other.url}/signatories`) }));
    await new Promise((r) => setTimeout(r, 3000)); // the queued inbox activity is handled
    expect(await a.runtime.cosign.signatories(other.id)).toEqual([]);
    expect({ requests: await count("call_join_request"), signatures: await count("call_signature"), outbox: await count("outbox") }).toEqual(before);
  });

  it("answers two parallel saves of one version with exactly one 409", async () => {
    const api = (init: RequestInit = {}) =>
      fetch(a.url(`/api/v1/calls/${callId}`), { ...init, headers: { authorization: `Bearer ${tokenA}`, "content-type": "application/json", ...(init.headers as Record<string, string>) } });
    const current = await api();
    const etag = current.headers.get("etag") as string;
    expect(etag).toBeTruthy();
    const save = (text: string) => api({ method: "PATCH", headers: { "if-match": etag }, body: JSON.stringify({ body: { fr: text } }) });
    const answers = await Promise.all([save("Nous **exigeons** la fin."), save("Nous **exigeons** la fin immédiate.")]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await a.runtime.calls.get(editorA, callId)).version).toBe(2);
  });
});
