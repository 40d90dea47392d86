// "Unreachable since T" (issue 9; design §8 "Re-checks", §10 "Signer offline"): the initiator re-checks
// the stamps it lists at their signers' origins. With the signer's server stopped, the signature stays
// listed and the call's editors see "unreachable since <the first failed round>" beside it, on the
// co-signatures page (fr/de/nl/en, no missing key) and in the JSON API; a later failed round keeps the
// first time. Once the signer's server is started again (same database, same address), the next round
// confirms the stamp and the mark is gone. Two real instances over HTTP, the signer's on its own database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { missingTranslationKeys } from "../../src/shared/i18n.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createTestDatabase } from "../support/services.ts";
import { until } from "../support/wait.ts";
import { WebClient } from "../support/web-client.ts";

type Json = Record<string, unknown>;

describe("a signer's server found unreachable at the initiator's re-check", { timeout: 240_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance | undefined;
  let bDb: { url: string; drop: () => Promise<void> };
  let bPort: number;
  let editorA: Principal;
  let tokenA: string;
  let webA: WebClient;
  let callId: string;
  const startB = (port?: number) => startRelaisInstance({ host: "127.0.0.3", database: { url: bDb.url }, ...(port ? { port } : {}) });
  const signaturesApi = async (): Promise<Json[]> => {
    const res = await fetch(new URL(`/api/v1/calls/${callId}/invitations`, a.origin), { headers: { authorization: `Bearer ${tokenA}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as Json).signatures as Json[];
  };
  const page = async (lang = "en") => (await webA.get(`/manage/calls/${callId}/signatures?lang=${lang}`)).text;

  beforeAll(async () => {
    bDb = await createTestDatabase("unreachable_b");
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.2" }), startB()]);
    bPort = Number(b.origin.port);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "AG Köln" }, primaryLanguage: "de" });
    const editor = await createEditor(a.runtime, "cdc", "ana@example.org");
    editorA = editor.principal;
    tokenA = editor.token;
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    });
    callId = call.id;
    await a.runtime.calls.consult(editorA, callId);
    const found = await a.runtime.cosignPartners(b.url("/@koeln").href);
    if (!found.ok) throw new Error(found.reason);
    await a.runtime.cosign.invite(editorA, callId, found.partner);
    const at = b;
    const invitation = await until("koeln to be asked", async () => (await at.runtime.cosign.received("cli", "koeln")).find((i) => i.state === "pending"));
    await at.runtime.cosign.sign("cli", "koeln", invitation.id, { languages: ["fr", "de"] });
    await until("koeln listed", async () => (await a.runtime.cosign.signatories(callId)).length === 1);
    webA = new WebClient(a.origin);
    await webA.login("ana@example.org", "correct horse battery");
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await bDb?.drop();
  });

  it("shows 'unreachable since' while the signer's server is down, keeps the first time, and clears it once it answers", async () => {
    // Reachable: confirmed, nothing marked.
    expect(await a.runtime.recheckStamps({ olderThanMs: 0 })).toEqual({ confirmed: 1, revoked: 0, unreachable: 0 });
    expect(await page()).not.toContain("unreachable since");
    expect((await signaturesApi())[0]?.unreachableSince).toBeNull();

    await (b as RelaisInstance).close();
    b = undefined;
    const before = Temporal.Now.instant();
    expect(await a.runtime.recheckStamps({ olderThanMs: 0 })).toEqual({ confirmed: 0, revoked: 0, unreachable: 1 });
    const after = Temporal.Now.instant();
    const [down] = await signaturesApi();
    expect(down?.state).toBe("current");
    const since = Temporal.Instant.from(String(down?.unreachableSince));
    expect(Temporal.Instant.compare(since, before)).toBeGreaterThanOrEqual(0);
    expect(Temporal.Instant.compare(since, after)).toBeLessThanOrEqual(0);
    const missingBefore = missingTranslationKeys().length;
    const en = await page();
    expect(en).toContain('class="state state-current">');
    expect(en).toContain(`<span class="unreachable"><time datetime="${since.toString()}">unreachable since `);
    expect(await page("fr")).toContain("injoignable depuis le");
    expect(await page("de")).toContain("nicht erreichbar seit");
    expect(await page("nl")).toContain("onbereikbaar sinds");
    expect(missingTranslationKeys().length).toBe(missingBefore);

    // Still down at the next round: the first time is kept.
    expect(await a.runtime.recheckStamps({ olderThanMs: 0 })).toEqual({ confirmed: 0, revoked: 0, unreachable: 1 });
    expect((await signaturesApi())[0]?.unreachableSince).toBe(since.toString());

    // Back on the same address and database: confirmed, no longer marked.
    b = await startB(bPort);
    expect(await a.runtime.recheckStamps({ olderThanMs: 0 })).toEqual({ confirmed: 1, revoked: 0, unreachable: 0 });
    const [back] = await signaturesApi();
    expect([back?.state, back?.unreachableSince]).toEqual(["current", null]);
    expect(await page()).not.toContain("unreachable since");
  });
});
