// An instance on the embedded database, with collectives, keys, a real follower (a Mastodon-shaped peer
// that verifies every signature) and events, leaves its data folder three ways and comes back as the
// same actors: `relais backup` then `relais restore` into a fresh data folder, and `relais
// move-to-postgres` into a real PostgreSQL. The commands run as real processes; the instance comes back
// on the same origin, its rows and its actors' public keys unchanged, and a new event it publishes
// reaches the follower signed with a key the follower verifies.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import type { Runtime } from "../../src/runtime.ts";
import { createEditor } from "../support/editor.ts";
import { newEmbeddedDataDir } from "../support/embedded-template.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { freePort, runCli } from "../support/relais-process.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createTestDatabase } from "../support/services.ts";
import { until } from "../support/wait.ts";

const WAIT_MS = 30_000;
/** The rows that make the instance who it is, compared whole. */
const identityTables = ["collective", "actor_key", "remote_actor", "follower", "event", "app_user", "membership"];

async function rowsOf(runtime: Runtime): Promise<Record<string, unknown[]>> {
  const db = runtime.orm.em.fork().getConnection();
  const out: Record<string, unknown[]> = {};
  for (const table of identityTables) out[table] = await db.execute(`select * from "${table}" order by id`);
  return out;
}

async function publicKeys(instance: RelaisInstance, slugs: string[]): Promise<Record<string, unknown>> {
  const keys: Record<string, unknown> = {};
  for (const slug of slugs) {
    const res = await fetch(instance.url(`/@${slug}`), { headers: { accept: "application/activity+json" } });
    expect(res.status).toBe(200);
    const actor = (await res.json()) as { id: string; publicKey: unknown; assertionMethod?: unknown };
    keys[slug] = { id: actor.id, publicKey: actor.publicKey, assertionMethod: actor.assertionMethod };
  }
  return keys;
}

describe("backup, restore and move to PostgreSQL keep every actor's identity", { timeout: 600_000 }, () => {
  let port: number;
  let dataDir: string;
  let removeDataDir: () => Promise<void>;
  let work: string;
  let peer: MastodonPeer;
  let before: Record<string, unknown[]>;
  let keysBefore: Record<string, unknown>;
  let env: Record<string, string>;
  const cleanups: (() => Promise<unknown>)[] = [];

  /** The instance again, on the same origin, from `database`; checks everything and closes it. */
  async function comesBackTheSame(database: { dataDir: string } | { url: string }, eventName: string): Promise<void> {
    const instance = await startRelaisInstance({ port, database, embedded: "dataDir" in database });
    try {
      expect(await rowsOf(instance.runtime)).toEqual(before);
      expect(await publicKeys(instance, ["lyon", "bxl"])).toEqual(keysBefore);
      const principal = (await instance.runtime.users.authenticate(editorToken)) as Principal;
      expect(principal).toBeTruthy();
      const mark = peer.received.length;
      const created = await instance.runtime.events.create(principal, "lyon", {
        name: { fr: eventName },
        startsAt: "2031-05-01T10:00",
        timezone: "Europe/Paris",
        onlineUrl: "https://meet.example/after",
        published: true,
      });
      const delivery = await peer.waitFor(
        (d) => peer.received.indexOf(d) >= mark && d.activity?.type === "Create" && (d.activity.object as { id?: string })?.id === created.event.apId.href,
        { timeoutMs: WAIT_MS },
      );
      expect(delivery.signatureValid).toBe(true);
      expect(delivery.signer).toBe(instance.url("/@lyon").href);
    } finally {
      await instance.close();
    }
  }

  let editorToken: string;

  beforeAll(async () => {
    port = await freePort();
    ({ dataDir, remove: removeDataDir } = await newEmbeddedDataDir("bk"));
    work = await mkdtemp(join(tmpdir(), "relais-backup-"));
    env = { RELAIS_ORIGIN: `http://127.0.0.1:${port}`, DATABASE_URL: "", REDIS_URL: "", RELAIS_ALLOW_PRIVATE_ADDRESSES: "true" };
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "carla" });
    const source = await startRelaisInstance({ port, database: { dataDir }, embedded: true });
    try {
      const r = source.runtime;
      await r.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
      await r.collectives.create({ slug: "bxl", name: { fr: "Bruxelles", nl: "Brussel" }, primaryLanguage: "fr" });
      const editor = await createEditor(r, "lyon", "ana@example.org");
      editorToken = editor.token;
      await peer.follow(source.url("/@lyon"));
      await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: WAIT_MS });
      const first = await r.events.create(editor.principal, "lyon", { name: { fr: "Rassemblement" }, startsAt: "2031-03-09T14:00", timezone: "Europe/Paris", location: { name: "Place Bellecour", locality: "Lyon", country: "FR" }, published: true });
      await peer.waitFor((d) => d.activity?.type === "Create" && d.signatureValid, { timeoutMs: WAIT_MS });
      // The follower's server fails once: the Update waits in the queue for its retry (a minute at least).
      peer.respondToDeliveriesWith(500);
      await r.events.update(editor.principal, first.event.id, { name: { fr: "Rassemblement déplacé" } });
      await until("the failed Update waiting for its retry", async () => (await r.queue.counts()).delayed >= 1, WAIT_MS);
      peer.respondToDeliveriesWith(null);
      await r.events.create(editor.principal, "lyon", { name: { fr: "Brouillon" }, startsAt: "2031-04-09T14:00", timezone: "Europe/Paris", onlineUrl: "https://meet.example/x" });
      before = await rowsOf(r);
      expect(before.collective).toHaveLength(2);
      expect(before.actor_key?.length).toBeGreaterThanOrEqual(2);
      expect(before.follower).toHaveLength(1);
      expect(before.event).toHaveLength(2);
      keysBefore = await publicKeys(source, ["lyon", "bxl"]);

      // The folder is held by this process (the running instance): the backup goes through its socket
      // (one snapshot); the move, which needs a database nobody writes, refuses.
      const online = await runCli(["backup", join(work, "online.gz")], { ...env, RELAIS_DATA_DIR: dataDir });
      expect(online.stderr).toBe("");
      expect(online.code).toBe(0);
      expect(online.stdout).toMatch(/backed up 2 collective\(s\), \d+ key\(s\), 1 follower\(s\), 2 event\(s\)/);
      expect(online.stdout).toMatch(/through the running server/);
      expect((await stat(join(work, "online.gz"))).mode & 0o777).toBe(0o600);
      const busyMove = await runCli(["move-to-postgres", "postgres://127.0.0.1:1/none"], { ...env, RELAIS_DATA_DIR: dataDir });
      expect(busyMove.code).toBe(1);
      expect(busyMove.stderr).toMatch(/stop the server/);
    } finally {
      await source.close();
    }
  });
  afterAll(async () => {
    for (const c of cleanups) await c().catch(() => {});
    await peer?.close();
    await removeDataDir?.();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("backs up, restores into a fresh data folder, and the restored instance is the same actors", async () => {
    const file = join(work, "relais.tar.gz");
    const backup = await runCli(["backup", file], { ...env, RELAIS_DATA_DIR: dataDir });
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/backed up 2 collective\(s\), \d+ key\(s\), 1 follower\(s\), 2 event\(s\)/);
    expect(backup.stdout).toMatch(/from the stopped data folder/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await runCli(["backup", file], { ...env, RELAIS_DATA_DIR: dataDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);

    const fresh = await mkdtemp(join(tmpdir(), "relais-restored-"));
    cleanups.push(() => rm(fresh, { recursive: true, force: true }));
    const restored = await runCli(["restore", file], { ...env, RELAIS_DATA_DIR: fresh });
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/restored 2 collective\(s\), \d+ key\(s\), 1 follower\(s\), 2 event\(s\)/);
    // A folder that has a database already is never overwritten.
    const twice = await runCli(["restore", file], { ...env, RELAIS_DATA_DIR: fresh });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/already holds a database/);
    const notBackup = await runCli(["restore", join(tmpdir())], { ...env, RELAIS_DATA_DIR: join(work, "other") });
    expect(notBackup.code).toBe(1);

    await comesBackTheSame({ dataDir: fresh }, "Après restauration");
  });

  it("restores a backup taken while the server ran into a fresh data folder, the same actors", async () => {
    const fresh = await mkdtemp(join(tmpdir(), "relais-online-"));
    cleanups.push(() => rm(fresh, { recursive: true, force: true }));
    const restored = await runCli(["restore", join(work, "online.gz")], { ...env, RELAIS_DATA_DIR: fresh });
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/restored 2 collective\(s\), \d+ key\(s\), 1 follower\(s\), 2 event\(s\)/);
    await comesBackTheSame({ dataDir: fresh }, "Après restauration en ligne");
  });

  it("moves to an empty PostgreSQL database with the same ids and keys, and refuses a non-empty one", async () => {
    const db = await createTestDatabase("moved");
    cleanups.push(() => db.drop());
    const moved = await runCli(["move-to-postgres", db.url], { ...env, RELAIS_DATA_DIR: dataDir });
    expect(moved.stderr).toBe("");
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/^collective\t2\t2$/m);
    expect(moved.stdout).toMatch(/^actor_key\t(\d+)\t\1$/m);
    expect(moved.stdout).toMatch(/^follower\t1\t1$/m);
    expect(moved.stdout).toMatch(/^event\t2\t2$/m);
    // The delivery waiting for its retry moves with the rest.
    expect(moved.stdout).toMatch(/^federation_queue\t([1-9]\d*)\t\1$/m);
    expect(moved.stdout).toMatch(/every count matches/);
    expect(moved.stdout).toMatch(/set DATABASE_URL=postgres/);
    expect(moved.stdout).toMatch(/REDIS_URL/);

    const refused = await runCli(["move-to-postgres", db.url], { ...env, RELAIS_DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not empty: .*collective \(2\)/);
    const withUrl = await runCli(["move-to-postgres", db.url], { ...env, RELAIS_DATA_DIR: dataDir, DATABASE_URL: db.url });
    expect(withUrl.code).toBe(1);
    expect(withUrl.stderr).toMatch(/DATABASE_URL is set/);

    await comesBackTheSame({ url: db.url }, "Sur PostgreSQL");
  });
});
