// A slow server holds up nobody else's deliveries (issue 15): with ONE delivery at a time, an event goes
// first to four followers whose servers take the POST and do not answer, then to thirty followers on a
// good server. Every good inbox gets the Create while the four slow deliveries are still waiting for
// their answer (the outbound deadlines are far away): a delivery that waits on a slow server gives its
// queue slot to the next one (slow-hosts.ts, yieldQueueSlot). Once the slow servers answer, their
// deliveries finish too and the queue is empty.
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { seedFollowers } from "../support/followers.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { type SlowPeer, startPlainPeer } from "../support/slow-peers.ts";
import { until } from "../support/wait.ts";

const GOOD_FOLLOWERS = 30;
let relais: RelaisInstance;
let good: SlowPeer;
const slow: SlowPeer[] = [];
/** Answers the slow servers owe, per server. */
const held = new Map<SlowPeer, ServerResponse[]>();
/** Activity ids received per inbox path on the good server. */
const received = new Map<string, string[]>();

beforeAll(async () => {
  relais = await startRelaisInstance({
    env: {
      RELAIS_DELIVERY_CONCURRENCY: "1",
      RELAIS_OUTBOUND_HEADERS_TIMEOUT_MS: "120000",
      RELAIS_OUTBOUND_RESPONSE_TIMEOUT_MS: "120000",
    },
  });
  good = await startPlainPeer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST") return void res.writeHead(404).end(); // NodeInfo: unknown software
      const id = String((JSON.parse(Buffer.concat(chunks).toString() || "{}") as { id?: string }).id);
      received.set(req.url ?? "", [...(received.get(req.url ?? "") ?? []), id]);
      res.writeHead(202).end();
    });
  }, "127.0.0.2");
  for (let i = 0; i < 4; i++) {
    const answers: ServerResponse[] = [];
    const peer = await startPlainPeer((req, res) => {
      req.resume();
      if (req.method !== "POST") return void res.writeHead(404).end();
      answers.push(res); // answered when the test says so
    }, `127.0.0.${10 + i}`);
    held.set(peer, answers);
    slow.push(peer);
  }
});

afterAll(async () => {
  for (const answers of held.values()) for (const res of answers) res.destroy();
  await relais?.close();
  await Promise.all([good, ...slow].filter(Boolean).map((p) => p.close()));
});

it("delivers to every follower on a good server while the deliveries to slow servers wait, one delivery at a time", async () => {
  const { collectives, events, queue } = relais.runtime;
  await collectives.create({ slug: "greve", name: { fr: "Grève" }, primaryLanguage: "fr" });
  const editor = (await createEditor(relais.runtime, "greve", "editor@example.org")).principal;
  // The slow servers' followers first: deliveries go out in follow order.
  for (const peer of slow) await seedFollowers(relais.runtime, "greve", [{ actor: peer.url("/users/slow") }]);
  await seedFollowers(
    relais.runtime,
    "greve",
    Array.from({ length: GOOD_FOLLOWERS }, (_, n) => ({ actor: good.url(`/users/u${n}`) })),
  );

  const { event } = await events.create(editor, "greve", {
    name: { fr: "Grève" },
    startsAt: "2030-03-08T10:00",
    timezone: "Europe/Paris",
    onlineUrl: "https://meet.example/greve",
    published: true,
  });
  const createId = `${event.apId.href}#create`;
  const goodInboxesReached = () => [...received.values()].filter((ids) => ids.includes(createId)).length;
  await until("the Create at every good inbox", async () => goodInboxesReached() === GOOD_FOLLOWERS, 60_000);

  // Meanwhile each slow server got its delivery and has not answered it: those four are still waiting.
  for (const peer of slow) expect(held.get(peer)).toHaveLength(1);
  await until("only the four slow deliveries left in the queue", async () => {
    const counts = await queue.counts();
    return counts.active === 4 && counts.ready === 0 && counts.delayed === 0;
  });
  for (const peer of slow) expect(held.get(peer)).toHaveLength(1);
  for (const ids of received.values()) expect(ids.filter((id) => id === createId)).toHaveLength(1);

  // The slow servers answer at last: their deliveries finish and leave the queue.
  for (const answers of held.values()) for (const res of answers.splice(0)) res.writeHead(202).end();
  await until("the queue to be empty", async () => {
    const counts = await queue.counts();
    return counts.active === 0 && counts.ready === 0 && counts.delayed === 0;
  });
}, 120_000);
