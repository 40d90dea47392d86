// docs/operations.md ("Rotating keys", "Backups"), on the embedded default: a `relais backup` taken
// before a rotation holds the old private keys and `relais restore` brings them back; the operator runs
// `relais keys rotate` on the restored data folder before starting. The same story as
// key-rotation-restore.test.ts (PostgreSQL), with the CLI commands as real processes on PGlite data
// folders: the backup taken through the running server's socket while a Mastodon-shaped follower (keys
// cached, real draft-cavage signatures) follows and one delivery waits for its retry; a rotation the
// follower learns; the restore into a new folder; the documented rotation; the start. The follower
// verifies the Update after one key refetch, the delivery from the backup arrives signed with the newest
// key, nothing is refused, and the restored private keys are left nowhere.
import { createPublicKey } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { newEmbeddedDataDir } from "../support/embedded-template.ts";
import { type JsonObject, type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { freePort, runCli } from "../support/relais-process.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

const WAIT_MS = 30_000;

const samePem = (a: string, b: string) => createPublicKey(a).export({ format: "der", type: "spki" }).equals(createPublicKey(b).export({ format: "der", type: "spki" }));

describe("embedded: restoring a `relais backup` taken before a key rotation, then rotating again", { timeout: 300_000 }, () => {
  let port: number;
  let peer: MastodonPeer;
  let dataDir: string;
  let removeDataDir: () => Promise<void>;
  let work: string;
  let instance: RelaisInstance | undefined;

  beforeAll(async () => {
    port = await freePort();
    peer = await startMastodonPeer({ host: "127.0.0.32", username: "rosa", cacheKeys: true });
    ({ dataDir, remove: removeDataDir } = await newEmbeddedDataDir("rot"));
    work = await mkdtemp(join(tmpdir(), "relais-rotate-emb-"));
  });
  afterAll(async () => {
    await instance?.close();
    await peer?.close();
    await removeDataDir?.();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const publishedKey = async () => {
    const res = await fetch(new URL("/@lyon", `http://127.0.0.1:${port}`), { headers: { accept: "application/activity+json" } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { publicKey: { id: string; publicKeyPem: string } }).publicKey;
  };
  const createOf = (eventId: string, status: number) => (d: ReceivedDelivery) =>
    d.activity?.type === "Create" && (d.activity.object as JsonObject | undefined)?.id === eventId && d.status === status;
  const sql = <T>(text: string) => instance!.runtime.orm.em.fork().getConnection().execute(text) as Promise<T[]>;
  const lyonPrivateKeys = async () =>
    (await sql<{ d: string }>(`select k.private_jwk->>'d' as d from actor_key k join collective c on k.owner = 'collective:' || c.id where c.slug = 'lyon'`)).map((r) => r.d);

  it("the follower verifies everything signed after the second rotation, and the delivery waiting in the backup arrives", async () => {
    // 1. Relais on its embedded database with a follower that cached the first key; one delivery waits.
    instance = await startRelaisInstance({ port, database: { dataDir }, embedded: true });
    const r = instance.runtime;
    await r.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    const editor = await createEditor(r, "lyon", "ed@example.org");
    const publish = async (name: string) =>
      (await instance!.runtime.events.create(editor.principal, "lyon", { name: { fr: name }, startsAt: "2031-04-01T18:00", timezone: "Europe/Paris", onlineUrl: "https://meet.example/lyon", published: true })).event;
    const { activityId } = await peer.follow(instance.url("/@lyon"));
    await peer.waitFor((d) => d.activity?.type === "Accept" && (d.activity.object as JsonObject | undefined)?.id === activityId.href && d.signatureValid, { timeoutMs: WAIT_MS });
    const first = await publish("Avant la sauvegarde");
    expect((await peer.waitFor(createOf(first.apId.href, 202), { timeoutMs: WAIT_MS })).signatureValid).toBe(true);
    peer.respondToDeliveriesWith(500);
    const waiting = await publish("En attente dans la sauvegarde");
    await peer.waitFor(createOf(waiting.apId.href, 500), { timeoutMs: WAIT_MS });
    peer.respondToDeliveriesWith(null);
    const originalKey = await publishedKey();
    const originalPrivate = await lyonPrivateKeys();
    expect(originalPrivate).toHaveLength(2);

    // 2. The documented backup, taken while Relais runs (through its socket).
    const env = { RELAIS_ORIGIN: `http://127.0.0.1:${port}`, DATABASE_URL: "", REDIS_URL: "", RELAIS_ALLOW_PRIVATE_ADDRESSES: "true" };
    const file = join(work, "relais.gz");
    const backup = await runCli(["backup", file], { ...env, RELAIS_DATA_DIR: dataDir });
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/through the running server/);

    // 3. A rotation: the follower gets the Update and from then on holds the second key.
    await r.keyRotation.rotate({ slug: "lyon" });
    const firstUpdate = await peer.waitFor((d) => d.activity?.type === "Update" && d.status === 202, { timeoutMs: WAIT_MS });
    expect(firstUpdate.signatureValid).toBe(true);
    const secondKey = await publishedKey();
    expect(samePem(secondKey.publicKeyPem, originalKey.publicKeyPem)).toBe(false);
    await instance.close();
    instance = undefined;

    // 4. The old backup restored as documented, into a new data folder, the processes stopped.
    const restoredDir = join(work, "restored");
    const restored = await runCli(["restore", file], { ...env, RELAIS_DATA_DIR: restoredDir });
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/restored 1 collective\(s\), \d+ key\(s\), 1 follower\(s\), 2 event\(s\)/);

    // 5. The documented step after such a restore: rotate again, before starting the processes. The
    // restored folder held the old keys (two retired) and the delivery that waited (re-signed).
    const rotated = await runCli(["keys", "rotate", "lyon"], { ...env, RELAIS_DATA_DIR: restoredDir });
    expect(rotated.stderr).toBe("");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/2 old key\(s\) retired/);
    expect(rotated.stdout).toMatch(/[1-9]\d* queued delivery\(ies\) will be signed with the new keys/);

    // 6. Relais starts again on the restored folder, same origin.
    const mark = peer.received.length;
    const fetchesBefore = peer.keyFetches.length;
    instance = await startRelaisInstance({ port, database: { dataDir: restoredDir }, embedded: true });
    const thirdKey = await publishedKey();
    expect(thirdKey.id).toBe(originalKey.id);
    expect(samePem(thirdKey.publicKeyPem, originalKey.publicKeyPem)).toBe(false);
    expect(samePem(thirdKey.publicKeyPem, secondKey.publicKeyPem)).toBe(false);
    const sinceStart = (d: ReceivedDelivery) => peer.received.indexOf(d) >= mark;

    // The follower, holding the second key, fails the Update, fetches the actor once, verifies it.
    const update = await peer.waitFor((d) => sinceStart(d) && d.activity?.type === "Update" && d.status === 202, { timeoutMs: WAIT_MS });
    expect(update.signatureValid).toBe(true);
    expect(update.keyId).toBe(thirdKey.id);
    expect(samePem((update.activity?.object as { publicKey: { publicKeyPem: string } } | undefined)?.publicKey.publicKeyPem ?? "", thirdKey.publicKeyPem)).toBe(true);
    // The delivery that waited in the backup (its retry made due now) arrives, signed with the third key.
    await until("the delivery from the backup to arrive", async () => {
      await sql("update federation_queue set available_at = now() where lease_until is null");
      return peer.received.some((d) => sinceStart(d) && createOf(waiting.apId.href, 202)(d));
    }, WAIT_MS);
    const later = await publish("Après la restauration");
    expect((await peer.waitFor((d) => sinceStart(d) && createOf(later.apId.href, 202)(d), { timeoutMs: WAIT_MS })).signatureValid).toBe(true);
    expect(peer.received.filter((d) => sinceStart(d) && d.status === 401)).toEqual([]);
    expect(peer.received.filter((d) => sinceStart(d) && d.status === 202).every((d) => d.signatureValid)).toBe(true);
    expect(peer.keyFetches.length).toBe(fetchesBefore + 1);

    // The restored private keys are gone again (retired, public halves only); the queue holds none.
    const now = await lyonPrivateKeys();
    const queued = await sql<{ payload: string }>("select payload::text as payload from federation_queue");
    for (const d of originalPrivate) {
      expect(now).not.toContain(d);
      expect(queued.some((q) => q.payload.includes(d))).toBe(false);
    }
    const retired = await sql<{ algorithm: string; public_jwk: import("node:crypto").JsonWebKey }>("select algorithm, public_jwk from retired_actor_key order by algorithm");
    expect(retired.map((k) => k.algorithm)).toEqual(["Ed25519", "RSASSA-PKCS1-v1_5"]);
    const rsa = retired.find((k) => k.algorithm === "RSASSA-PKCS1-v1_5")!.public_jwk;
    expect(samePem(createPublicKey({ key: rsa, format: "jwk" }).export({ type: "spki", format: "pem" }) as string, originalKey.publicKeyPem)).toBe(true);
  });
});
