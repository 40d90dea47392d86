// Stamps offered where they do not belong, and signers that go away (design §13 rows 10 and 16): the
// signer's own server, with its own key over real HTTP, answers the initiator's invitation to call C2
// with its stamp for call C1, then with its stamp for co-organising an event: neither is listed, nothing
// is stored or sent, and the invitation can still be signed properly. When the signer's actor is deleted
// (its Delete of itself), the initiator unlists every signature of it at once, without a change note;
// when the initiator's actor is deleted, the signer keeps its stamps.
import { Accept, Delete } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("stamps offered for the wrong object, and a signer deleted", { timeout: 300_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let koeln: string;
  const calls: { id: string; url: string }[] = [];
  let c1Stamp: string;
  let eventStamp: string;
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });
  const count = async (at: RelaisInstance, table: string) => Number((await at.runtime.em.fork().getConnection().execute<{ n: string }[]>(`select count(*) as n from ${table}`))[0]?.n);
  /** An activity from koeln's own server, signed with koeln's key, to cdc's inbox. */
  const fromKoeln = (activity: Accept | Delete) =>
    b.runtime.federation
      .createContext(b.origin, undefined)
      .sendActivity({ identifier: "koeln" }, { id: a.url("/@cdc"), inboxId: a.url("/@cdc/inbox") }, activity, { immediate: true });
  const pendingInvitation = async (callId: string) => (await a.runtime.cosign.invitations(editorA, callId)).invitations.find((i) => i.partner.apId === koeln);

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    koeln = b.url("/@koeln").href;
    editorA = (await createEditor(a.runtime, "cdc", "zq-confusion-marker@example.org")).principal;
    const found = await a.runtime.cosignPartners(koeln);
    if (!found.ok) throw new Error(found.reason);
    for (const title of ["Stop au contrôle algorithmique", "Pour des allocations sans score"]) {
      const call = await a.runtime.calls.create(editorA, "cdc", { title: { fr: title }, body: { fr: `${title} : nous **exigeons**.` }, demands: [{ fr: "Fin du score" }] });
      calls.push({ id: call.id, url: call.apId.href });
      await a.runtime.calls.consult(editorA, call.id);
      await a.runtime.cosign.invite(editorA, call.id, found.partner);
      await until(`koeln asked for ${title}`, async () => (await b.runtime.cosign.received("cli", "koeln")).find((i) => i.call.apId === call.apId.href && i.state === "pending"));
    }
    // koeln signs C1 only; C2's invitation stays open.
    const c1 = calls[0] as { id: string; url: string };
    const inv = (await b.runtime.cosign.received("cli", "koeln")).find((i) => i.call.apId === c1.url && i.state === "pending");
    c1Stamp = (await b.runtime.cosign.sign("cli", "koeln", inv?.id as string, { languages: ["fr"] })).stamp?.url as string;
    await until("C1 lists koeln", async () => (await a.runtime.cosign.signatories(c1.id)).some((s) => s.stampId === c1Stamp));
    // koeln also co-organises an event of cdc: a CoorganizeAuthorization of its own.
    const created = await a.runtime.events.create(editorA, "cdc", {
      name: { fr: "Marche contre le contrôle" },
      startsAt: "2030-03-08T14:00",
      timezone: "Europe/Paris",
      location: { name: "Place Bellecour", locality: "Lyon", country: "FR" },
      published: true,
    });
    await a.runtime.coorganise.host.invite(editorA, created.event.id, found.partner);
    const item = await until("the event invitation at koeln", async () => (await b.runtime.coorganise.partner.list("cli", "koeln"))[0]);
    const accepted = await b.runtime.coorganise.partner.accept("cli", "koeln", item.id);
    eventStamp = accepted.requests[0]?.stampUrl as string;
    expect(new URL(eventStamp).origin).toBe(b.origin.origin);
    await until("the event lists koeln", async () => (await a.runtime.coorganise.host.listed(created.event.id)).length === 1);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("refuses a stamp for call C1 and a CoorganizeAuthorization offered for call C2 (§13 #10)", async () => {
    const c2 = calls[1] as { id: string; url: string };
    const invitation = await pendingInvitation(c2.id);
    expect(invitation?.state).toBe("invited");
    const request = a.url(`/calls/${c2.id}/invitations/${invitation?.id}`);
    const before = { signatures: await count(a, "call_signature"), outbox: await count(a, "outbox") };
    for (const [n, stamp] of [[1, c1Stamp], [2, eventStamp]] as const) {
      await fromKoeln(new Accept({ id: new URL(`${koeln}#confused-accept-${n}`), actor: new URL(koeln), object: request, result: new URL(stamp) }));
    }
    await new Promise((r) => setTimeout(r, 3000)); // the queued inbox activities are handled
    expect(await a.runtime.cosign.signatories(c2.id)).toEqual([]);
    expect(await count(a, "call_signature")).toBe(before.signatures);
    expect(await count(a, "outbox")).toBe(before.outbox);
    expect((await pendingInvitation(c2.id))?.state).toBe("invited");
    // The invitation itself is intact: signed properly, C2 lists koeln.
    const inv = (await b.runtime.cosign.received("cli", "koeln")).find((i) => i.call.apId === c2.url && i.state === "pending");
    const stamp = (await b.runtime.cosign.sign("cli", "koeln", inv?.id as string, { languages: ["fr"] })).stamp?.url as string;
    await until("C2 lists koeln", async () => (await a.runtime.cosign.signatories(c2.id)).some((s) => s.stampId === stamp), 10_000);
  });

  it("unlists every signature of a deleted signer at once, with no change note (§13 #16)", async () => {
    await a.runtime.calls.open(editorA, (calls[0] as { id: string }).id);
    await until("C1 public", async () => (await as2((calls[0] as { url: string }).url)).status === 200);
    const notes = await count(a, "call_change_note");
    await fromKoeln(new Delete({ id: new URL(`${koeln}#delete`), actor: new URL(koeln), object: new URL(koeln) }));
    for (const call of calls) await until(`${call.url} to unlist koeln`, async () => (await a.runtime.cosign.signatories(call.id)).length === 0, 10_000);
    const collection = (await (await as2(`${(calls[0] as { url: string }).url}/signatories`)).json()) as Record<string, unknown>;
    expect(collection.totalItems).toBe(0);
    for (const stamp of [c1Stamp]) expect(await a.runtime.cosign.isRevoked(stamp)).toBe(true);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await count(a, "call_change_note")).toBe(notes);
  });

  it("keeps the signer's stamps when the initiator's actor is deleted (§13 #16)", async () => {
    const live = async () => (await b.runtime.cosign.stamps("cli", "koeln")).filter((s) => s.revokedAt === null).map((s) => s.id).sort();
    const before = await live();
    expect(before).toContain(new URL(c1Stamp).pathname.split("/").pop());
    const cdc = a.url("/@cdc");
    await a.runtime.federation
      .createContext(a.origin, undefined)
      .sendActivity({ identifier: "cdc" }, { id: new URL(koeln), inboxId: new URL(`${koeln}/inbox`) }, new Delete({ id: new URL(`${cdc.href}#delete`), actor: cdc, object: cdc }), { immediate: true });
    await new Promise((r) => setTimeout(r, 3000)); // the queued inbox activity is handled
    expect(await live()).toEqual(before);
    expect(await b.runtime.cosign.isRevoked(c1Stamp)).toBe(false);
  });
});
