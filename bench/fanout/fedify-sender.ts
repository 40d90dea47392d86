// A bare Fedify sender, the second reference of a fan-out: Fedify 2.3.8 with an in-memory KV store and
// its in-process queue run by `concurrency` workers (ParallelMessageQueue), one actor with an RSA and an
// Ed25519 key imported once, sending the same activity document to the same shared inboxes. What it
// costs per delivery is Fedify's (queue message, key import, JSON-LD parsing, signing, fetch).
// Run as a child process; the parent sends { inboxes, body, concurrency } and gets { started, ended }
// once every inbox answered (the peers count arrivals; this waits until the queue is empty).
import "../../src/temporal.ts";
import { createFederation, generateCryptoKeyPair, InProcessMessageQueue, MemoryKvStore, ParallelMessageQueue } from "@fedify/fedify";
import { Activity, Group } from "@fedify/vocab";

const now = () => performance.timeOrigin + performance.now();
const concurrency = Number(process.argv[2] ?? 8);
const queue = new InProcessMessageQueue({ pollInterval: { milliseconds: 5 } });
const federation = createFederation<void>({
  kv: new MemoryKvStore(),
  queue: new ParallelMessageQueue(queue, concurrency),
  allowPrivateAddress: true,
  manuallyStartQueue: true,
  firstKnock: "draft-cavage-http-signatures-12",
});
const keys = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), await generateCryptoKeyPair("Ed25519")];
federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => new Group({ id: ctx.getActorUri(identifier), preferredUsername: identifier }))
  .setKeyPairsDispatcher(() => keys);
const controller = new AbortController();
void federation.startQueue(undefined, { signal: controller.signal });

process.on("message", async (message: { inboxes: string[]; body: string } | "exit") => {
  if (message === "exit") {
    controller.abort();
    process.exit(0);
  }
  const ctx = federation.createContext(new URL("http://127.0.0.1:1"), undefined);
  const doc = JSON.parse(message.body) as Record<string, unknown>;
  // The activity as Relais sent it, from this sender (its own actor, a fresh id: no proof to keep).
  delete doc.proof;
  delete doc.signature;
  doc.id = `http://127.0.0.1:1/activities/${crypto.randomUUID()}`;
  doc.actor = "http://127.0.0.1:1/users/bench";
  const activity = await Activity.fromJsonLd(doc);
  const recipients = message.inboxes.map((inbox, i) => ({ id: new URL(`${new URL(inbox).origin}/users/u${i}`), inboxId: new URL(inbox), endpoints: null }));
  const started = now();
  await ctx.sendActivity({ identifier: "bench" }, recipients, activity);
  for (;;) {
    const depth = await queue.getDepth();
    if (depth.queued === 0) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  process.send?.({ started, enqueued: now(), id: doc.id });
});
process.send?.({ ready: true });
