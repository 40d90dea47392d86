// The 15-minute replay window of co-signing activities (issue 9; design §9, FEDERATION.md "Join
// requests"): a join request (a Create of a stamp) signed with the requesting collective's real key is
// captured, then sent after the initiator's clock moved 20 minutes on: refused, nothing stored. The very
// same bytes sent with the clock back are accepted and the collective listed, so the window (not the
// signature or the content) is what refused them. Fedify itself accepts an hour.
import { signRequest } from "@fedify/fedify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinRequestDocument } from "../../src/federation/mappers/join.mapper.ts";
import { versionDigests } from "../../src/modules/cosign/call-digest.ts";
import { CosignStampSchema } from "../../src/modules/cosign/cosign.entity.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("the replay window of co-signing activities", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let offsetMs = 0;
  let callId: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1", clock: () => new Date(Date.now() + offsetMs) }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    const editor = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    const call = await a.runtime.calls.create(editor, "cdc", { title: { fr: "Stop au contrôle" }, body: { fr: "Nous exigeons." }, demands: [] });
    callId = call.id;
    await a.runtime.calls.open(editor, callId);
    await a.runtime.joins.setPolicy(editor, callId, "automatic");
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("refuses a captured join request replayed after 20 minutes, and takes the same bytes within the window", async () => {
    const signable = await a.runtime.cosign.signableVersion(callId, 1);
    const em = b.runtime.em.fork();
    const koeln = await b.runtime.collectives.findBySlug("koeln");
    // koeln's stamp (as `relais call join` makes it), without its outbox row: the test sends the Create.
    const stamp = em.create(CosignStampSchema, {
      collective: koeln!.id,
      invitation: null,
      callApId: a.url(`/calls/${callId}`).href,
      initiatorApId: a.url("/@cdc").href,
      initiatorInbox: a.url("/@cdc/inbox").href,
      initiatorSharedInbox: null,
      signatoriesUrl: a.url(`/calls/${callId}/signatories`).href,
      version: 1,
      digests: versionDigests(signable!),
      versionDocument: {},
      signedAt: new Date(),
    });
    await em.flush();
    const stampUrl = b.runtime.urls.stamp(stamp.id);
    const body = JSON.stringify(
      joinRequestDocument({ id: b.runtime.urls.stampJoin(stamp.id), signer: b.url("/@koeln"), initiator: a.url("/@cdc").href, stamp: stampUrl, signatories: a.url(`/calls/${callId}/signatories`).href }),
    );
    const ctx = b.runtime.federation.createContext(b.origin, undefined);
    const [key] = await ctx.getActorKeyPairs("koeln");
    const signed = await signRequest(
      new Request(a.url("/@cdc/inbox"), { method: "POST", headers: { "content-type": "application/activity+json", accept: "application/activity+json" }, body }),
      key!.privateKey,
      key!.keyId,
    );
    const captured = { headers: [...signed.headers.entries()], body };
    const replay = () => fetch(a.url("/@cdc/inbox"), { method: "POST", headers: captured.headers, body: captured.body });
    const requests = async () =>
      Number((await a.runtime.em.fork().getConnection().execute<{ n: string }[]>("select count(*) as n from call_join_request"))[0]?.n);

    offsetMs = 20 * 60 * 1000;
    expect((await replay()).status).toBeLessThan(300); // answered as any activity without effect
    await new Promise((r) => setTimeout(r, 3000)); // the queued inbox activities are handled
    expect(await requests()).toBe(0);
    expect(await a.runtime.cosign.signatories(callId)).toEqual([]);

    offsetMs = 0;
    expect((await replay()).status).toBeLessThan(300);
    await until("koeln listed", async () => (await a.runtime.cosign.signatories(callId)).some((s) => s.stampId === stampUrl.href));
    expect(await requests()).toBe(1);
  }, 60_000);

  it("names new signatories in one batched change note, at most one a day, quoting the call", async () => {
    for (const slug of ["gent", "liege"]) {
      await b.runtime.collectives.create({ slug, name: { nl: slug.toUpperCase() }, primaryLanguage: "nl" });
      const found = await b.runtime.callToJoin(slug, a.url(`/calls/${callId}`).href);
      if (!found.ok) throw new Error(found.reason);
      await b.runtime.joins.requestToJoin("cli", slug, found.call);
    }
    await until("three signatories", async () => (await a.runtime.cosign.signatories(callId)).length === 3);
    const now = () => new Date(Date.now() + offsetMs);
    expect(await a.runtime.calls.noteNewSignatories(now())).toBe(0); // gathered for an hour first
    offsetMs = 2 * 60 * 60 * 1000;
    expect(await a.runtime.calls.noteNewSignatories(now())).toBe(1);
    expect(await a.runtime.calls.noteNewSignatories(now())).toBe(0);
    const call = await a.runtime.calls.load(callId);
    const note = await a.runtime.calls.changeNote(callId, call!.revision);
    expect(note?.kinds).toEqual(["signatories"]);
    expect(Object.values(note!.text)[0]).toMatch(/^3 nouveaux signataires de l'appel « Stop au contrôle » : /);
    for (const name of ["GENT", "LIEGE"]) expect(Object.values(note!.text)[0]).toContain(name);
    // Served as a Note quoting the call, with changeKind NewPartners.
    const served = (await (await fetch(a.url(`/calls/${callId}/changes/${call!.revision}`), { headers: { accept: "application/activity+json" } })).json()) as Record<string, unknown>;
    expect(served).toMatchObject({ type: "Note", quote: a.url(`/calls/${callId}`).href, changeKind: ["NewPartners"] });

    // A fourth signs the same day: no second note until a day after the first.
    offsetMs = 0;
    await b.runtime.collectives.create({ slug: "mons", name: { fr: "Mons" }, primaryLanguage: "fr" });
    const found = await b.runtime.callToJoin("mons", a.url(`/calls/${callId}`).href);
    if (!found.ok) throw new Error(found.reason);
    await b.runtime.joins.requestToJoin("cli", "mons", found.call);
    await until("four signatories", async () => (await a.runtime.cosign.signatories(callId)).length === 4);
    offsetMs = 3 * 60 * 60 * 1000;
    expect(await a.runtime.calls.noteNewSignatories(now())).toBe(0);
    offsetMs = 27 * 60 * 60 * 1000;
    expect(await a.runtime.calls.noteNewSignatories(now())).toBe(1);
    const second = await a.runtime.calls.changeNote(callId, (await a.runtime.calls.load(callId))!.revision);
    expect(Object.values(second!.text)[0]).toMatch(/^1 nouveau signataire de l.appel « Stop au contrôle » : Mons$/s);
  }, 60_000);
});
