// Picking a partner's call to sign from a list (issue 9, join requests), two Relais instances over real
// HTTP with real signatures: koeln follows cdc on another server. When cdc launches a call, its Create
// reaches koeln's server, and koeln's "request to sign" screen lists it (title, collective, signing
// deadline) with a "request to sign" button that reads its exact text first; once asked, the list says
// "waiting for an answer" instead. A collective that does not follow cdc sees none; a draft, and a call of
// a collective nobody follows, never arrive; a closed call (Update) and a deleted one (Delete) leave the
// list. The address form stays as the fallback. Every page in fr, de, nl and en without a missing key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { createEditor } from "../support/editor.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";
import { WebClient } from "../support/web-client.ts";

const body = (title: string) => ({
  title: { fr: title, de: `${title} (de)` },
  body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
  demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
});

describe("a partner's open calls on the join screen", { timeout: 180_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let webB: WebClient;
  const kept = async () => (await b.runtime.em.fork().getConnection().execute<{ ap_id: string; status: string }[]>("select ap_id, status from partner_call order by ap_id")).map((r) => [r.ap_id, r.status]);
  const screen = async (slug = "koeln", lang = "en") => {
    const res = await webB.get(`/manage/@${slug}/joins/new?lang=${lang}`);
    expect(res.status).toBe(200);
    return res.text;
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.3" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await a.runtime.collectives.create({ slug: "seul", name: { fr: "Collectif que personne ne suit" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    await createEditor(b.runtime, "koeln", "jan@example.org");
    await b.runtime.users.addMember("gent", "jan@example.org", "editor");
    await followPartner(b, "koeln", handleOf(a, "cdc"));
    webB = new WebClient(b.origin);
    await webB.login("jan@example.org", "correct horse battery");
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("lists a followed partner's open call with a 'request to sign' button, then where the request stands", async () => {
    const empty = await screen();
    expect(empty).toContain("Open calls of your partners");
    expect(empty).toContain("None of the collectives yours follows has an open call");
    // The address form stays.
    expect(empty).toContain('name="call"');
    // The invitations page leads there.
    expect((await webB.get("/manage/@koeln/invitations?lang=en")).text).toContain('<a href="/manage/@koeln/joins/new#partner-calls">Pick one of your partners&#39; open calls</a>');

    const draft = await a.runtime.calls.create(editorA, "cdc", body("Brouillon jamais publié"));
    const lonely = await a.runtime.calls.create("cli", "seul", body("Appel que personne ne suit"));
    await a.runtime.calls.open("cli", lonely.id);
    const call = await a.runtime.calls.create(editorA, "cdc", { ...body("Stop au contrôle algorithmique"), deadline: "2030-03-01" });
    await a.runtime.calls.open(editorA, call.id);
    const url = call.apId.href;
    await until("koeln's server to keep cdc's call", async () => (await kept()).length > 0);
    expect(await kept()).toEqual([[url, "open"]]);

    const missingBefore = missingTranslationKeys().length;
    const listed = await screen();
    expect(listed).toContain(">Stop au contrôle algorithmique</a>");
    expect(listed).toContain("by Collectif contre le contrôle");
    expect(listed).toContain("sign by Mar 1, 2030, 10:59 PM (UTC)");
    expect(listed).toContain(`<input type="hidden" name="call" value="${url}"><button type="submit">Request to sign</button>`);
    expect(listed).not.toContain("Brouillon jamais publié");
    expect(listed).not.toContain("Appel que personne ne suit");
    expect(await screen("koeln", "fr")).toContain("Demander à signer");
    expect(await screen("koeln", "de")).toContain("Unterzeichnung anfragen");
    expect(await screen("koeln", "nl")).toContain("Vragen om te ondertekenen");
    expect(missingTranslationKeys().length).toBe(missingBefore);
    // gent follows nobody: nothing of cdc's.
    const gent = await screen("gent");
    expect(gent).toContain("None of the collectives yours follows has an open call");
    expect(gent).not.toContain("Stop au contrôle algorithmique");
    expect(draft.id).not.toBe(call.id);

    // The button reads the exact text first (the same GET as the address form), then the request is sent.
    const read = await webB.get(`/manage/@koeln/joins/new?lang=en&call=${encodeURIComponent(url)}`);
    expect(read.status).toBe(200);
    expect(read.text).toContain('<h2 id="text-de-title">Stop au contrôle algorithmique (de)</h2>');
    expect(read.text).not.toContain("Open calls of your partners");
    const asked = await webB.post("/manage/@koeln/joins", { call: url, version: "1", "language.fr": "1", "language.de": "1" });
    expect(asked.status).toBe(303);
    const after = await screen();
    expect(after).toContain(">Stop au contrôle algorithmique</a>");
    expect(after).toContain('<strong class="answer">waiting for an answer</strong>');
    expect(after).not.toContain(`name="call" value="${url}"><button`);
  });

  it("drops a call its collective closes (Update) or deletes (Delete)", async () => {
    const [first] = await a.runtime.calls.list("cdc", editorA);
    const other = await a.runtime.calls.create(editorA, "cdc", body("Un deuxième appel"));
    await a.runtime.calls.open(editorA, other.id);
    await until("the second call listed", async () => (await screen()).includes("Un deuxième appel"));

    await a.runtime.calls.close(editorA, (first as { id: string }).id);
    await until("the closed call to leave the list", async () => !(await screen()).includes("Stop au contrôle algorithmique"));
    expect(await kept()).toContainEqual([(first as { apId: URL }).apId.href, "closed"]);

    await a.runtime.calls.delete(editorA, other.id);
    await until("the deleted call to leave the list", async () => !(await screen()).includes("Un deuxième appel"));
    expect((await kept()).map(([id]) => id)).not.toContain(other.apId.href);
  });

  it("forgets a partner's calls once no collective here follows it", async () => {
    const third = await a.runtime.calls.create(editorA, "cdc", body("Un troisième appel"));
    await a.runtime.calls.open(editorA, third.id);
    await until("the third call listed", async () => (await screen()).includes("Un troisième appel"));
    const [partner] = await b.runtime.partners.list("cli", "koeln");
    await b.runtime.partners.unfollow("cli", "koeln", (partner as { id: string }).id);
    expect(await kept()).toEqual([]);
    expect(await screen()).not.toContain("Un troisième appel");
  });
});
