// The floor of the inbox benchmark: a bare Fedify 2.3.8 inbox doing what Relais's does, minimally:
// an in-memory KV store and in-process queue (`concurrency` workers), one Group actor with an RSA key,
// Follow → signature verified, actor fetched, follower kept in a Map, Accept sent; Undo(Follow) →
// follower removed. Served by node:http through `federation.fetch`. It prints its port; GET /count
// answers the number of followers.
import "../../src/temporal.ts";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createFederation, generateCryptoKeyPair, InProcessMessageQueue, MemoryKvStore, ParallelMessageQueue } from "@fedify/fedify";
import { Accept, Follow, Group, Undo } from "@fedify/vocab";

const concurrency = Number(process.argv[2] ?? 8);
const port = Number(process.argv[3] ?? 0);
const federation = createFederation<void>({
  kv: new MemoryKvStore(),
  queue: new ParallelMessageQueue(new InProcessMessageQueue({ pollInterval: { milliseconds: 5 } }), concurrency),
  allowPrivateAddress: true,
  manuallyStartQueue: true,
  firstKnock: "draft-cavage-http-signatures-12",
});
const keys = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")];
const followers = new Map<string, string>();
federation
  .setActorDispatcher("/@{identifier}", async (ctx, identifier) =>
    identifier === "bench"
      ? new Group({ id: ctx.getActorUri(identifier), preferredUsername: identifier, inbox: ctx.getInboxUri(identifier), publicKey: (await ctx.getActorKeyPairs(identifier))[0]?.cryptographicKey })
      : null,
  )
  .setKeyPairsDispatcher(() => keys);
federation
  .setInboxListeners("/@{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    if (!follow.id || !follow.actorId) return;
    const actor = await follow.getActor(ctx);
    if (!actor?.id) return;
    followers.set(actor.id.href, follow.id.href);
    await ctx.sendActivity({ identifier: "bench" }, actor, new Accept({ id: new URL(`${follow.id.href}#accept`), actor: ctx.getActorUri("bench"), object: follow }));
  })
  .on(Undo, async (_ctx, undo) => {
    if (undo.actorId) followers.delete(undo.actorId.href);
  });
const controller = new AbortController();
void federation.startQueue(undefined, { signal: controller.signal });

const server = createServer(async (req, res) => {
  if (req.url === "/count") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ followers: followers.size }));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : body });
  const response = await federation.fetch(request, { contextData: undefined });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1");
await once(server, "listening");
process.stdout.write(`fedify inbox on port ${(server.address() as AddressInfo).port}\n`);
process.on("SIGTERM", () => {
  controller.abort();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
