// An invitation to sign that expires ("let it expire", issue 9; FEDERATION.md "Co-signed calls") between
// two Relais instances over real HTTP: past its end it can no longer be signed, neither at the invited
// server nor — when that server's clock lags and it signs anyway — at the initiator, which lists
// nothing; and it stays private: the late stamp never becomes public nor is boosted at the launch, even
// when the invited server hears of the launch through another of its collectives that signed in time.
// Likewise a join request not approved yet stays private when the call changes (its Update, like the
// Create, tells the signers' servers the call is open).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;

describe("an invitation to sign that expires", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let tokenB: string;
  let callId: string;
  let callUrl: string;
  /** How far b's clock lags behind the real time. */
  let lagMs = 0;
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });
  const apiB = async (path: string, method = "GET") => {
    const res = await fetch(b.url(path), { method, headers: { authorization: `Bearer ${tokenB}` } });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const invite = async (slug: string, expiresAt?: Temporal.Instant) => {
    const found = await a.runtime.cosignPartners(b.url(`/@${slug}`).href);
    if (!found.ok) throw new Error(found.reason);
    await a.runtime.cosign.invite(editorA, callId, found.partner, { expiresAt });
    return until(`the invitation at ${slug}`, async () => (await b.runtime.cosign.received("cli", slug))[0], 30_000);
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2", clock: () => new Date(Date.now() - lagMs) })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    for (const slug of ["koeln", "gent"]) await b.runtime.collectives.create({ slug, name: { fr: slug }, primaryLanguage: "fr" });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    tokenB = (await createEditor(b.runtime, "koeln", "jan@example.org")).token;
    const call = await a.runtime.calls.create(editorA, "cdc", { title: { fr: "Stop au contrôle" }, body: { fr: "Nous exigeons la fin du score." }, demands: [] });
    callId = call.id;
    callUrl = call.apId.href;
    await a.runtime.calls.consult(editorA, callId);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("can no longer be signed past its end, on either side, and stays private through the launch", async () => {
    const late = await invite("koeln", Temporal.Now.instant().add({ seconds: 3 }));
    await until("the invitation to expire", async () => (await apiB(`/api/v1/collectives/koeln/invitations/${late.id}`)).body.state === "expired", 15_000);
    // The invited server refuses to sign it.
    const refused = await apiB(`/api/v1/collectives/koeln/invitations/${late.id}/sign`, "POST");
    expect([refused.status, String(refused.body.message)]).toEqual([409, expect.stringMatching(/expired/)]);
    expect(await b.runtime.cosign.stamps("cli", "koeln")).toEqual([]);

    // A server whose clock lags signs it anyway: the initiator, by its own clock, lists nothing.
    lagMs = 60_000;
    const signed = await b.runtime.cosign.sign("cli", "koeln", late.id);
    const stampUrl = signed.stamp?.url as string;
    lagMs = 0;
    // gent signs an invitation in time, so that b hears of the launch.
    const inTime = await invite("gent");
    await b.runtime.cosign.sign("cli", "gent", inTime.id);
    await until("gent listed", async () => (await a.runtime.cosign.signatories(callId)).length === 1, 30_000);
    await new Promise((r) => setTimeout(r, 2000)); // koeln's Accept, sent before gent's, is handled by now
    expect((await a.runtime.cosign.signatories(callId)).map((s) => s.signer.apId)).toEqual([b.url("/@gent").href]);
    expect((await a.runtime.cosign.invitations(editorA, callId)).invitations.find((i) => i.partner.apId === b.url("/@koeln").href)?.state).toBe("expired");

    // The launch: gent's stamp becomes public and gent boosts; koeln's late stamp stays private.
    await a.runtime.calls.open(editorA, callId);
    const gentStamp = (await b.runtime.cosign.stamps("cli", "gent"))[0];
    await until("gent's boost", async () => ((await b.runtime.cosign.stamps("cli", "gent"))[0]?.announcedAt ? true : undefined), 30_000);
    expect((await as2(b.url(`/stamps/${gentStamp?.id}`).href)).status).toBe(200);
    const koeln = (await b.runtime.cosign.stamps("cli", "koeln"))[0];
    expect([koeln?.publicAt, koeln?.announcedAt]).toEqual([null, null]);
    expect((await as2(stampUrl)).status).toBe(404);
    expect(((await (await as2(b.url("/@koeln/endorsements").href)).json()) as Json).totalItems).toBe(0);
    const signatories = JSON.stringify(await (await as2(`${callUrl}/signatories`)).json());
    expect(signatories).toContain("/@gent");
    expect(signatories).not.toContain("/@koeln");
    expect(JSON.stringify(await (await as2(`${callUrl}/signatories/pending`)).json())).not.toContain("/@koeln");
  }, 120_000);

  it("keeps a join request waiting for approval private when the open call changes", async () => {
    await b.runtime.collectives.create({ slug: "liege", name: { fr: "Liège" }, primaryLanguage: "fr" });
    const read = await b.runtime.callToJoin("liege", callUrl);
    if (!read.ok) throw new Error(read.reason);
    const asked = await b.runtime.joins.requestToJoin("cli", "liege", read.call);
    await until("liege's request at cdc", async () => (await a.runtime.joins.requests(editorA, callId)).find((r) => r.state === "pending"), 30_000);
    // A new translation: an Update of the open call reaches b (gent signed it).
    const v = await a.runtime.calls.get(editorA, callId);
    await a.runtime.calls.update(editorA, callId, { title: { ...v.title, de: "Schluss mit der Kontrolle" }, body: { ...v.bodySource, de: "Wir fordern das Ende des Scores." } });
    await new Promise((r) => setTimeout(r, 3000)); // b has handled the Update by now
    const liege = (await b.runtime.cosign.stamps("cli", "liege"))[0];
    expect([liege?.id, liege?.publicAt, liege?.announcedAt]).toEqual([asked.stampId, null, null]);
    expect((await as2(asked.url)).status).toBe(404);
  }, 60_000);
});
