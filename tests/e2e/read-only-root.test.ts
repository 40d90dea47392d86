// Issue 12: the image runs with a read-only root filesystem, writing only to /data and /tmp. Without a
// container engine, the same is done to real processes: each runs in a mount namespace of its own
// (unshare, as root) where the whole filesystem is remounted read-only except the data folder and a
// fresh tmpfs on /tmp. In there: `migrate`, CLI commands, `serve` and `worker` on PostgreSQL take a
// follow (signed Accept delivered) and a press-kit photo (re-encoded by sharp, stored under the data
// folder); `start` on the embedded database (the image's default command) creates its database in the
// data folder and takes a follow.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startMastodonPeer } from "../support/mastodon-peer.ts";
import { gpsJpeg } from "../support/press-files.ts";
import { freePort, type Launcher, type RelaisProcess, runCli, startProcess } from "../support/relais-process.ts";
import { createTestDatabase } from "../support/services.ts";

// A checkout under /tmp (a CI clone, with the Node that npm installed in it) would vanish under the
// namespace's tmpfs: it is bound aside first (RO_STASH) and bound back, read-only, over the tmpfs.
const keep = '{ [ -z "$RO_KEEP" ] || mount --bind "$RO_KEEP" "$RO_STASH"; }';
const restore = '{ [ -z "$RO_KEEP" ] || { mkdir -p "$RO_KEEP" && mount --bind "$RO_STASH" "$RO_KEEP" && mount -o remount,bind,ro "$RO_KEEP"; }; }';
const mounts = `mount --bind "$RO_DATA" "$RO_DATA" && ${keep} && mount -o remount,bind,ro / && mount -t tmpfs -o size=256m tmpfs /tmp && ${restore}`;
const checkout = process.cwd();
if (checkout.startsWith("/tmp/")) {
  if (process.execPath.startsWith("/tmp/") && !process.execPath.startsWith(`${checkout}/`)) {
    throw new Error(`Node (${process.execPath}) lives under /tmp outside the checkout: the read-only namespace would hide it`);
  }
  process.env.RO_KEEP = checkout;
  process.env.RO_STASH = mkdtempSync("/var/tmp/relais-ro-checkout-");
}
afterAll(() => {
  if (process.env.RO_STASH) rmSync(process.env.RO_STASH, { recursive: true, force: true });
});
const readOnly: Launcher = ["unshare", "-m", "--propagation", "private", "sh", "-c", `${mounts} && exec "$@"`, "sh"];

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A data folder outside /tmp (which the namespace covers with its own tmpfs). */
function dataFolder(): string {
  const dir = mkdtempSync("/var/tmp/relais-ro-");
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<RelaisProcess> {
  const p = await startProcess(args, env, ready, 120_000, readOnly);
  cleanups.push(() => p.stop());
  return p;
}

async function followAndExpectAccept(origin: string, host: string): Promise<void> {
  const peer = await startMastodonPeer({ host, username: "lecteur" });
  cleanups.push(() => peer.close());
  const { response } = await peer.follow(new URL("/@greve", origin));
  expect(response.status).toBe(202);
  await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 60_000 });
}

describe("a read-only root filesystem, writable data folder and /tmp", () => {
  it("the namespace really is read-only outside them", async () => {
    const dir = dataFolder();
    const script = `${mounts} && touch "$RO_DATA/ok" /tmp/ok && echo writable && touch /var/tmp/relais-ro-probe`;
    const probe = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", script], { env: { ...process.env, RO_DATA: dir }, encoding: "utf8" });
    expect(probe.stdout).toBe("writable\n");
    expect(probe.stderr).toMatch(/relais-ro-probe.*Read-only file system/);
    expect(probe.status).not.toBe(0);
    expect(readdirSync(dir)).toEqual(["ok"]);
  });

  it("migrate, the CLI, serve and worker on PostgreSQL", async () => {
    const db = await createTestDatabase("readonly");
    cleanups.push(() => db.drop());
    const dir = dataFolder();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env = { RELAIS_ORIGIN: origin, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: db.url, REDIS_URL: "", RELAIS_ALLOW_PRIVATE_ADDRESSES: "true", RELAIS_DATA_DIR: dir, RO_DATA: dir };
    const cli = (args: string[], input?: string) => runCli(args, env, input, readOnly);

    expect((await cli(["migrate"])).stdout).toMatch(/applied: /);
    expect((await cli(["collective", "create", "greve", "--name", "Grève", "--language", "fr"])).code).toBe(0);
    expect((await cli(["user", "create", "presse@greve.example"], "correct horse battery\n")).code).toBe(0);
    expect((await cli(["member", "add", "greve", "presse@greve.example", "--role", "editor"])).code).toBe(0);
    const token = (await cli(["token", "create", "presse@greve.example"])).stdout.trim();
    expect(token.length).toBeGreaterThan(20);

    const serve = await start(["serve"], env, /listening on port/);
    const worker = await start(["worker"], env, /worker started/);
    await followAndExpectAccept(origin, "127.0.0.2");

    const api = (path: string, init: RequestInit) => fetch(new URL(path, origin), { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
    const kit = await api("/api/v1/collectives/greve/presskits", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: { fr: "Grève" }, lead: { fr: "Appel" }, body: { fr: "Texte" }, contact: { label: { fr: "Presse" }, email: "presse@greve.example" } }),
    });
    expect(kit.status).toBe(201);
    const { id } = (await kit.json()) as { id: string };
    const photo = await api(`/api/v1/presskits/${id}/files?kind=photo&credit=Collectif&licence=cc0&caption.fr=Piquet`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array(await gpsJpeg()),
    });
    expect(photo.status).toBe(201);
    expect(readdirSync(join(dir, "media", "presskits")).filter((n) => !n.startsWith(".")).length).toBe(1);

    expect(await serve.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
  }, 240_000);

  it("start on the embedded database (the image's default command)", async () => {
    const dir = dataFolder();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env = { RELAIS_ORIGIN: origin, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: "", REDIS_URL: "", RELAIS_ALLOW_PRIVATE_ADDRESSES: "true", RELAIS_DATA_DIR: dir, RO_DATA: dir };
    expect((await runCli(["collective", "create", "greve", "--name", "Grève", "--language", "fr"], env, undefined, readOnly)).code).toBe(0);
    const server = await start(["start"], env, /listening on port/);
    expect((await fetch(new URL("/readyz", origin))).status).toBe(200);
    await followAndExpectAccept(origin, "127.0.0.3");
    expect(await server.stop()).toBe(0);
  }, 240_000);
});
