// The remote side of the inbox benchmark, in its own process: a server on loopback that serves `count`
// Person actors (/users/a<i>, each with its own key id and the same RSA public key, given by the
// parent) and takes their deliveries (the Accepts of their Follows) on a shared inbox. The parent asks
// over IPC: "accepts" → { accepts } (Accept activities received so far), "exit".
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const count = Number(process.argv[2] ?? 200);
let publicKeyPem = "";
let accepts = 0;
let actorGets = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const origin = `http://${req.headers.host}`;
    if (req.method === "POST") {
      try {
        if ((JSON.parse(Buffer.concat(chunks).toString()) as { type?: string }).type === "Accept") accepts++;
      } catch {}
      res.writeHead(202).end();
      return;
    }
    const m = /^\/users\/a(\d+)$/.exec(req.url ?? "");
    if (!m || Number(m[1]) >= count) {
      res.writeHead(404).end();
      return;
    }
    actorGets++;
    const id = `${origin}/users/a${m[1]}`;
    res.writeHead(200, { "content-type": "application/activity+json" }).end(
      JSON.stringify({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        id,
        type: "Person",
        preferredUsername: `a${m[1]}`,
        inbox: `${id}/inbox`,
        endpoints: { sharedInbox: `${origin}/inbox` },
        publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem },
      }),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1");
await once(server, "listening");
process.on("message", (message: unknown) => {
  if (message === "exit") {
    server.closeAllConnections();
    process.exit(0);
  }
  if (message === "accepts") process.send?.({ accepts, actorGets });
  else if (typeof message === "object" && message !== null && "publicKeyPem" in message) {
    publicKeyPem = String((message as { publicKeyPem: string }).publicKeyPem);
    process.send?.({ ok: true });
  }
});
process.send?.({ port: (server.address() as AddressInfo).port });
