// Acceptance of issue 9's co-signing ("Done when"), as one scenario over real HTTP between three Relais
// instances, each with its own PostgreSQL database and its worker, and a Mastodon-shaped follower of the
// three collectives. Everything the collectives do goes through the JSON API with their editors' tokens;
// the last word goes to `relais verify-signature`, a separate process that trusts neither instance's
// database.
//
//   a (127.0.0.1): cdc, the initiator        b (127.0.0.2): koeln        c (127.0.0.5): gent, liege
//
// 1. cdc drafts a call in fr/de/nl and starts the consultation; nothing of it is public.
// 2. cdc invites koeln and gent; each reads the text per language and signs the languages it chooses.
// 3. Launch: cdc publishes, koeln and gent boost; the follower gets one Create and boosts of the same id.
// 4. The French text changes: both signatures await reconfirmation (none listed, both pending).
// 5. koeln reconfirms (listed again); gent revokes (its stamp 410, cdc delists it, koeln's server
//    hears the Delete and the follower the Undo of gent's boost, within seconds).
// 6. liege asks to join; the call's policy is manual: private until cdc's editor approves, then listed.
// 7. verify-signature: koeln and liege valid-current (version 2), gent revoked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { runCli } from "../support/relais-process.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const marker = "zq-acceptance-marker";
const idOf = (v: unknown) => (typeof v === "string" ? v : (v as Json | undefined)?.id);

describe("issue 9 accepted: a call co-signed across three instances", { timeout: 300_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let c: RelaisInstance;
  let mastodon: MastodonPeer;
  const token: Record<string, string> = {};
  let callId: string;
  let callUrl: string;
  const stamps: Record<string, string> = {};

  /** The JSON API of an instance, as the editor holding `who`'s token. */
  const api = async (at: RelaisInstance, who: string, path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) => {
    const headers = new Headers({ authorization: `Bearer ${token[who]}`, ...init.headers });
    if (init.json !== undefined) headers.set("content-type", "application/json");
    const res = await fetch(at.url(path), { method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
    return { status: res.status, etag: res.headers.get("etag"), body: (await res.json().catch(() => null)) as Json };
  };
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });
  const collection = async (url: string) => (await (await as2(url)).json()) as { totalItems: number; orderedItems: Json[] };
  const actor = (at: RelaisInstance, slug: string) => at.url(`/@${slug}`).href;
  const signaturesAtCdc = async () => (await api(a, "cdc", `/api/v1/calls/${callId}/invitations`)).body.signatures as Json[];
  const aboutCall = (d: ReceivedDelivery) => d.signatureValid && idOf(d.activity?.object) === callUrl;
  const verify = (signer: string) => runCli(["verify-signature", callUrl, signer], { RELAIS_ALLOW_PRIVATE_ADDRESSES: "true", REDIS_URL: "" });

  /** The partner's editor finds the invitation for `version`, reads it and signs `languages`; cdc lists it. */
  async function sign(at: RelaisInstance, slug: string, version: number, languages: string[]): Promise<Json> {
    const invitation = await until(`${slug} to be asked to sign version ${version}`, async () =>
      ((await api(at, slug, `/api/v1/collectives/${slug}/invitations`)).body.items as Json[]).find((i) => i.version === version && i.state === "pending"),
    );
    const read = await api(at, slug, `/api/v1/collectives/${slug}/invitations/${invitation.id}`);
    const signed = await api(at, slug, `/api/v1/collectives/${slug}/invitations/${invitation.id}/sign`, { method: "POST", json: { languages } });
    expect(signed.status).toBe(200);
    const stamp = (signed.body.stamp as Json).url as string;
    await until(`cdc to list ${slug}'s signature of version ${version}`, async () => (await signaturesAtCdc()).find((s) => s.stampId === stamp && s.state === "current"));
    stamps[slug] = stamp;
    return read.body;
  }

  beforeAll(async () => {
    [a, b, c] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" }), startRelaisInstance({ host: "127.0.0.5" })]);
    mastodon = await startMastodonPeer({ host: "127.0.0.3", username: "follower" });
    const collectives: [RelaisInstance, string, string][] = [[a, "cdc", "fr"], [b, "koeln", "de"], [c, "gent", "nl"], [c, "liege", "fr"]];
    for (const [at, slug, lang] of collectives) {
      await at.runtime.collectives.create({ slug, name: { [lang]: `Collectif ${slug}` }, primaryLanguage: lang });
      token[slug] = (await createEditor(at.runtime, slug, `${marker}-${slug}@example.org`)).token;
    }
    for (const url of [a.url("/@cdc"), b.url("/@koeln"), c.url("/@gent")]) await mastodon.follow(url);
    await until("three follows accepted", async () => mastodon.received.filter((d) => d.activity?.type === "Accept" && d.signatureValid).length >= 3, 60_000);
  }, 180_000);
  afterAll(async () => {
    await mastodon?.close();
    await Promise.all([a?.close(), b?.close(), c?.close()]);
  });

  it("drafts, co-signs, launches, changes, reconfirms, revokes, joins and verifies", async () => {
    // 1. The draft, then the consultation: version 1, still private.
    const created = await api(a, "cdc", "/api/v1/collectives/cdc/calls", {
      method: "POST",
      json: {
        title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle", nl: "Stop de algoritmische controle" },
        body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores.", nl: "Wij **eisen** het einde van de score." },
        demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores", nl: "Einde van de risicoscore" }],
      },
    });
    expect(created.status).toBe(201);
    callId = created.body.id as string;
    callUrl = created.body.url as string;
    expect((await api(a, "cdc", `/api/v1/calls/${callId}/consult`, { method: "POST" })).body.status).toBe("consultation");

    // 2. Invitations, read per language, signed per language.
    for (const partner of [actor(b, "koeln"), actor(c, "gent")]) {
      expect((await api(a, "cdc", `/api/v1/calls/${callId}/invitations`, { method: "POST", json: { partner } })).status).toBe(201);
    }
    const readByKoeln = await sign(b, "koeln", 1, ["fr", "de"]);
    expect(readByKoeln.languages).toEqual(["fr", "de", "nl"]);
    expect((readByKoeln.texts as Record<string, Json>).de).toMatchObject({ title: "Schluss mit der Algorithmen-Kontrolle", demands: ["Abschaffung des Risiko-Scores"] });
    await sign(c, "gent", 1, ["fr", "nl"]);
    // Embargo: before the launch, nothing of the call or its stamps answers anyone else.
    for (const url of [callUrl, `${callUrl}/signatories`, stamps.koeln as string, stamps.gent as string]) {
      expect((await as2(url)).status).toBe(404);
      expect((await mastodon.fetchSigned(new URL(url))).status).toBe(404);
    }

    // 3. The launch: one Create from cdc, one boost from each signer, all of the same id.
    expect((await api(a, "cdc", `/api/v1/calls/${callId}/open`, { method: "POST" })).body.status).toBe("open");
    await mastodon.waitFor((d) => aboutCall(d) && d.activity?.type === "Create", { timeoutMs: 60_000 });
    for (const signer of [actor(b, "koeln"), actor(c, "gent")]) {
      await mastodon.waitFor((d) => aboutCall(d) && d.activity?.type === "Announce" && d.activity.actor === signer, { timeoutMs: 60_000 });
    }
    const creates = () => mastodon.received.filter((d) => aboutCall(d) && d.activity?.type === "Create");
    expect(creates().map((d) => d.signer)).toEqual([actor(a, "cdc")]);
    expect(mastodon.received.filter((d) => aboutCall(d) && d.activity?.type === "Announce").map((d) => d.signer).sort()).toEqual([actor(b, "koeln"), actor(c, "gent")].sort());
    expect((await collection(`${callUrl}/signatories`)).totalItems).toBe(2);

    // 4. The French text changes (both signed French): both await reconfirmation, neither is listed.
    const current = await api(a, "cdc", `/api/v1/calls/${callId}`);
    const changed = await api(a, "cdc", `/api/v1/calls/${callId}`, {
      method: "PATCH",
      headers: { "if-match": current.etag as string },
      json: { body: { ...(current.body.body as Json), fr: "Nous **exigeons** la fin immédiate du score." } },
    });
    expect(changed.body.version).toBe(2);
    expect((await signaturesAtCdc()).filter((s) => s.state !== "removed").map((s) => [s.stampId, s.state])).toEqual(
      expect.arrayContaining([[stamps.koeln, "pending"], [stamps.gent, "pending"]]),
    );
    expect((await collection(`${callUrl}/signatories`)).totalItems).toBe(0);
    expect((await collection(`${callUrl}/signatories/pending`)).orderedItems.map((e) => e.partner).sort()).toEqual([actor(b, "koeln"), actor(c, "gent")].sort());

    // 5a. koeln reads what changed since it signed (French), and reconfirms version 2 (a new stamp): listed again.
    const oldKoeln = stamps.koeln;
    const reread = await sign(b, "koeln", 2, ["fr", "de"]);
    expect(reread.previous).toMatchObject({ version: 1, languages: ["fr", "de"], changed: ["fr"] });
    expect(stamps.koeln).not.toBe(oldKoeln);
    expect((await collection(`${callUrl}/signatories`)).orderedItems.map((e) => e.partner)).toEqual([actor(b, "koeln")]);

    // 5b. gent revokes instead: seen by its own server, cdc, koeln's server and the follower within seconds.
    const mark = mastodon.received.length;
    const revokedAt = Date.now();
    const gentStamp = stamps.gent as string;
    const revoked = await api(c, "gent", `/api/v1/collectives/gent/signatures/${new URL(gentStamp).pathname.split("/").pop()}`, { method: "DELETE" });
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await as2(gentStamp)).status).toBe(410);
    await until("cdc to delist gent", async () => (await signaturesAtCdc()).find((s) => s.stampId === gentStamp)?.state === "revoked", 10_000);
    expect((await collection(`${callUrl}/signatories/pending`)).totalItems).toBe(0);
    await until("koeln's server to hear of gent's Delete", async () => b.runtime.cosign.isRevoked(gentStamp), 10_000);
    const undo = await mastodon.waitFor((d) => mastodon.received.indexOf(d) >= mark && d.signatureValid && d.activity?.type === "Undo", { timeoutMs: 10_000 });
    expect([undo.signer, idOf((undo.activity?.object as Json | undefined)?.object)]).toEqual([actor(c, "gent"), callUrl]);
    expect(Date.now() - revokedAt).toBeLessThan(10_000);

    // 6. liege (on gent's server) asks to join; manual policy: private until approved.
    expect((await api(a, "cdc", `/api/v1/calls/${callId}/join-policy`)).body.policy).toBe("manual");
    const asked = await api(c, "liege", "/api/v1/collectives/liege/join-requests", { method: "POST", json: { call: callUrl, languages: ["fr"] } });
    expect(asked.status).toBe(201);
    const request = await until("liege's request at cdc", async () =>
      ((await api(a, "cdc", `/api/v1/calls/${callId}/join-requests`)).body.items as Json[]).find((r) => r.requester === actor(c, "liege") && r.state === "pending"),
    );
    expect(request).toMatchObject({ version: 2, languages: ["fr"], stampId: asked.body.stamp });
    expect((await as2(asked.body.stamp as string)).status).toBe(404);
    expect(JSON.stringify(await collection(`${callUrl}/signatories`))).not.toContain("/@liege");
    expect((await api(a, "cdc", `/api/v1/calls/${callId}/join-requests/${request.id}/approve`, { method: "POST" })).body.state).toBe("approved");
    await until("liege to hear it is listed", async () => ((await api(c, "liege", "/api/v1/collectives/liege/join-requests")).body.items as Json[])[0]?.state === "listed");
    expect((await collection(`${callUrl}/signatories`)).orderedItems.map((e) => e.partner)).toEqual([actor(b, "koeln"), actor(c, "liege")]);
    // The call being open, liege's server makes the stamp public (and boosts) once it hears it is listed.
    await until("liege's stamp public", async () => (await as2(asked.body.stamp as string)).status === 200);
    stamps.liege = asked.body.stamp as string;

    // 7. verify-signature, in its own process, for each collective.
    const koeln = await verify(actor(b, "koeln"));
    expect([koeln.code, koeln.stdout]).toEqual([0, expect.stringMatching(/^valid-current\b/)]);
    expect(koeln.stdout).toContain(`stamp\t${stamps.koeln}`);
    expect(koeln.stdout).toContain("version\t2");
    const liege = await verify(actor(c, "liege"));
    expect([liege.code, liege.stdout]).toEqual([0, expect.stringMatching(/^valid-current\b/)]);
    expect(liege.stdout).toContain(`stamp\t${stamps.liege}`);
    const gent = await verify(actor(c, "gent"));
    expect([gent.code, gent.stdout]).toEqual([1, expect.stringMatching(/^revoked\b/)]);

    // Through it all: the call reached the follower as one Create, and no editor's e-mail left any server.
    expect(creates()).toHaveLength(1);
    expect(mastodon.received.some((d) => d.body.includes(marker))).toBe(false);
  });
});
