// The 15-minute replay window applies to the initiator's withdrawal of an invitation (design §9,
// FEDERATION.md #4) as to the other co-signing activities: between two Relais instances over real HTTP,
// cdc invites koeln, then the withdrawal `Undo` (the document the initiator sends, signed with cdc's real
// key) is captured and sent after koeln's server clock moved 20 minutes on: refused, the invitation
// still pending. The very same bytes sent with the clock back are accepted and the invitation
// withdrawn, so the window (not the signature or the content) is what refused them.
import { signRequest } from "@fedify/fedify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosignWithdrawDocument } from "../../src/federation/mappers/cosign.mapper.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("the replay window of an invitation's withdrawal", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let offsetMs = 0;
  let callId: string;
  let invitationId: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2", clock: () => new Date(Date.now() + offsetMs) })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    const editor = (await createEditor(a.runtime, "cdc", "zq-withdraw-replay@example.org")).principal;
    const call = await a.runtime.calls.create(editor, "cdc", { title: { fr: "Stop au contrôle" }, body: { fr: "Nous exigeons." }, demands: [{ fr: "Fin du score" }] });
    callId = call.id;
    await a.runtime.calls.consult(editor, callId);
    const found = await a.runtime.cosignPartners(b.url("/@koeln").href);
    if (!found.ok) throw new Error(found.reason);
    invitationId = (await a.runtime.cosign.invite(editor, callId, found.partner)).id;
    await until("koeln to be asked", async () => (await b.runtime.cosign.received("cli", "koeln")).find((i) => i.state === "pending"));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("refuses a captured withdrawal replayed after 20 minutes, and takes the same bytes within the window", async () => {
    const request = a.runtime.urls.callInvitation(callId, invitationId).href;
    const body = JSON.stringify(cosignWithdrawDocument({ id: `${request}#withdraw`, initiator: a.url("/@cdc"), partner: b.url("/@koeln").href, request }));
    const ctx = a.runtime.federation.createContext(a.origin, undefined);
    const [key] = await ctx.getActorKeyPairs("cdc");
    const signed = await signRequest(
      new Request(b.url("/@koeln/inbox"), { method: "POST", headers: { "content-type": "application/activity+json", accept: "application/activity+json" }, body }),
      key!.privateKey,
      key!.keyId,
    );
    const captured = { headers: [...signed.headers.entries()], body };
    const replay = () => fetch(b.url("/@koeln/inbox"), { method: "POST", headers: captured.headers, body: captured.body });
    const state = async () =>
      (await b.runtime.em.fork().getConnection().execute<{ state: string }[]>("select state from received_invitation where request_id = ?", [request]))[0]?.state;

    offsetMs = 20 * 60 * 1000;
    expect((await replay()).status).toBeLessThan(300); // answered as any activity without effect
    await new Promise((r) => setTimeout(r, 3000)); // the queued inbox activities are handled
    expect(await state()).toBe("pending");
    expect((await b.runtime.cosign.received("cli", "koeln")).map((i) => i.state)).toEqual(["pending"]);

    offsetMs = 0;
    expect((await replay()).status).toBeLessThan(300);
    await until("the invitation withdrawn at koeln", async () => (await state()) === "withdrawn");
    expect(await b.runtime.cosign.received("cli", "koeln")).toEqual([]);
  }, 60_000);
});
