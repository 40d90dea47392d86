// Contract test of `forwardLater` (fedify-workarounds.ts): the message it enqueues is one Fedify's own
// queue listener delivers, the activity byte for byte as received (its signature intact), signed by
// the forwarder's key. Fails the day Fedify's queued outbox message changes shape. A real loopback peer.
import { createFederation, generateCryptoKeyPair, InProcessMessageQueue, MemoryKvStore } from "@fedify/fedify";
import { Person } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlowPeer, startPlainPeer } from "../../tests/support/slow-peers.ts";
import { until } from "../../tests/support/wait.ts";
import { forwardLater } from "./fedify-workarounds.ts";

const origin = new URL("http://relais.test");

const received: { path: string; body: string; signature: string }[] = [];
let peer: SlowPeer;
beforeAll(async () => {
  peer = await startPlainPeer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const signature = String(req.headers["signature-input"] ?? req.headers.signature ?? "");
      received.push({ path: req.url ?? "", body: Buffer.concat(chunks).toString("utf8"), signature });
      res.writeHead(202).end();
    });
  }, "127.0.0.53");
});
afterAll(async () => {
  await peer?.close();
});

describe("forwardLater", () => {
  it("enqueues deliveries that Fedify's queue sends as they are: the activity unchanged, signed by the forwarder", async () => {
    const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const queue = new InProcessMessageQueue({ pollInterval: { milliseconds: 50 } });
    const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true, queue, manuallyStartQueue: true });
    federation.setActorDispatcher("/users/{identifier}", (ctx, id) => new Person({ id: ctx.getActorUri(id), inbox: new URL("/inbox", origin) })).setKeyPairsDispatcher(() => [keys]);
    const stop = new AbortController();
    const running = federation.startQueue(undefined, { signal: stop.signal });
    try {
      const ctx = federation.createContext(origin, undefined);
      // Somebody else's activity, with their Linked Data signature: forwarded, not re-signed.
      const activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: "http://origin.test/events/1#update-2",
        type: "Update",
        actor: "http://origin.test/@b",
        object: { id: "http://origin.test/events/1", type: "Event", name: "Demo" },
        signature: { type: "RsaSignature2017", creator: "http://origin.test/@b#main-key", signatureValue: "c2lnbmVk" },
      };
      const deliveries = [
        { inbox: peer.url("/inbox"), sharedInbox: true, actorIds: [peer.url("/users/a").href] },
        { inbox: peer.url("/users/c/inbox"), sharedInbox: false, actorIds: [peer.url("/users/c").href] },
      ];
      const n = await forwardLater(ctx, queue, "me", deliveries, { json: activity, id: activity.id, type: "https://www.w3.org/ns/activitystreams#Update" }, { orderingKey: activity.object.id });
      expect(n).toBe(2);
      await until("both deliveries", async () => received.length >= 2, 10_000);
      expect(received.map((r) => r.path).sort()).toEqual(["/inbox", "/users/c/inbox"]);
      for (const r of received) {
        expect(JSON.parse(r.body)).toEqual(activity);
        expect(r.signature).toContain(new URL("/users/me", origin).href);
      }
    } finally {
      stop.abort();
      await running;
    }
  });
});
