// The followers' servers of the fan-out benchmark, in their own process: `count` HTTP servers on
// loopback that take POSTs to any inbox (202, after `latencyMs`: a real network's round trip and a real
// server's work) and record when each activity arrived; `slow` of them
// answer everything after `slowMs`, `down` of them refuse connections (their port is closed). GETs
// (NodeInfo, actors) answer 404. The parent asks over IPC:
//   { arrivals: <activity id> } → { servers, deliveries, first, last } (times: performance.timeOrigin + now, ms)
//   "connections" → TCP connections accepted so far;  "exit"
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

const [count = 40, slow = 0, down = 0, slowMs = 10_000, latencyMs = 0] = process.argv.slice(2).map(Number);
const now = () => performance.timeOrigin + performance.now();
/** activity id → one body that carried it (for the floors: the same bytes) */
const bodies = new Map<string, string>();
/** activity id → server index → arrival times */
const arrivals = new Map<string, Map<number, number[]>>();
let connections = 0;
const servers: Server[] = [];
const ports: number[] = [];
const kinds: ("good" | "slow" | "down")[] = [];

for (let i = 0; i < count; i++) {
  const kind = i < slow ? "slow" : i < slow + down ? "down" : "good";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answer = (status: number) => {
        if (kind === "slow") setTimeout(() => res.writeHead(status).end(), slowMs).unref();
        else if (latencyMs > 0) setTimeout(() => res.writeHead(status).end(), latencyMs).unref();
        else res.writeHead(status).end();
      };
      if (req.method !== "POST") return answer(404);
      let id = "?";
      const text = Buffer.concat(chunks).toString();
      try {
        id = String((JSON.parse(text) as { id?: string }).id);
      } catch {}
      if (!bodies.has(id) && bodies.size < 100) bodies.set(id, text);
      const byServer = arrivals.get(id) ?? new Map<number, number[]>();
      arrivals.set(id, byServer);
      const times = byServer.get(i) ?? [];
      times.push(now());
      byServer.set(i, times);
      answer(202);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", () => connections++);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  ports.push((server.address() as AddressInfo).port);
  kinds.push(kind);
  if (kind === "down") await new Promise((r) => server.close(r));
  else servers.push(server);
}

process.send?.({ ports, kinds });
process.on("message", (message: unknown) => {
  if (message === "exit") {
    for (const s of servers) s.closeAllConnections();
    process.exit(0);
  }
  if (message === "connections") {
    process.send?.({ connections });
    return;
  }
  const wanted = (message as { body?: string }).body;
  if (wanted !== undefined) {
    process.send?.({ body: bodies.get(wanted) ?? null });
    return;
  }
  const id = (message as { arrivals?: string }).arrivals;
  if (id !== undefined) {
    const byServer = arrivals.get(id) ?? new Map<number, number[]>();
    const all = [...byServer.values()].flat();
    process.send?.({
      servers: byServer.size,
      goodServers: [...byServer.keys()].filter((i) => kinds[i] === "good").length,
      deliveries: all.length,
      first: all.length ? Math.min(...all) : null,
      last: all.length ? Math.max(...all) : null,
      lastGood: Math.max(0, ...[...byServer].filter(([i]) => kinds[i] === "good").flatMap(([, t]) => t)),
      /** The first arrival at each good server, in order. */
      goodFirsts: [...byServer].filter(([i]) => kinds[i] === "good").map(([, t]) => Math.min(...t)).sort((a, b) => a - b),
    });
  }
});
