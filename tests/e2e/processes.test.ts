// The "done when": a collective created with the CLI is followed by a Mastodon-shaped actor on
// another loopback address, which receives a signed Accept — with `relais serve` + `relais worker` on
// PostgreSQL + Redis, and with `relais start` on the embedded default.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { newEmbeddedDataDir } from "../support/embedded-template.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { freePort, type RelaisProcess, runCli, startProcess } from "../support/relais-process.ts";
import { createTestDatabase, testRedisUrl } from "../support/services.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function followAndExpectAccept(origin: string, slug: string): Promise<MastodonPeer> {
  const peer = await startMastodonPeer({ host: "127.0.0.2", username: `m${randomBytes(3).toString("hex")}` });
  cleanups.push(() => peer.close());
  const webfinger = await peer.resolveWebFinger(`${slug}@${new URL(origin).host}`, new URL(origin));
  expect(webfinger.ok).toBe(true);
  const target = new URL(`/@${slug}`, origin);
  const { activityId, response } = await peer.follow(target);
  expect(response.status).toBe(202);
  const accept = await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: 30_000 });
  expect(accept.signer).toBe(target.href);
  const object = accept.activity?.object as { id?: string } | string;
  expect(typeof object === "string" ? object : object.id).toBe(activityId.href);
  return peer;
}

/**
 * Makes an editor with the CLI, publishes an event through the API and checks that `peer` receives
 * its signed Create(Event). Returns the event's URL.
 */
async function publishAndExpectCreate(
  env: Record<string, string>,
  origin: string,
  slug: string,
  email: string,
  peer: MastodonPeer,
  event: Record<string, unknown>,
): Promise<string> {
  expect((await runCli(["user", "create", email], env, "correct horse battery\n")).code).toBe(0);
  expect((await runCli(["member", "add", slug, email, "--role", "editor"], env)).code).toBe(0);
  const token = (await runCli(["token", "create", email], env)).stdout.trim();
  const posted = await fetch(new URL(`/api/v1/collectives/${slug}/events`, origin), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ ...event, published: true }),
  });
  expect(posted.status).toBe(201);
  const { url } = (await posted.json()) as { url: string };
  const delivered = await peer.waitFor((d) => d.signatureValid && d.activity?.type === "Create", { timeoutMs: 30_000 });
  expect((delivered.activity?.object as { id?: string } | undefined)?.id).toBe(url);
  return url;
}

describe("separate processes", () => {
  it("relais serve + relais worker on PostgreSQL and Redis", async () => {
    const db = await createTestDatabase("e2e");
    cleanups.push(() => db.drop());
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env = {
      RELAIS_ORIGIN: origin,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl,
      RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
    };
    // serve refuses to start before migrations: the operator runs `relais migrate` first.
    const early = await runCli(["serve"], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/run "relais migrate" first/);

    expect((await runCli(["migrate"], env)).code).toBe(0);
    const created = await runCli(["collective", "create", "gent", "--name", "Sociale rechten Gent", "--language", "nl", "--name-fr", "Droits sociaux Gand"], env);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`@gent@127.0.0.1:${port}`);

    const processes: RelaisProcess[] = [];
    cleanups.push(async () => Promise.all(processes.map((p) => p.stop())));
    processes.push(await startProcess(["serve"], env, /listening on port/));
    processes.push(await startProcess(["worker"], env, /worker started/));

    const peer = await followAndExpectAccept(origin, "gent");
    const list = await runCli(["follower", "list", "gent"], env);
    expect(list.stdout).toContain(`accepted\t${peer.actorId.href}`);

    // An event published through the web process is delivered by the worker.
    await publishAndExpectCreate(env, origin, "gent", "bram@example.org", peer, {
      name: { nl: "Betoging" },
      startsAt: "2030-05-01T18:00",
      location: { name: "OCMW", locality: "Gent" },
    });

    // Both stop cleanly on SIGTERM.
    expect(await processes[0]?.stop()).toBe(0);
    expect(await processes[1]?.stop()).toBe(0);
  }, 180_000);
});

describe("embedded default", () => {
  it("relais start on the embedded database, with the CLI used before and while it runs", async () => {
    const { dataDir, remove } = await newEmbeddedDataDir("e2e");
    cleanups.push(remove);
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env = {
      RELAIS_ORIGIN: origin,
      PORT: String(port),
      HOST: "127.0.0.1",
      RELAIS_DATA_DIR: dataDir,
      RELAIS_ALLOW_PRIVATE_ADDRESSES: "true",
      DATABASE_URL: "",
      REDIS_URL: "",
    };
    // Before the server runs, the CLI opens the data folder itself.
    const created = await runCli(["collective", "create", "lyon", "--name", "Droits sociaux Lyon", "--language", "fr"], env);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);

    const server = await startProcess(["start"], env, /listening on port/);
    cleanups.push(() => server.stop());
    // While it runs, the CLI goes through the server's socket instead of opening the folder.
    const second = await runCli(["collective", "create", "lyon-nord", "--name", "Lyon Nord", "--language", "fr"], env);
    expect(second.code).toBe(0);
    // Run without the server's RELAIS_ORIGIN (the default), the CLI publishes as the server and says so.
    const elsewhere = await runCli(["collective", "create", "lyon-sud", "--name", "Lyon Sud", "--language", "fr"], {
      ...env,
      RELAIS_ORIGIN: "http://localhost:3000",
    });
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout).toContain(`created @lyon-sud@127.0.0.1:${port}  ${origin}/@lyon-sud`);
    expect(elsewhere.stderr).toMatch(/publishes as '?http:\/\/127\.0\.0\.1:\d+\/'?, not as '?http:\/\/localhost:3000\/'?.*using the server's origin/);

    const peer = await followAndExpectAccept(origin, "lyon");
    const list = await runCli(["follower", "list", "lyon"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`accepted\t${peer.actorId.href}`);
    await followAndExpectAccept(origin, "lyon-nord");
    await followAndExpectAccept(origin, "lyon-sud");

    // An editor publishes an event through the API: the follower receives it, the feed lists it.
    await publishAndExpectCreate(env, origin, "lyon", "ana@example.org", peer, {
      name: { fr: "Assemblée" },
      startsAt: "2030-05-01T18:00",
      location: { name: "Bourse du travail", locality: "Lyon" },
    });
    const feed = await fetch(new URL("/@lyon/events.ics", origin));
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain("SUMMARY;LANGUAGE=fr:Assemblée");

    expect(await server.stop()).toBe(0);
    // After a clean stop the folder is free again and the data is there.
    const after = await runCli(["collective", "list"], env);
    expect(after.stdout).toMatch(/^lyon\t/m);
    expect(after.stdout).toMatch(/^lyon-nord\t/m);
    expect(after.stdout).toMatch(/^lyon-sud\t/m);
  }, 240_000);
});
