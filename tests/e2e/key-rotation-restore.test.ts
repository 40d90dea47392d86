// docs/operations.md ("Rotating keys", "Backups"): a backup taken before a rotation holds the old private
// keys, and restoring it brings them back; the operator rotates again after the restore. Checked here on
// real PostgreSQL with the documented commands (`pg_dump` while Relais runs, `pg_restore` into a new
// database, `relais keys rotate` as a real process) against a Mastodon-shaped follower that keeps the
// keys it fetched and checks real draft-cavage signatures. After the restore the database holds the key
// the follower knows was replaced; after the second rotation the follower verifies the Update with one
// refetch, the delivery that waited in the backup arrives signed with the newest key, nothing is refused,
// and the restored old private key is left nowhere.
import { execFile } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type JsonObject, type MastodonPeer, type ReceivedDelivery, startMastodonPeer } from "../support/mastodon-peer.ts";
import { freePort, runCli } from "../support/relais-process.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createTestDatabase } from "../support/services.ts";
import { until } from "../support/wait.ts";

const run = promisify(execFile);
const WAIT_MS = 30_000;

type Database = Awaited<ReturnType<typeof createTestDatabase>>;

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

const samePem = (a: string, b: string) => createPublicKey(a).export({ format: "der", type: "spki" }).equals(createPublicKey(b).export({ format: "der", type: "spki" }));

describe("restoring a backup taken before a key rotation, then rotating again", { timeout: 300_000 }, () => {
  let port: number;
  let peer: MastodonPeer;
  let rotatedDb: Database;
  let restoredDb: Database;
  let work: string;
  let instance: RelaisInstance | undefined;

  beforeAll(async () => {
    port = await freePort();
    peer = await startMastodonPeer({ host: "127.0.0.31", username: "rosa", cacheKeys: true });
    rotatedDb = await createTestDatabase("rotated");
    restoredDb = await createTestDatabase("restored");
    work = await mkdtemp(join(tmpdir(), "relais-rotate-restore-"));
  });
  afterAll(async () => {
    await instance?.close();
    await peer?.close();
    await rotatedDb?.drop();
    await restoredDb?.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const publishedKey = async () => {
    const res = await fetch(new URL("/@lyon", `http://127.0.0.1:${port}`), { headers: { accept: "application/activity+json" } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { publicKey: { id: string; publicKeyPem: string } }).publicKey;
  };
  const createOf = (eventId: string, status: number) => (d: ReceivedDelivery) =>
    d.activity?.type === "Create" && (d.activity.object as JsonObject | undefined)?.id === eventId && d.status === status;
  const lyonPrivateKeys = async (url: string) =>
    (await query<{ d: string }>(url, `select k.private_jwk->>'d' as d from actor_key k join collective c on k.owner = 'collective:' || c.id where c.slug = 'lyon'`)).map((r) => r.d);

  it("the follower verifies everything signed after the second rotation, and the delivery waiting in the backup arrives", async () => {
    // 1. Relais on PostgreSQL with a follower that cached the first key; one delivery waits for its retry.
    instance = await startRelaisInstance({ port, database: { url: rotatedDb.url } });
    const r = instance.runtime;
    await r.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    const editor = (await createEditor(r, "lyon", "ed@example.org")).principal;
    const publish = async (name: string) =>
      (await instance!.runtime.events.create(editor, "lyon", { name: { fr: name }, startsAt: "2031-04-01T18:00", timezone: "Europe/Paris", onlineUrl: "https://meet.example/lyon", published: true })).event;
    const { activityId } = await peer.follow(instance.url("/@lyon"));
    await peer.waitFor((d) => d.activity?.type === "Accept" && (d.activity.object as JsonObject | undefined)?.id === activityId.href && d.signatureValid, { timeoutMs: WAIT_MS });
    const first = await publish("Avant la sauvegarde");
    expect((await peer.waitFor(createOf(first.apId.href, 202), { timeoutMs: WAIT_MS })).signatureValid).toBe(true);
    peer.respondToDeliveriesWith(500);
    const waiting = await publish("En attente dans la sauvegarde");
    await peer.waitFor(createOf(waiting.apId.href, 500), { timeoutMs: WAIT_MS });
    peer.respondToDeliveriesWith(null);
    const originalKey = await publishedKey();
    const originalPrivate = await lyonPrivateKeys(rotatedDb.url);
    expect(originalPrivate).toHaveLength(2);

    // 2. The documented backup, taken while Relais runs.
    const dump = join(work, "relais.dump");
    await run("pg_dump", ["--format=custom", `--file=${dump}`, rotatedDb.url]);

    // 3. A rotation: the follower gets the Update and from then on holds the second key.
    await r.keyRotation.rotate({ slug: "lyon" });
    const firstUpdate = await peer.waitFor((d) => d.activity?.type === "Update" && d.status === 202, { timeoutMs: WAIT_MS });
    expect(firstUpdate.signatureValid).toBe(true);
    const secondKey = await publishedKey();
    expect(samePem(secondKey.publicKeyPem, originalKey.publicKeyPem)).toBe(false);
    await instance.close();
    instance = undefined;

    // 4. The old backup restored as documented: a new, empty database, the processes stopped.
    await run("pg_restore", ["--no-owner", "--exit-on-error", `--dbname=${restoredDb.url}`, dump]);
    // It holds the key the follower knows was replaced, the delivery that waited (carrying that key),
    // and no trace of the rotation.
    expect((await lyonPrivateKeys(restoredDb.url)).sort()).toEqual([...originalPrivate].sort());
    const queuedBefore = await query<{ payload: string }>(restoredDb.url, "select payload::text as payload from federation_queue");
    expect(queuedBefore.some((q) => q.payload.includes(waiting.apId.href) && originalPrivate.some((d) => q.payload.includes(d)))).toBe(true);
    expect(await query(restoredDb.url, "select id from retired_actor_key")).toEqual([]);

    // 5. The documented step after such a restore: rotate again, before starting the processes.
    const env = { RELAIS_ORIGIN: `http://127.0.0.1:${port}`, DATABASE_URL: restoredDb.url, REDIS_URL: "", RELAIS_ALLOW_PRIVATE_ADDRESSES: "true", RELAIS_DATA_DIR: join(work, "unused") };
    const rotated = await runCli(["keys", "rotate", "lyon"], env);
    expect(rotated.stderr).toBe("");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/2 old key\(s\) retired/);
    expect(rotated.stdout).toMatch(/[1-9]\d* queued delivery\(ies\) will be signed with the new keys/);

    // 6. Relais starts again on the restored database, same origin.
    const mark = peer.received.length;
    const fetchesBefore = peer.keyFetches.length;
    instance = await startRelaisInstance({ port, database: { url: restoredDb.url } });
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
      await instance!.runtime.orm.em.getConnection().execute("update federation_queue set available_at = now() where lease_until is null");
      return peer.received.some((d) => sinceStart(d) && createOf(waiting.apId.href, 202)(d));
    }, WAIT_MS);
    // And what is published now: the follower restored from the backup gets it.
    const later = await publish("Après la restauration");
    expect((await peer.waitFor((d) => sinceStart(d) && createOf(later.apId.href, 202)(d), { timeoutMs: WAIT_MS })).signatureValid).toBe(true);
    expect(peer.received.filter((d) => sinceStart(d) && d.status === 401)).toEqual([]);
    expect(peer.keyFetches.length).toBe(fetchesBefore + 1);

    // The restored private keys are gone again (retired, public halves only); the queue holds none.
    const now = await lyonPrivateKeys(restoredDb.url);
    const queued = await query<{ payload: string }>(restoredDb.url, "select payload::text as payload from federation_queue");
    for (const d of originalPrivate) {
      expect(now).not.toContain(d);
      expect(queued.some((q) => q.payload.includes(d))).toBe(false);
    }
    const retired = await query<{ algorithm: string; public_jwk: import("node:crypto").JsonWebKey }>(restoredDb.url, "select algorithm, public_jwk from retired_actor_key order by algorithm");
    expect(retired.map((k) => k.algorithm)).toEqual(["Ed25519", "RSASSA-PKCS1-v1_5"]);
    const rsa = retired.find((k) => k.algorithm === "RSASSA-PKCS1-v1_5")!.public_jwk;
    expect(samePem(createPublicKey({ key: rsa, format: "jwk" }).export({ type: "spki", format: "pem" }) as string, originalKey.publicKeyPem)).toBe(true);
  });
});
