// Join requests in the editor (issue 9) between two Relais instances over real HTTP: a partner's editor
// asks to sign another server's open call from its invitations page (a bad address or a call that is
// not open is refused there, nothing stored); the call's editors see the pending request on the call's
// co-signatures page, choose the approval policy, and approve or refuse with a button (CSRF checked).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";

describe("join requests in the editor", { timeout: 120_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let webA: WebClient;
  let webB: WebClient;
  let callId: string;
  let callUrl: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    await createEditor(b.runtime, "koeln", "jan@example.org");
    await b.runtime.users.addMember("gent", "jan@example.org", "editor");
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    });
    callId = call.id;
    callUrl = call.apId.href;
    webA = new WebClient(a.origin);
    await webA.login("ana@example.org", password);
    webB = new WebClient(b.origin);
    await webB.login("jan@example.org", password);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("refuses to ask for what cannot be signed, with the reason, storing nothing", async () => {
    const page = await webB.get("/manage/@koeln/invitations?lang=en");
    expect(page.text).toContain("Ask to sign a call of another server");
    expect((await webB.post("/manage/@koeln/joins?lang=en", { call: "not a url" })).status).toBe(422);
    const draft = await webB.post("/manage/@koeln/joins?lang=en", { call: callUrl });
    expect(draft.status).toBe(422);
    expect(draft.text).toContain("This call cannot be signed from here.");
    expect(draft.text).toContain(`value="${callUrl}"`);
    expect(await b.runtime.joins.sent("cli", "koeln")).toEqual([]);
  });

  it("asks, then the call's editor approves with a button", async () => {
    await a.runtime.calls.open(editorA, callId);
    const signatures = await webA.get(`/manage/calls/${callId}/signatures?lang=en`);
    expect(signatures.text).toContain("Requests to sign");
    expect(signatures.text).toContain("No request waiting.");
    expect((await webB.post("/manage/@koeln/joins", { call: callUrl, _csrf: null })).status).toBe(403);
    const asked = await webB.post("/manage/@koeln/joins", { call: callUrl });
    expect(asked.status).toBe(303);
    expect(asked.location).toBe("/manage/@koeln/invitations?done=joinRequested");
    expect((await webB.get("/manage/@koeln/invitations?lang=en")).text).toContain("waiting for an answer");
    const [request] = await until("the request at cdc", async () => {
      const list = await a.runtime.joins.requests(editorA, callId);
      return list.length > 0 ? list : undefined;
    });
    expect(request?.state).toBe("pending");
    const page = await webA.get(`/manage/calls/${callId}/signatures?lang=en`);
    expect(page.text).toContain(b.url("/@koeln").href);
    expect(page.text).toContain(`/manage/calls/${callId}/join-requests/${request?.id}/approve`);
    expect((await webA.post(`/manage/calls/${callId}/join-requests/${request?.id}/approve`, { _csrf: null })).status).toBe(403);
    expect((await a.runtime.cosign.signatories(callId)).length).toBe(0);
    const approved = await webA.post(`/manage/calls/${callId}/join-requests/${request?.id}/approve`, {});
    expect(approved.location).toBe(`/manage/calls/${callId}/signatures?done=joinApproved`);
    expect((await a.runtime.cosign.signatories(callId)).map((s) => s.signer.apId)).toEqual([b.url("/@koeln").href]);
    await until("koeln to see it is listed", async () => (await webB.get("/manage/@koeln/invitations?lang=en")).text.includes("listed among the signatories"));
  });

  it("saves the policy, and a refusal lists nothing", async () => {
    const saved = await webA.post(`/manage/calls/${callId}/join-policy`, { policy: "automatic" });
    expect(saved.location).toBe(`/manage/calls/${callId}/signatures?done=joinPolicySaved`);
    expect(await a.runtime.joins.policy(editorA, callId)).toBe("automatic");
    await webA.post(`/manage/calls/${callId}/join-policy`, { policy: "manual" });
    expect(await a.runtime.joins.policy(editorA, callId)).toBe("manual");
    await webB.post("/manage/@gent/joins", { call: callUrl });
    const request = await until("gent's request at cdc", async () => (await a.runtime.joins.requests(editorA, callId)).find((r) => r.requester.apId === b.url("/@gent").href));
    const refused = await webA.post(`/manage/calls/${callId}/join-requests/${request.id}/refuse`, {});
    expect(refused.location).toBe(`/manage/calls/${callId}/signatures?done=joinRefused`);
    await until("gent to see the refusal", async () => (await b.runtime.joins.sent("cli", "gent"))[0]?.state === "refused");
    expect((await a.runtime.cosign.signatories(callId)).map((s) => s.signer.apId)).toEqual([b.url("/@koeln").href]);
  });
});
