// Rate limits, in memory (one process) and on Redis (shared by every process): failed API
// authentications per client address, inbox deliveries per remote origin and address. 429 with
// Retry-After and a message; a valid token still works from an address over its limit, and a
// stranger claiming a server's keys does not use up that server's allowance.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";
import { connectTestRedis } from "../support/services.ts";

const limit = 5;

async function expectLimited(res: Response, message: RegExp): Promise<void> {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter) && retryAfter > 0).toBe(true);
  expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  const body = (await res.json()) as { error: string; message: string };
  expect(body.error).toBe("too_many_requests");
  expect(body.message).toMatch(message);
  expect(body.message).toContain(`try again in ${retryAfter} seconds`);
}

describe.each([
  { store: "memory", redis: false },
  { store: "Redis", redis: true },
])("rate limits ($store)", ({ redis }) => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  let token: string;

  beforeAll(async () => {
    relais = await startRelaisInstance({
      redis,
      env: { RELAIS_API_AUTH_FAILURE_LIMIT: String(limit), RELAIS_INBOX_RATE_LIMIT: String(limit) },
    });
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "carla" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    token = (await createEditor(relais.runtime, "lyon", "ana@example.org")).token;
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  // The test talks to the server over loopback, a trusted proxy: X-Forwarded-For names the client.
  const list = (bearer: string, from?: string) =>
    fetch(relais.url("/api/v1/collectives/lyon/events"), {
      headers: { authorization: `Bearer ${bearer}`, ...(from ? { "x-forwarded-for": from } : {}) },
    });
  const guess = (n: number) => `relais_guess${n}${"x".repeat(30)}`;

  it("answers 429 after repeated bad tokens from one address, while a valid token still works", async () => {
    const from = "198.51.100.7";
    for (let i = 0; i < limit; i++) expect((await list(guess(i), from)).status).toBe(401);
    await expectLimited(await list(guess(limit), from), /too many failed authentications from your address/);
    await expectLimited(await list(guess(limit + 1), from), /too many failed authentications/);
    // The real user behind the same address is not locked out.
    const valid = await list(token, from);
    expect(valid.status).toBe(200);
    expect(((await valid.json()) as { items: unknown[] }).items).toEqual([]);
    // Other addresses keep their own count.
    expect((await list(guess(99), "198.51.100.8")).status).toBe(401);
    if (redis) {
      // Counted in Redis, where every web process sees it; over the limit, the rest is answered from memory.
      const { redis: client } = await connectTestRedis();
      const key = `relais:rl:${relais.queueName}:api-auth-failures:${from}`;
      expect(Number(await client.get(key))).toBeGreaterThanOrEqual(limit + 1);
      client.disconnect();
    }
  });

  it("counts IPv6 clients by their /64", async () => {
    for (let i = 0; i < limit; i++) expect((await list(guess(i), `2001:db8:5:6::${i + 1}`)).status).toBe(401);
    await expectLimited(await list(guess(limit), "2001:db8:5:6:ffff::1"), /too many failed authentications/);
    expect((await list(guess(limit), "2001:db8:5:7::1")).status).toBe(401);
  });

  it("limits inbox deliveries per remote origin and address; a stranger claiming a server's key uses up only its own", async () => {
    const inbox = relais.url("/@lyon/inbox");
    const forged = (from: string) =>
      fetch(inbox, {
        method: "POST",
        headers: {
          "content-type": "application/activity+json",
          "x-forwarded-for": from,
          date: new Date().toUTCString(),
          signature: `keyId="${peer.key.keyId.href}",algorithm="rsa-sha256",headers="date",signature="AAAA"`,
        },
        body: JSON.stringify({ id: `${peer.origin.origin}/x`, type: "Follow", actor: peer.actorId.href, object: relais.url("/@lyon").href }),
      });
    for (let i = 0; i < limit; i++) {
      const refused = await forged("203.0.113.50");
      expect(refused.status, await refused.text()).toBeGreaterThanOrEqual(400);
      expect(refused.status).not.toBe(429);
    }
    await expectLimited(await forged("203.0.113.50"), new RegExp(`too many deliveries from ${peer.origin.hostname}`));

    // The real server, from its own address, still delivers — up to its own limit.
    const follow = await peer.follow(relais.url("/@lyon"));
    expect(follow.response.status).toBe(202);
    for (let i = 1; i < limit; i++) {
      const again = await peer.sendSigned(inbox, { ...follow.activity, id: peer.newId("follows").href });
      expect(again.status).toBe(202);
    }
    const over = await peer.sendSigned(inbox, { ...follow.activity, id: peer.newId("follows").href });
    await expectLimited(over, /too many deliveries/);
    // Requests claiming no key are counted apart from the signed ones.
    const unsigned = await peer.sendSigned(inbox, { ...follow.activity, id: peer.newId("follows").href }, { unsigned: true });
    expect(unsigned.status).toBe(401);
  });
});
