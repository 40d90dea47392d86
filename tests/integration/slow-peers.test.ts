// One slow peer stalls nobody (issue 13, defect 2): an event goes to 200 followers on five good servers
// while four followers' inboxes answer 500 and then drip their body one byte every two seconds, two
// followers' inboxes never answer, and strangers flood the inbox with activities signed by a key whose
// host never answers. Deliveries to the good servers all arrive; the slow ones are cut at the outbound
// deadlines (short here, set through the configuration) and nothing piles up: connections to the slow
// hosts close, on their side and on ours (no socket descriptor left in this process).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { seedFollowers } from "../support/followers.ts";
import { generateSigningKey, signedPostHeaders } from "../support/http-signatures.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import {
  postPastOutboundLimits,
  type SlowPeer,
  startDrippingPeer,
  startPlainPeer,
  startSilentPeer,
  socketsTo,
} from "../support/slow-peers.ts";
import { until } from "../support/wait.ts";

const GOOD_SERVERS = 5;
const FOLLOWERS_PER_GOOD_SERVER = 40;

describe.each([
  { name: "the embedded default", redis: false, embedded: true },
  { name: "PostgreSQL + Redis", redis: true, embedded: false },
])("slow peers ($name)", ({ redis, embedded }) => {
  let relais: RelaisInstance;
  const good: SlowPeer[] = [];
  const dripping: SlowPeer[] = [];
  const silent: SlowPeer[] = [];
  let keyHost: SlowPeer;
  /** Activity ids received per inbox path, per good server. */
  const received = new Map<SlowPeer, Map<string, string[]>>();

  beforeAll(async () => {
    relais = await startRelaisInstance({
      redis,
      embedded,
      env: {
        RELAIS_OUTBOUND_CONNECT_TIMEOUT_MS: "1000",
        RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS: "1500",
        RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS: "3000",
      },
    });
    for (let i = 0; i < GOOD_SERVERS; i++) {
      const inboxes = new Map<string, string[]>();
      const peer = await startPlainPeer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          // Only deliveries count: Relais also asks each server for its NodeInfo (which software it runs).
          if (req.method !== "POST") return void res.writeHead(404).end();
          const activity = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { id?: string };
          inboxes.set(req.url ?? "", [...(inboxes.get(req.url ?? "") ?? []), String(activity.id)]);
          res.writeHead(202).end();
        });
      }, `127.0.0.${2 + i}`);
      received.set(peer, inboxes);
      good.push(peer);
    }
    for (let i = 0; i < 4; i++) dripping.push(await startDrippingPeer({ host: `127.0.0.${10 + i}`, status: 500, intervalMs: 2000 }));
    for (let i = 0; i < 2; i++) silent.push(await startSilentPeer(`127.0.0.${14 + i}`));
    keyHost = await startSilentPeer("127.0.0.16");
  });

  afterAll(async () => {
    await relais?.close();
    await Promise.all([...good, ...dripping, ...silent, keyHost].filter(Boolean).map((p) => p.close()));
  });

  /** Followers of `slug` with their own inboxes (no shared inbox): one delivery each. */
  const addFollowers = (slug: string, peer: SlowPeer, count: number) =>
    seedFollowers(relais.runtime, slug, Array.from({ length: count }, (_, n) => ({ actor: peer.url(`/users/u${n}`) })));

  /** Signed Follows from a stranger whose key lives on a host that never answers. */
  async function floodInboxWithUnreachableKeys(count: number): Promise<number[]> {
    const key = await generateSigningKey(keyHost.url("/users/stranger#main-key"));
    const inbox = relais.url("/@jour-j/inbox");
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const body = JSON.stringify({
          "@context": "https://www.w3.org/ns/activitystreams",
          id: keyHost.url(`/follows/${i}`).href,
          type: "Follow",
          actor: keyHost.url("/users/stranger").href,
          object: relais.url("/@jour-j").href,
        });
        return postPastOutboundLimits(inbox, signedPostHeaders(key, inbox, body), body);
      }),
    );
  }

  it("delivers to every follower on the good servers while slow and silent ones are cut short, and nothing piles up", async () => {
    const { collectives, events } = relais.runtime;
    await collectives.create({ slug: "jour-j", name: { fr: "Jour J" }, primaryLanguage: "fr" });
    const editor = (await createEditor(relais.runtime, "jour-j", `editor-${redis}@example.org`)).principal;
    // The slow followers first: deliveries go out in follow order, so they come before the good ones.
    for (const peer of [...dripping, ...silent]) await addFollowers("jour-j", peer, 1);
    for (const peer of good) await addFollowers("jour-j", peer, FOLLOWERS_PER_GOOD_SERVER);

    const { event } = await events.create(editor, "jour-j", {
      name: { fr: "Grève" },
      startsAt: "2030-03-08T10:00",
      timezone: "Europe/Paris",
      onlineUrl: "https://meet.example/greve",
      published: true,
    });
    const flood = floodInboxWithUnreachableKeys(20);
    const createId = `${event.apId.href}#create`;
    const deliveredCreates = () =>
      [...received.values()].reduce((sum, inboxes) => sum + [...inboxes.values()].filter((ids) => ids.includes(createId)).length, 0);
    await until("the Create at all 200 good inboxes", async () => deliveredCreates() === GOOD_SERVERS * FOLLOWERS_PER_GOOD_SERVER, 90_000);
    for (const inboxes of received.values()) {
      expect(inboxes.size).toBe(FOLLOWERS_PER_GOOD_SERVER);
      for (const ids of inboxes.values()) expect(ids.filter((id) => id === createId)).toHaveLength(1);
    }
    // The slow followers were tried (first), not skipped.
    for (const peer of [...dripping, ...silent]) expect(peer.requests.some((r) => r.method === "POST")).toBe(true);
    // Each stranger got its answer (no key, no entry) instead of hanging on the key host.
    expect(await flood).toEqual(Array(20).fill(401));

    // Keep-alive: forty deliveries to one server do not take forty connections.
    for (const peer of good) expect(peer.connectionsSeen()).toBeLessThan(FOLLOWERS_PER_GOOD_SERVER / 2);
    await until("the connections to the slow hosts to close", async () =>
      [...dripping, ...silent, keyHost].every((p) => p.openConnections() === 0),
    );
    // Relais' side: no descriptor left for a connection to a slow host, and once idle keep-alive
    // connections expire (a few seconds), none to the good ones either.
    const hostsOf = (peers: SlowPeer[]) => peers.map((p) => p.origin.hostname);
    await until("Relais' sockets to the slow hosts to close", async () => socketsTo(hostsOf([...dripping, ...silent, keyHost])) === 0);
    await until("Relais' keep-alive sockets to the good hosts to close", async () => socketsTo(hostsOf(good)) === 0, 30_000);
  }, 180_000);
});
