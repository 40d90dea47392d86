// A small HTTP reverse proxy for tests, in front of several `relais serve` processes as nginx or a
// Kubernetes Service would be: requests go to the backends in turn, Host and the body unchanged, the
// client's address in X-Forwarded-For. A backend that refuses the connection (stopped, killed) is
// skipped for the next one, as nginx's `proxy_next_upstream error` does for a request not yet sent;
// a backend that dies after it got the request leaves the client with a 502 (nginx does not replay a
// POST either): the sender retries, as federating servers do.
import { once } from "node:events";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobinProxy {
  readonly origin: string;
  /** Requests answered by each backend port, and 502s. */
  readonly counts: Map<number | "502", number>;
  close(): Promise<void>;
}

function forward(port: number, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("backend timeout")));
    req.end(body);
  });
}

export async function startRoundRobinProxy(backendPorts: readonly number[], port = 0): Promise<RoundRobinProxy> {
  let next = 0;
  const counts = new Map<number | "502", number>();
  const count = (key: number | "502") => counts.set(key, (counts.get(key) ?? 0) + 1);
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
    const headers = { ...req.headers, "x-forwarded-for": forwardedFor, connection: "close" };
    const start = next++;
    for (let i = 0; i < backendPorts.length; i++) {
      const backend = backendPorts[(start + i) % backendPorts.length] as number;
      try {
        const answer = await forward(backend, req.method ?? "GET", req.url ?? "/", headers, body);
        count(backend);
        const { connection: _c, "keep-alive": _k, "transfer-encoding": _t, ...rest } = answer.headers;
        res.writeHead(answer.status, { ...rest, "content-length": String(answer.body.length) }).end(answer.body);
        return;
      } catch (error) {
        // Only a refused connection is safe to try elsewhere: the backend never saw the request.
        if ((error as NodeJS.ErrnoException).code !== "ECONNREFUSED") break;
      }
    }
    count("502");
    res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway");
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
