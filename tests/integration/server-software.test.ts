// What software a follower's server runs: read from its NodeInfo within a deadline, cached per server
// in PostgreSQL, read again once stale; a server that does not answer is unknown, and kept so briefly.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EntityManager } from "@mikro-orm/postgresql";
import { type MikroORM, migrate, openOrm } from "../../src/db/orm.ts";
import { fetchNodeInfoSoftware, ServerSoftwareResolver } from "../../src/federation/server-software.ts";
import { RemoteServerService } from "../../src/modules/remote-server/remote-server.service.ts";
import { type HolloPeer, startHolloPeer } from "../support/hollo-peer.ts";
import { startMastodonPeer, type MastodonPeer } from "../support/mastodon-peer.ts";
import { createTestDatabase } from "../support/services.ts";

describe("the software of followers' servers", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let orm: MikroORM;
  let hollo: HolloPeer;
  let mastodon: MastodonPeer;
  let silent: Server;
  let silentOrigin: string;

  beforeAll(async () => {
    db = await createTestDatabase("server_software");
    orm = await openOrm({ url: db.url });
    await migrate(orm);
    hollo = await startHolloPeer({ host: "127.0.0.3" });
    mastodon = await startMastodonPeer({ host: "127.0.0.4" });
    // Accepts connections, never answers.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.5", resolve));
    silentOrigin = `http://127.0.0.5:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    silent?.closeAllConnections();
    silent?.close();
    await hollo?.close();
    await mastodon?.close();
    await orm?.close();
    await db?.drop();
  });

  const resolver = (options: { maxAgeMs?: number } = {}) =>
    new ServerSoftwareResolver({ servers: new RemoteServerService(orm.em.fork() as EntityManager), allowPrivateAddresses: true, timeoutMs: 1000, ...options });

  it("reads NodeInfo's software name, and refuses private addresses unless allowed", async () => {
    expect(await fetchNodeInfoSoftware(hollo.origin, { timeoutMs: 1000, allowPrivateAddresses: true })).toEqual({ ok: true, software: "hollo", version: "0.10.0" });
    const refused = await fetchNodeInfoSoftware(hollo.origin, { timeoutMs: 1000, allowPrivateAddresses: false });
    expect(refused.ok).toBe(false);
  });

  it("caches per server, and asks again once stale", async () => {
    const nodeInfoRequests = () => mastodon.served.filter((r) => r.path === "/.well-known/nodeinfo").length;
    expect(await resolver().softwareOf([hollo.origin.origin, mastodon.origin.origin])).toEqual(
      new Map([
        [hollo.origin.origin, "hollo"],
        [mastodon.origin.origin, "mastodon"],
      ]),
    );
    const asked = nodeInfoRequests();
    expect((await resolver().softwareOf([mastodon.origin.origin])).get(mastodon.origin.origin)).toBe("mastodon");
    expect(nodeInfoRequests()).toBe(asked);
    expect((await resolver({ maxAgeMs: 0 }).softwareOf([mastodon.origin.origin])).get(mastodon.origin.origin)).toBe("mastodon");
    expect(nodeInfoRequests()).toBe(asked + 1);
  });

  it("gives up on a server that does not answer within the deadline: unknown", async () => {
    expect(await fetchNodeInfoSoftware(new URL(silentOrigin), { timeoutMs: 500, allowPrivateAddresses: true })).toEqual({
      ok: false,
      reason: "no answer within 500 ms",
    });
    expect((await resolver().softwareOf([silentOrigin])).get(silentOrigin)).toBeNull();
    const known = await new RemoteServerService(orm.em.fork() as EntityManager).known([silentOrigin]);
    expect(known.get(silentOrigin)?.software).toBeNull();
  });
});
