// verify-signature against a hostile or absent party (design §13 rows 6, 7 and 8; §8 "Third-party
// verification" and "Re-checks"): the verifier is this test process (D), trusting neither the initiator's
// honesty nor its uptime. A hostile initiator that goes on listing a revoked stamp is contradicted by the
// signer's origin (revoked); an initiator that serves a tampered text of the signed version is caught
// (forged: the digests differ), and so is one that lists a signer's stamp for another call under this one;
// a stamp its signer's server does not serve yet (404, as right after a launch) is unverifiable, never
// revoked; a stamp hosted on a hostile server E and listed by the initiator as a signer's is forged, and
// neither it nor E's key document claiming the signer as owner is ever fetched;
// a signer whose server is down stays listed at the initiator's re-check
// ("unreachable"), the verifier cannot vouch for it (unverifiable: no key cache of its own), and once
// its origin answers 410 the next re-check unlists it.
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "../../src/federation/verify-signature.ts";
import { base58btcEncode, createProof } from "../../src/shared/eddsa-jcs-2022.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createTestDatabase } from "../support/services.ts";
import { until } from "../support/wait.ts";

type Json = Record<string, unknown>;
const uuidOf = (stampUrl: string) => new URL(stampUrl).pathname.split("/").pop() as string;

describe("verify-signature against a hostile initiator and an absent signer", { timeout: 300_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance | undefined;
  let bDb: { url: string; drop: () => Promise<void> };
  let bPort: number;
  let editorA: Principal;
  let callId: string;
  let callUrl: string;
  const stamps: Record<string, string> = {};
  const as2 = (url: string) => fetch(url, { headers: { accept: "application/activity+json" } });
  const listedSigners = async () => (((await (await as2(`${callUrl}/signatories`)).json()) as Json).orderedItems as Json[]).map((e) => e.partner);
  const sql = (at: RelaisInstance, query: string, params: unknown[]) => at.runtime.em.fork().getConnection().execute(query, params);
  const startB = (port?: number) => startRelaisInstance({ host: "127.0.0.2", database: { url: bDb.url }, ...(port ? { port } : {}) });

  beforeAll(async () => {
    bDb = await createTestDatabase("hostile_b");
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startB()]);
    bPort = b.origin.port ? Number(b.origin.port) : 80;
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    for (const slug of ["koeln", "gent"]) await b.runtime.collectives.create({ slug, name: { de: `AG ${slug}` }, primaryLanguage: "de" });
    editorA = (await createEditor(a.runtime, "cdc", "zq-hostile-marker@example.org")).principal;
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    });
    callId = call.id;
    callUrl = call.apId.href;
    await a.runtime.calls.consult(editorA, callId);
    for (const slug of ["koeln", "gent"]) {
      const found = await a.runtime.cosignPartners(b.url(`/@${slug}`).href);
      if (!found.ok) throw new Error(found.reason);
      await a.runtime.cosign.invite(editorA, callId, found.partner);
      const at = b;
      const inv = await until(`${slug} to be asked`, async () => (await at.runtime.cosign.received("cli", slug)).find((i) => i.state === "pending"));
      const url = (await at.runtime.cosign.sign("cli", slug, inv.id, { languages: ["fr", "de"] })).stamp?.url as string;
      await until(`${slug} listed`, async () => (await a.runtime.cosign.signatories(callId)).some((s) => s.stampId === url));
      stamps[slug] = url;
    }
    await a.runtime.calls.open(editorA, callId);
    await until("the call public", async () => (await as2(callUrl)).status === 200);
    // Each signer's server makes its stamp public once it hears of the launch.
    for (const url of Object.values(stamps)) await until(`${url} public`, async () => (await as2(url)).status === 200, 30_000);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await bDb?.drop();
  });

  it("says revoked while a hostile initiator keeps listing a revoked stamp (§13 #6)", async () => {
    expect(await verifySignature(callUrl, (b as RelaisInstance).url("/@gent").href)).toMatchObject({ outcome: "valid-current", stamp: stamps.gent });
    await (b as RelaisInstance).runtime.cosign.revoke("cli", "gent", uuidOf(stamps.gent as string));
    expect((await as2(stamps.gent as string)).status).toBe(410);
    await until("the initiator to unlist gent", async () => !(await listedSigners()).includes((b as RelaisInstance).url("/@gent").href), 10_000);
    // The initiator turns hostile: it lists gent again, as if it had never heard of the revocation.
    await sql(a, "update call_signature set state = 'current' where stamp_id = ?", [stamps.gent]);
    expect(await listedSigners()).toContain((b as RelaisInstance).url("/@gent").href);
    const report = await verifySignature(callUrl, (b as RelaisInstance).url("/@gent").href);
    expect(report).toMatchObject({ outcome: "revoked", stamp: stamps.gent, initiatorReachable: true });
    expect(report.reason).toContain("410");
    await sql(a, "update call_signature set state = 'revoked' where stamp_id = ?", [stamps.gent]);
  });

  it("says forged when the initiator serves a tampered text of the signed version (§13 #7)", async () => {
    const koeln = (b as RelaisInstance).url("/@koeln").href;
    expect(await verifySignature(callUrl, koeln)).toMatchObject({ outcome: "valid-current", version: 1 });
    const [row] = (await sql(a, "select v.body from call_version v join call c on c.id = v.call_id where c.id = ? and v.version = 1", [callId])) as { body: Json }[];
    const original = typeof row?.body === "string" ? JSON.parse(row.body) : row?.body;
    const tampered = { ...original, de: "<p>Wir <strong>fordern</strong> einen besseren Score.</p>" };
    await sql(a, "update call_version set body = ? where call_id = ? and version = 1", [JSON.stringify(tampered), callId]);
    try {
      const report = await verifySignature(callUrl, koeln);
      expect(report).toMatchObject({ outcome: "forged", stamp: stamps.koeln, version: 1 });
      expect(report.reason).toContain("not what was signed");
    } finally {
      await sql(a, "update call_version set body = ? where call_id = ? and version = 1", [JSON.stringify(original), callId]);
    }
    expect((await verifySignature(callUrl, koeln)).outcome).toBe("valid-current");
  });

  it("says forged when a hostile initiator lists a signer's stamp for another call under this one (§13 #9)", async () => {
    const koeln = (b as RelaisInstance).url("/@koeln").href;
    const other = await a.runtime.calls.create(editorA, "cdc", { title: { fr: "Un autre appel" }, body: { fr: "Rien à voir." }, demands: [] });
    await a.runtime.calls.open(editorA, other.id);
    const otherUrl = other.apId.href;
    expect((await verifySignature(otherUrl, koeln)).outcome).toBe("unverifiable");
    // The initiator moves koeln's signature of the first call under the other one.
    await sql(a, "update call_signature set call_id = ? where stamp_id = ?", [other.id, stamps.koeln]);
    try {
      const listed = (((await (await as2(`${otherUrl}/signatories`)).json()) as Json).orderedItems as Json[]).map((e) => e.partner);
      expect(listed).toEqual([koeln]);
      const report = await verifySignature(otherUrl, koeln);
      expect(report).toMatchObject({ outcome: "forged", stamp: stamps.koeln });
      expect(report.reason).toContain("not this collective's stamp for this call");
    } finally {
      await sql(a, "update call_signature set call_id = ? where stamp_id = ?", [callId, stamps.koeln]);
    }
    expect((await verifySignature(callUrl, koeln)).outcome).toBe("valid-current");
  });

  it("says unverifiable, not revoked, for a stamp its signer's server does not serve yet (404)", async () => {
    const koeln = (b as RelaisInstance).url("/@koeln").href;
    // As right after a launch, before koeln's server hears of it: the stamp is not public, the URL answers 404.
    await sql(b as RelaisInstance, "update cosign_stamp set public_at = null where id = ?", [uuidOf(stamps.koeln as string)]);
    try {
      expect((await as2(stamps.koeln as string)).status).toBe(404);
      const report = await verifySignature(callUrl, koeln);
      expect(report).toMatchObject({ outcome: "unverifiable", stamp: stamps.koeln, initiatorReachable: true });
      expect(report.reason).toContain("404");
      expect(report.reason).toContain("only 410 revokes");
    } finally {
      await sql(b as RelaisInstance, "update cosign_stamp set public_at = now() where id = ?", [uuidOf(stamps.koeln as string)]);
    }
    expect((await verifySignature(callUrl, koeln)).outcome).toBe("valid-current");
  });

  it("says forged for a stamp hosted on a hostile server and listed as a signer's, fetching neither it nor E's key claiming that signer (§13 #9)", async () => {
    const at = b as RelaisInstance;
    await at.runtime.collectives.create({ slug: "liege", name: { fr: "Collectif liégeois" }, primaryLanguage: "fr" });
    const liege = at.url("/@liege").href;
    expect((await verifySignature(callUrl, liege)).outcome).toBe("unverifiable");
    // E: a server of the test's own, hosting a stamp attributed to liege, proved by a key document that claims liege as its owner.
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const raw = (publicKey.export({ format: "der", type: "spki" }) as Buffer).subarray(-32);
    const hits: string[] = [];
    let e: Server | undefined;
    const eOrigin = await new Promise<string>((resolve) => {
      e = createServer((req, res) => {
        hits.push(req.url ?? "");
        const keyDoc = { id: `${origin}/keys/liege`, type: "Multikey", controller: liege, publicKeyMultibase: `z${base58btcEncode(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}` };
        res.writeHead(200, { "content-type": "application/activity+json" }).end(JSON.stringify(req.url === "/keys/liege" ? keyDoc : eStamp));
      });
      let origin = "";
      (e as Server).listen(0, "127.0.0.3", () => {
        origin = `http://127.0.0.3:${((e as Server).address() as AddressInfo).port}`;
        resolve(origin);
      });
    });
    const [koelnRow] = (await sql(a, "select digests, version from call_signature where stamp_id = ?", [stamps.koeln])) as { digests: unknown; version: number }[];
    const eStampId = `${eOrigin}/stamps/forged-liege`;
    const eStamp = createProof(
      {
        id: eStampId,
        type: "CosignAuthorization",
        attributedTo: liege,
        interactionTarget: liege,
        interactingObject: callUrl,
        version: koelnRow?.version,
        target: { type: "OrderedCollection", id: `${callUrl}/signatories`, attributedTo: a.url("/@cdc").href },
        textDigests: typeof koelnRow?.digests === "string" ? JSON.parse(koelnRow.digests) : koelnRow?.digests,
      },
      privateKey,
      { verificationMethod: `${eOrigin}/keys/liege`, created: new Date().toISOString() },
    );
    // The initiator, hostile, lists E's stamp as liege's signature.
    await sql(
      a,
      `insert into call_signature (id, call_id, signer_ap_id, signer_inbox, signer_name, stamp_id, version, digests, stamp, state, created_at, verified_at)
       select gen_random_uuid(), call_id, ?, ?, 'Collectif liégeois', ?, version, digests, ?::jsonb, 'current', now(), now() from call_signature where stamp_id = ?`,
      [liege, `${liege}/inbox`, eStampId, JSON.stringify(eStamp), stamps.koeln],
    );
    try {
      expect(await listedSigners()).toContain(liege);
      const report = await verifySignature(callUrl, liege);
      expect(report).toMatchObject({ outcome: "forged", stamp: eStampId, initiatorReachable: true });
      expect(report.reason).toContain(`hosted on ${eOrigin}`);
      expect(hits).toEqual([]);
      // koeln's own signature is untouched by the forged entry beside it.
      expect((await verifySignature(callUrl, at.url("/@koeln").href)).outcome).toBe("valid-current");
    } finally {
      await sql(a, "delete from call_signature where stamp_id = ?", [eStampId]);
      await new Promise((resolve) => (e as Server).close(resolve));
    }
  });

  it("keeps an unreachable signer listed, cannot vouch for it, and unlists it once its origin answers 410 (§13 #8)", async () => {
    const koeln = (b as RelaisInstance).url("/@koeln").href;
    await (b as RelaisInstance).close();
    b = undefined;
    // The initiator's re-check cannot reach koeln's server: left listed ("unreachable"), asked again later.
    expect(await a.runtime.recheckStamps({ olderThanMs: 0 })).toEqual({ confirmed: 0, revoked: 0, unreachable: 1 });
    expect(await listedSigners()).toEqual([koeln]);
    // The verifier keeps no key of its own: with the signer's origin down it can say nothing.
    const report = await verifySignature(callUrl, koeln, { timeoutMs: 3_000 });
    expect(report.outcome).toBe("unverifiable");
    // koeln's server comes back, its stamp withdrawn without the Delete ever reaching cdc.
    b = await startB(bPort);
    expect(b.url("/@koeln").href).toBe(koeln);
    await sql(b, "update cosign_stamp set revoked_at = now() where id = ?", [uuidOf(stamps.koeln as string)]);
    expect((await as2(stamps.koeln as string)).status).toBe(410);
    expect(await a.runtime.recheckStamps({ olderThanMs: 0 })).toEqual({ confirmed: 0, revoked: 1, unreachable: 0 });
    expect(await listedSigners()).toEqual([]);
    expect(await a.runtime.cosign.isRevoked(stamps.koeln as string)).toBe(true);
    expect((await verifySignature(callUrl, koeln)).outcome).toBe("revoked");
  });
});
