// `relais call invite|invitations|invitation|sign|decline|signatures|uninvite` and the join-request commands as
// real processes against two real Relais instances (their own PostgreSQL databases, real HTTP and
// signatures between them; the instances' workers deliver what the commands queue): the initiator
// invites from the command line, the partner reads the exact text and signs or declines, the initiator
// sees the verified signature, and withdraws an invitation not answered yet; after launch a third collective asks to sign and is approved by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { runCli } from "../support/relais-process.ts";
import { until } from "../support/wait.ts";

describe("co-signing from the command line", { timeout: 300_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let editorA: Principal;
  let callId: string;
  const envOf = (at: RelaisInstance) => ({
    DATABASE_URL: at.runtime.config.databaseUrl as string,
    REDIS_URL: "",
    RELAIS_ORIGIN: at.origin.href.replace(/\/$/, ""),
    RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
    RELAIS_MEDIA_DIR: at.mediaDir,
  });
  const cli = (at: RelaisInstance, ...args: string[]) => runCli(args, envOf(at));
  const lines = (out: string) => out.trim().split("\n").map((l) => l.split("\t"));

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "cdc", name: { fr: "Collectif contre le contrôle" }, primaryLanguage: "fr" });
    for (const [slug, lang] of [["koeln", "de"], ["gent", "nl"], ["liege", "fr"], ["bxl", "fr"]] as const) await b.runtime.collectives.create({ slug, name: { [lang]: slug }, primaryLanguage: lang });
    editorA = (await createEditor(a.runtime, "cdc", "ana@example.org")).principal;
    const call = await a.runtime.calls.create(editorA, "cdc", {
      title: { fr: "Stop au contrôle algorithmique", de: "Schluss mit der Algorithmen-Kontrolle" },
      body: { fr: "Nous **exigeons** la fin du score.", de: "Wir **fordern** das Ende des Scores." },
      demands: [{ fr: "Fin du score de risque", de: "Abschaffung des Risiko-Scores" }],
    });
    callId = call.id;
    await a.runtime.calls.consult(editorA, callId);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("invites, reads, signs and declines, and lists the verified signature", async () => {
    const invited = await cli(a, "call", "invite", callId, b.url("/@koeln").href);
    expect(invited.stderr).toBe("");
    expect(lines(invited.stdout)[0]?.slice(1, 4)).toEqual(["invited", "version 1", b.url("/@koeln").href]);
    expect((await cli(a, "call", "invite", callId, b.url("/@gent").href)).code).toBe(0);

    const received = await until("koeln's invitation", async () => {
      const out = await cli(b, "call", "invitations", "koeln");
      return out.stdout.includes("pending") ? lines(out.stdout)[0] : undefined;
    });
    const id = received[0] as string;
    expect(received.slice(1, 4)).toEqual(["pending", "v1", "fr,de"]);
    const shown = await cli(b, "call", "invitation", "koeln", id);
    expect(shown.stdout).toContain("title.de\tSchluss mit der Algorithmen-Kontrolle");
    expect(shown.stdout).toContain("demand.1.fr\tFin du score de risque");
    expect(shown.stdout).toMatch(/digest\.fr\tu[A-Za-z0-9_-]+/);

    const bad = await cli(b, "call", "sign", "koeln", id, "--languages", "nl");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot be signed in nl/);
    const signed = await cli(b, "call", "sign", "koeln", id, "--languages", "fr,de");
    expect(lines(signed.stdout)[0]?.slice(0, 2)).toEqual([id, "signed"]);
    const stamp = lines(signed.stdout)[0]?.[2] as string;
    expect(new URL(stamp).origin).toBe(b.origin.origin);
    await until("cdc to list koeln", async () => (await cli(a, "call", "signatures", callId)).stdout.includes(`signature\tcurrent\tv1\tfr,de\t${b.url("/@koeln").href}\t${stamp}`));

    const gent = await until("gent's invitation", async () => lines((await cli(b, "call", "invitations", "gent")).stdout).find((l) => l[1] === "pending"));
    expect((await cli(b, "call", "decline", "gent", gent[0] as string)).stdout.trim()).toBe(`${gent[0]}\tdeclined`);
    await until("cdc to see the decline", async () => (await cli(a, "call", "signatures", callId)).stdout.includes(`declined\tv1\tsign\t${b.url("/@gent").href}`));
    expect((await cli(b, "call", "sign", "koeln", "00000000-0000-4000-8000-000000000000")).code).toBe(3);
  });

  it("withdraws an invitation not answered yet: the invited server loses it and refuses to sign it", async () => {
    const invited = await cli(a, "call", "invite", callId, b.url("/@bxl").href);
    const sent = lines(invited.stdout)[0]?.[0] as string;
    const received = await until("bxl's invitation", async () => lines((await cli(b, "call", "invitations", "bxl")).stdout).find((l) => l[1] === "pending"));
    const id = received[0] as string;

    const withdrawn = await cli(a, "call", "uninvite", callId, sent);
    expect(withdrawn.stderr).toBe("");
    expect(withdrawn.stdout.trim()).toBe(`${sent}\twithdrawn\t${b.url("/@bxl").href}`);
    // A second run changes nothing; a signed invitation is the signer's to revoke, not the initiator's to withdraw.
    expect((await cli(a, "call", "uninvite", callId, sent)).stdout.trim()).toBe(`${sent}\twithdrawn\t${b.url("/@bxl").href}`);
    const koeln = lines((await cli(a, "call", "signatures", callId)).stdout).find((l) => l[0] === "invitation" && l[5] === b.url("/@koeln").href);
    const refused = await cli(a, "call", "uninvite", callId, koeln?.[1] as string);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the invitation is signed: only an invitation not answered yet can be withdrawn/);
    expect((await cli(a, "call", "signatures", callId)).stdout).toContain(`invitation\t${sent}\twithdrawn\tv1\tsign\t${b.url("/@bxl").href}`);

    // bxl's server hears it from the initiator's Undo: the invitation leaves the list, reading and signing it say why.
    await until("the invitation gone from bxl's list", async () => (await cli(b, "call", "invitations", "bxl")).stdout.includes("has received no invitation"));
    const read = await cli(b, "call", "invitation", "bxl", id);
    expect(read.code).toBe(1);
    expect(read.stderr).toMatch(/initiator withdrew this invitation/);
    const sign = await cli(b, "call", "sign", "bxl", id);
    expect(sign.code).toBe(1);
    expect(sign.stderr).toMatch(/can no longer be read or signed/);
    expect((await cli(b, "call", "stamps", "bxl")).stdout.trim()).toBe("");
  });

  it("asks to sign an open call, and the initiator approves by hand", async () => {
    await a.runtime.calls.open(editorA, callId);
    expect((await cli(a, "call", "join-policy", callId)).stdout.trim()).toBe("manual");
    expect((await cli(a, "call", "join-policy", callId, "sometimes")).code).toBe(1);
    const asked = await cli(b, "call", "join", "liege", a.url(`/calls/${callId}`).href);
    expect(asked.stderr).toBe("");
    expect(lines(asked.stdout)[0]?.slice(1, 3)).toEqual(["pending", "v1"]);
    const request = await until("liege's request at cdc", async () => lines((await cli(a, "call", "join-requests", callId)).stdout).find((l) => l[1] === "pending"));
    expect(request[4]).toBe(b.url("/@liege").href);
    expect((await cli(a, "call", "approve", callId, request[0] as string)).stdout.trim()).toBe(`${request[0]}\tapproved\t${b.url("/@liege").href}`);
    await until("liege to hear it is listed", async () => (await cli(b, "call", "joins", "liege")).stdout.includes("\tlisted\t"));
    expect((await cli(a, "call", "refuse", callId, request[0] as string)).code).toBe(1);
  });
});
