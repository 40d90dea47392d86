// The signing screens of the editor (issue 9) between two Relais instances over real HTTP: the
// initiator's editor invites a partner collective to sign the call's version from the call's
// co-signatures page; the partner's editor reads the exact text in each language on its invitations
// page and signs; the initiator's page then shows the verified signature. Declining, choosing no
// language, CSRF and roles are checked too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";
import { WebClient } from "../support/web-client.ts";

const password = "correct horse battery";
const htmlText = (s: string) => s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

describe("the signing screens", { timeout: 120_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let webA: WebClient;
  let webB: WebClient;
  let callId: string;

  const newCall = async (title: string) => {
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: title, de: `${title} (de)` },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    });
    await a.runtime.calls.consult(editorA, call.id);
    return call.id;
  };
  const invitationsAtKoeln = () => b.runtime.cosign.received("cli", "koeln");

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await a.runtime.collectives.create({ slug: "autre", name: { fr: "Autre" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    await createEditor(a.runtime, "autre", "omar@example.org");
    await createEditor(b.runtime, "koeln", "jan@example.org");
    await createEditor(b.runtime, "gent", "lies@example.org");
    callId = await newCall("Stop au contrôle algorithmique");
    webA = new WebClient(a.origin);
    await webA.login("ana@example.org", password);
    webB = new WebClient(b.origin);
    await webB.login("jan@example.org", password);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("lets the initiator's editor invite a partner from the call's page, refusing what cannot be found", async () => {
    const call = await webA.get(`/manage/calls/${callId}?lang=en`);
    expect(call.text).toContain(`href="/manage/calls/${callId}/signatures"`);
    const page = await webA.get(`/manage/calls/${callId}/signatures`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Invite a partner to sign version 1");
    const nobody = await webA.post(`/manage/calls/${callId}/signatures`, { partner: `@nobody@${b.origin.host}` });
    expect(nobody.status).toBe(422);
    expect(htmlText(nobody.text)).toContain("This collective could not be found or cannot sign.");
    expect(htmlText(nobody.text)).toContain(`value="@nobody@${b.origin.host}"`);
    expect((await webA.post(`/manage/calls/${callId}/signatures`, { partner: `@koeln@${b.origin.host}`, _csrf: null })).status).toBe(403);
    const omar = new WebClient(a.origin);
    await omar.login("omar@example.org", password);
    expect([403, 404]).toContain((await omar.get(`/manage/calls/${callId}/signatures`)).status);
    expect([403, 404]).toContain((await omar.post(`/manage/calls/${callId}/signatures`, { partner: `@koeln@${b.origin.host}` })).status);
    expect((await a.runtime.cosign.invitations(editorA, callId)).invitations).toEqual([]);

    const badDate = await webA.post(`/manage/calls/${callId}/signatures`, { partner: `@koeln@${b.origin.host}`, expires: "next week" });
    expect(badDate.status).toBe(422);
    expect(htmlText(badDate.text)).toContain("Give the date as the calendar offers it");
    expect((await a.runtime.cosign.invitations(editorA, callId)).invitations).toEqual([]);

    const invited = await webA.post(`/manage/calls/${callId}/signatures`, { partner: `@koeln@${b.origin.host}`, expires: "2030-02-20" });
    expect(invited.location).toBe(`/manage/calls/${callId}/signatures?done=invitedToSign`);
    const listed = await webA.get(invited.location as string);
    expect(listed.text).toContain("AG Köln");
    expect(listed.text).toContain('class="state state-invited">Waiting for an answer');
    const [sent] = (await a.runtime.cosign.invitations(editorA, callId)).invitations;
    // The end of that day in the call's zone (Europe/Paris, the collective's default: UTC+1 in February).
    expect(sent?.expiresAt.toString()).toBe("2030-02-20T22:59:00Z");
  });

  it("shows the partner's editors the exact text in each language, and signs the languages chosen", async () => {
    const [inv] = await until("the invitation at koeln", async () => {
      const items = await invitationsAtKoeln();
      return items.length > 0 ? items : undefined;
    }, 60_000);
    const id = inv?.id as string;
    const dashboard = await webB.get("/manage/@koeln?lang=de");
    expect(dashboard.text).toContain('href="/manage/@koeln/invitations"');
    const list = await webB.get("/manage/@koeln/invitations");
    expect(list.text).toContain(`href="/manage/@koeln/invitations/${id}"`);
    expect(htmlText(list.text)).toContain("Wartet auf eure Antwort");
    const page = await webB.get(`/manage/@koeln/invitations/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("<strong>exigeons</strong> la fin du score.");
    expect(page.text).toContain("<strong>fordern</strong> das Ende des Scores.");
    expect(page.text).toContain("<li>Abschaffung des Risiko-Scores</li>");
    for (const d of inv?.digests ?? []) expect(page.text).toContain(d.digest);

    // Another collective's editor of the same server sees nothing of it; no language chosen signs nothing.
    const lies = new WebClient(b.origin);
    await lies.login("lies@example.org", password);
    expect((await lies.get(`/manage/@koeln/invitations/${id}`)).status).toBe(403);
    expect((await lies.post(`/manage/@koeln/invitations/${id}/sign`, { "language.fr": "1" })).status).toBe(403);
    const none = await webB.post(`/manage/@koeln/invitations/${id}/sign`, {});
    expect(none.status).toBe(422);
    expect(htmlText(none.text)).toContain("Wählt mindestens eine Sprache zum Unterschreiben.");
    expect((await invitationsAtKoeln())[0]?.state).toBe("pending");

    const signed = await webB.post(`/manage/@koeln/invitations/${id}/sign`, { "language.fr": "1", "language.de": "1" });
    expect(signed.location).toBe(`/manage/@koeln/invitations/${id}?done=signed`);
    const after = await webB.get(signed.location as string);
    expect(htmlText(after.text)).toContain("Euer Kollektiv hat diese Version unterschrieben.");
    expect(after.text).not.toContain(`/manage/@koeln/invitations/${id}/sign"`);

    // The initiator lists the signature once verified.
    await until("the verified signature at the initiator", async () => {
      const { signatures } = await a.runtime.cosign.invitations(editorA, callId);
      return signatures.some((s) => s.state === "current") || undefined;
    }, 60_000);
    const initiator = await webA.get(`/manage/calls/${callId}/signatures`);
    expect(initiator.text).toContain('class="state state-current">Signed');

    // Revoking asks for the form's confirmation, then the initiator learns it.
    expect((await webB.post(`/manage/@koeln/invitations/${id}/revoke`, {})).location).toBe(`/manage/@koeln/invitations/${id}`);
    expect((await b.runtime.cosign.stamps("cli", "koeln"))[0]?.revokedAt).toBeNull();
    const revoked = await webB.post(`/manage/@koeln/invitations/${id}/revoke`, { confirm: "yes" });
    expect(revoked.location).toBe(`/manage/@koeln/invitations/${id}?done=revoked`);
    expect((await b.runtime.cosign.stamps("cli", "koeln"))[0]?.revokedAt).not.toBeNull();
    expect(htmlText((await webB.get(revoked.location as string)).text)).toContain("Euer Kollektiv hat diese Version unterschrieben und die Unterschrift dann zurückgezogen.");
    await until("the revocation at the initiator", async () => {
      const { signatures } = await a.runtime.cosign.invitations(editorA, callId);
      return signatures.some((s) => s.state === "revoked") || undefined;
    }, 60_000);
    expect((await webA.get(`/manage/calls/${callId}/signatures`)).text).toContain('class="state state-revoked">Revoked by the signer');
  });

  it("declines privately after the click, and only from the form", async () => {
    const other = await newCall("Un autre appel");
    await webA.post(`/manage/calls/${other}/signatures`, { partner: `@koeln@${b.origin.host}` });
    const inv = await until("the second invitation at koeln", async () => (await invitationsAtKoeln()).find((i) => i.state === "pending"), 60_000);
    expect((await webB.post(`/manage/@koeln/invitations/${inv.id}/decline`, {})).location).toBe(`/manage/@koeln/invitations/${inv.id}`);
    expect((await webB.post(`/manage/@koeln/invitations/${inv.id}/decline`, { confirm: "yes" }, { origin: "https://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await invitationsAtKoeln()).find((i) => i.id === inv.id)?.state).toBe("pending");
    const declined = await webB.post(`/manage/@koeln/invitations/${inv.id}/decline`, { confirm: "yes" });
    expect(declined.location).toBe(`/manage/@koeln/invitations/${inv.id}?done=declined`);
    expect((await invitationsAtKoeln()).find((i) => i.id === inv.id)?.state).toBe("declined");
    // Answering again is refused with a clear page.
    const again = await webB.post(`/manage/@koeln/invitations/${inv.id}/sign`, { "language.fr": "1" });
    expect(again.status).toBe(409);
  });

  it("withdraws an invitation not answered yet, and refuses to withdraw an answered one", async () => {
    const third = await newCall("Un troisième appel");
    const atGent = () => b.runtime.cosign.received("cli", "gent");
    await webA.post(`/manage/calls/${third}/signatures`, { partner: `@gent@${b.origin.host}` });
    await webA.post(`/manage/calls/${third}/signatures`, { partner: `@koeln@${b.origin.host}` });
    await until("the invitation at gent", async () => (await atGent()).find((i) => i.state === "pending"), 60_000);
    // The partners' ids carry their slug (the hosts are bare addresses).
    const atA = async (slug: "gent" | "koeln") => (await a.runtime.cosign.invitations(editorA, third)).invitations.find((i) => i.partner.apId.includes(slug));
    const gentInv = await atA("gent");
    const koelnInv = await atA("koeln");
    if (!gentInv || !koelnInv) throw new Error("both invitations are listed at the initiator");
    const withdrawPath = `/manage/calls/${third}/signatures/${gentInv.id}/withdraw`;
    expect((await webA.get(`/manage/calls/${third}/signatures?lang=en`)).text).toContain(`action="${withdrawPath}"`);

    // Without the form's token, or from an editor of another collective, nothing changes.
    expect((await webA.post(withdrawPath, { _csrf: null })).status).toBe(403);
    const omar = new WebClient(a.origin);
    await omar.login("omar@example.org", password);
    expect([403, 404]).toContain((await omar.post(withdrawPath, {})).status);
    expect((await atA("gent"))?.state).toBe("invited");

    const withdrawn = await webA.post(withdrawPath, {});
    expect(withdrawn.location).toBe(`/manage/calls/${third}/signatures?done=invitationWithdrawn`);
    expect((await atA("gent"))?.state).toBe("withdrawn");
    const page = await webA.get(`${withdrawn.location as string}&lang=en`);
    expect(htmlText(page.text)).toContain("Invitation withdrawn: the partner's editors no longer see the text.");
    expect(page.text).not.toContain(`action="${withdrawPath}"`);
    // The partner's server learns it: the invitation leaves gent's editors' list.
    await until("the withdrawal at gent", async () => ((await atGent()).some((i) => i.state === "pending") ? undefined : true), 60_000);

    // An answered invitation is not withdrawn: koeln declines, then the initiator's click is refused.
    const atKoeln = await until("the invitation at koeln", async () => (await invitationsAtKoeln()).find((i) => i.state === "pending"), 60_000);
    await webB.post(`/manage/@koeln/invitations/${atKoeln.id}/decline`, { confirm: "yes" });
    await until("the decline at the initiator", async () => ((await atA("koeln"))?.state === "declined" ? true : undefined), 60_000);
    const refused = await webA.post(`/manage/calls/${third}/signatures/${koelnInv.id}/withdraw?lang=en`, {});
    expect(refused.status).toBe(409);
    expect(htmlText(refused.text)).toContain("This invitation can no longer be withdrawn");
    expect((await atA("koeln"))?.state).toBe("declined");
  });
});
