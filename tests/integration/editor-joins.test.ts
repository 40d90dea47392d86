// Join requests in the editor (issue 9) between two Relais instances over real HTTP: a partner's editor
// opens the "request to sign" screen, gives the address of another server's open call, reads its exact
// text in each language, chooses the languages and sends the request (a bad address or a call that is
// not open is refused with the reason, nothing stored; a request for a text not read, or changed since,
// shows the text again), then sees its pending requests; the call's editors see the pending request on
// the call's co-signatures page, choose the approval policy, and approve or refuse with a button (CSRF
// checked). Every page in fr, de, nl and en without a missing key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
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

  it("refuses to read what cannot be signed, with the reason, storing nothing", async () => {
    const page = await webB.get("/manage/@koeln/invitations?lang=en");
    expect(page.text).toContain("Ask to sign a call of another server");
    expect(page.text).toContain('action="/manage/@koeln/joins/new"');
    expect((await webB.get("/manage/@koeln/joins/new?lang=en&call=not%20a%20url")).status).toBe(422);
    const draft = await webB.get(`/manage/@koeln/joins/new?lang=en&call=${encodeURIComponent(callUrl)}`);
    expect(draft.status).toBe(422);
    expect(draft.text).toContain("This call cannot be signed from here.");
    expect(draft.text).toContain(`value="${callUrl}"`);
    expect(draft.text).not.toContain("Send the request to sign");
    // Someone who is not koeln's editor has no such screen.
    expect((await webA.get("/manage/@koeln/joins/new")).status).toBe(403);
    expect(await b.runtime.joins.sent("cli", "koeln")).toEqual([]);
  });

  it("reads the call per language, sends the request for the languages chosen, then the call's editor approves with a button", async () => {
    await a.runtime.calls.open(editorA, callId);
    const signatures = await webA.get(`/manage/calls/${callId}/signatures?lang=en`);
    expect(signatures.text).toContain("Requests to sign");
    expect(signatures.text).toContain("No request waiting.");
    const missingBefore = missingTranslationKeys().length;
    for (const lang of ["fr", "de", "nl"]) expect((await webB.get(`/manage/@koeln/joins/new?lang=${lang}&call=${encodeURIComponent(callUrl)}`)).status).toBe(200);
    const read = await webB.get(`/manage/@koeln/joins/new?lang=en&call=${encodeURIComponent(callUrl)}`);
    expect(missingTranslationKeys().length).toBe(missingBefore);
    expect(read.status).toBe(200);
    // The exact text in each language, the reference language marked, a box per language.
    expect(read.text).toContain('<h2 id="text-fr-title">Stop au contrôle algorithmique</h2>');
    expect(read.text).toContain('<h2 id="text-de-title">Schluss mit der Algorithmen-Kontrolle</h2>');
    expect(read.text).toContain("<li>Abschaffung des Risiko-Scores</li>");
    expect(read.text).toContain("<strong>exigeons</strong>");
    expect(read.text).toContain('name="language.fr"');
    expect(read.text).toContain('name="language.de"');
    expect(read.text).toContain('name="version" value="1"');
    expect(await b.runtime.joins.sent("cli", "koeln")).toEqual([]);
    // No CSRF token; no language; without having read the text: nothing is sent.
    expect((await webB.post("/manage/@koeln/joins", { call: callUrl, version: "1", "language.fr": "1", _csrf: null })).status).toBe(403);
    const none = await webB.post("/manage/@koeln/joins?lang=en", { call: callUrl, version: "1" });
    expect([none.status, none.text.includes("Choose at least one language to sign.")]).toEqual([422, true]);
    const unread = await webB.post("/manage/@koeln/joins?lang=en", { call: callUrl, "language.fr": "1" });
    expect([unread.status, unread.text.includes("text before asking to sign it.")]).toEqual([409, true]);
    expect(await b.runtime.joins.sent("cli", "koeln")).toEqual([]);

    const asked = await webB.post("/manage/@koeln/joins", { call: callUrl, version: "1", "language.fr": "1" });
    expect(asked.status).toBe(303);
    expect(asked.location).toBe("/manage/@koeln/joins/new?done=joinRequested");
    const sent = await b.runtime.joins.sent("cli", "koeln");
    expect(sent.map((s) => [s.version, s.languages])).toEqual([[1, ["fr"]]]);
    const mine = await webB.get("/manage/@koeln/joins/new?lang=en&done=joinRequested");
    expect(mine.text).toContain("Your request to sign has been sent");
    expect(mine.text).toContain("waiting for an answer");
    expect(mine.text).toContain("Version 1 (French)");
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
    await until("koeln to see it is listed", async () => (await webB.get("/manage/@koeln/joins/new?lang=en")).text.includes("listed among the signatories"));
  });

  it("shows the text again when the call changed since it was read", async () => {
    const v = await a.runtime.calls.get(editorA, callId);
    await a.runtime.calls.update(editorA, callId, { body: { ...v.bodySource, de: "Wir **fordern** das sofortige Ende des Scores." } });
    const stale = await webB.post("/manage/@gent/joins?lang=en", { call: callUrl, version: "1", "language.fr": "1" });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain("The call has changed since you read it");
    expect(stale.text).toContain("sofortige");
    expect(stale.text).toContain('name="version" value="2"');
    expect(await b.runtime.joins.sent("cli", "gent")).toEqual([]);
  });

  it("saves the policy, and a refusal lists nothing", async () => {
    const saved = await webA.post(`/manage/calls/${callId}/join-policy`, { policy: "automatic" });
    expect(saved.location).toBe(`/manage/calls/${callId}/signatures?done=joinPolicySaved`);
    expect(await a.runtime.joins.policy(editorA, callId)).toBe("automatic");
    await webA.post(`/manage/calls/${callId}/join-policy`, { policy: "manual" });
    expect(await a.runtime.joins.policy(editorA, callId)).toBe("manual");
    await webB.post("/manage/@gent/joins", { call: callUrl, version: "2", "language.fr": "1" });
    const request = await until("gent's request at cdc", async () => (await a.runtime.joins.requests(editorA, callId)).find((r) => r.requester.apId === b.url("/@gent").href));
    const refused = await webA.post(`/manage/calls/${callId}/join-requests/${request.id}/refuse`, {});
    expect(refused.location).toBe(`/manage/calls/${callId}/signatures?done=joinRefused`);
    await until("gent to see the refusal", async () => (await b.runtime.joins.sent("cli", "gent"))[0]?.state === "refused");
    expect((await a.runtime.cosign.signatories(callId)).map((s) => s.signer.apId)).toEqual([b.url("/@koeln").href]);
  });
});
