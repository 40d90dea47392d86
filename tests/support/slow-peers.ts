// Servers that misbehave slowly, for the outbound limits: one that never answers, one that answers a
// status at once and then drips its body one byte at a time, and a plain one. Each counts the TCP
// connections it sees and how many are still open, to show that nothing piles up on our side.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";

export interface SlowPeer {
  readonly origin: URL;
  /** Requests received (method and path), in order. */
  readonly requests: { method: string; path: string }[];
  url(path: string): URL;
  /** TCP connections accepted so far. */
  connectionsSeen(): number;
  /** TCP connections still open. */
  openConnections(): number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function startPeer(host: string, handler: Handler): Promise<SlowPeer> {
  const sockets = new Set<Socket>();
  let seen = 0;
  const requests: { method: string; path: string }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", path: req.url ?? "" });
    handler(req, res);
  });
  server.on("connection", (socket: Socket) => {
    seen++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, host);
  await once(server, "listening");
  const origin = new URL(`http://${host}:${(server.address() as AddressInfo).port}`);
  return {
    origin,
    requests,
    url: (path) => new URL(path, origin),
    connectionsSeen: () => seen,
    openConnections: () => sockets.size,
    async close() {
      // Stop listening first: a connection accepted after the sockets were destroyed would keep
      // server.close waiting for ever (these peers never answer it).
      const closed = new Promise((r) => server.close(r));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Reads the request, then never answers. */
export function startSilentPeer(host = "127.0.0.1"): Promise<SlowPeer> {
  return startPeer(host, (req) => {
    req.resume();
  });
}

/**
 * Answers `status` at once (headers flushed), then writes one byte of its body every `intervalMs`, for
 * ever (until the client goes).
 */
export function startDrippingPeer(options: { host?: string; status: number; intervalMs: number }): Promise<SlowPeer> {
  return startPeer(options.host ?? "127.0.0.1", (req, res) => {
    req.resume();
    res.writeHead(options.status, { "content-type": "application/json" });
    res.flushHeaders();
    const drip = setInterval(() => res.write("{"), options.intervalMs);
    res.on("close", () => clearInterval(drip));
  });
}

/** Answers every request with `respond` (a plain, well-behaved server unless `respond` says otherwise). */
export function startPlainPeer(respond: Handler, host = "127.0.0.1"): Promise<SlowPeer> {
  return startPeer(host, respond);
}

/**
 * A port whose listen backlog is full, so that new connections never complete their TCP handshake (a
 * host behind a firewall that drops packets, on loopback). A Python listener with a backlog of 0 that
 * never accepts, plus one connection of ours filling the queue.
 */
export async function startUnacceptingPort(host = "127.0.0.1"): Promise<{ origin: URL; close(): void }> {
  const listener = spawn("python3", [
    "-c",
    `import socket, sys, time\ns = socket.socket(); s.bind((sys.argv[1], 0)); s.listen(0)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(600)`,
    host,
  ]);
  const [data] = (await once(listener.stdout, "data")) as [Buffer];
  const port = Number(String(data).trim());
  const filler = connect(port, host);
  await once(filler, "connect");
  return {
    origin: new URL(`http://${host}:${port}`),
    close() {
      filler.destroy();
      listener.kill();
    },
  };
}

/**
 * A POST with node:http, outside the process-wide outbound fetch (whose deadlines the test instance
 * sets): the test's own patience must not be Relais' own. Resolves with the status.
 */
export async function postPastOutboundLimits(url: URL, headers: Record<string, string>, body: string): Promise<number> {
  const req = request(url, { method: "POST", headers });
  req.end(body);
  const [res] = (await once(req, "response")) as [IncomingMessage];
  res.resume();
  return res.statusCode ?? 0;
}

/**
 * File descriptors of this process that are TCP sockets to one of `hosts` (IPv4 addresses, any port),
 * whatever their state: what piles up when connections to a peer are never closed (Linux).
 */
export function socketsTo(hosts: readonly string[]): number {
  const wanted = new Set(hosts.map((h) => h.split(".").reverse().map((n) => Number(n).toString(16).padStart(2, "0")).join("").toUpperCase()));
  const inodes = new Set<string>();
  for (const line of readFileSync("/proc/self/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const remote = fields[2]?.split(":")[0];
    if (remote !== undefined && wanted.has(remote) && fields[9] !== undefined) inodes.add(fields[9]);
  }
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      if (inode !== undefined && inodes.has(inode)) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}
