// HTTP part of the iCal benchmark: the feed routes against lower bounds served by the same Express
// process in the same run (feed-http-server.ts, a child process on its own core). The load comes from a
// minimal keep-alive HTTP/1.1 client over raw sockets, so that the client costs less than the server.
// Figures: requests per second (median of rounds, round robin) and server CPU time per request.
import { type ChildProcess, fork } from "node:child_process";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { median } from "./stats.ts";

interface Reply {
  status: number;
  bodyBytes: number;
}

/** One keep-alive connection that sends a request and reads one response at a time (Content-Length only). */
class Connection {
  readonly #socket: Socket;
  #head: Buffer = Buffer.alloc(0);
  #status = 0;
  #remaining = -1;
  #bodyBytes = 0;
  #done: ((reply: Reply) => void) | undefined;
  #fail: ((error: Error) => void) | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#data(chunk));
    socket.on("error", (error) => this.#fail?.(error));
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new Connection(socket)));
      socket.once("error", reject);
    });
  }

  request(raw: Buffer): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.#done = resolve;
      this.#fail = reject;
      this.#head = Buffer.alloc(0);
      this.#remaining = -1;
      this.#bodyBytes = 0;
      this.#socket.write(raw);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #data(chunk: Buffer): void {
    if (this.#remaining < 0) {
      this.#head = this.#head.length === 0 ? chunk : Buffer.concat([this.#head, chunk]);
      const end = this.#head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.#head.subarray(0, end).toString("latin1");
      this.#status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (length === null && this.#status !== 304) {
        this.#fail?.(new Error(`no Content-Length in a ${this.#status} response`));
        return;
      }
      this.#remaining = length === null ? 0 : Number(length[1]);
      chunk = this.#head.subarray(end + 4);
    }
    this.#remaining -= chunk.length;
    this.#bodyBytes += chunk.length;
    if (this.#remaining <= 0) this.#done?.({ status: this.#status, bodyBytes: this.#bodyBytes });
  }
}

function rawRequest(path: string, headers: Record<string, string> = {}): Buffer {
  let text = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: relais-bench\r\nAccept: */*\r\n`;
  for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
  return Buffer.from(`${text}\r\n`, "latin1");
}

class Server {
  readonly #child: ChildProcess;
  readonly #waiting: ((message: Record<string, unknown>) => void)[] = [];

  constructor(child: ChildProcess) {
    this.#child = child;
    child.on("message", (message: Record<string, unknown>) => this.#waiting.shift()?.(message));
  }

  static async start(
    events: number,
    postgres: boolean,
  ): Promise<{ server: Server; ready: { ready: number; events: number; bytes: number; gzip: number } }> {
    const script = fileURLToPath(new URL("./feed-http-server.ts", import.meta.url));
    const args = [String(events), ...(postgres ? ["--postgres"] : [])];
    const child = fork(script, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const server = new Server(child);
    const ready = (await server.#next()) as { ready: number; events: number; bytes: number; gzip: number };
    return { server, ready };
  }

  #next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async ask(command: string): Promise<Record<string, unknown>> {
    const reply = this.#next();
    this.#child.send(command);
    return reply;
  }

  async cpuMicros(): Promise<number> {
    const { cpu } = (await this.ask("cpu")) as { cpu: NodeJS.CpuUsage };
    return cpu.user + cpu.system;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once("exit", resolve));
    this.#child.send("exit");
    await exited;
  }
}

interface Sample {
  perSecond: number;
  cpuPerRequest: number;
}

async function load(server: Server, port: number, raw: Buffer, expected: number, ms: number, connections: number): Promise<Sample> {
  const conns = await Promise.all(Array.from({ length: connections }, () => Connection.open(port)));
  const cpuBefore = await server.cpuMicros();
  const started = performance.now();
  const deadline = started + ms;
  let count = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < deadline) {
        const reply = await c.request(raw);
        if (reply.status !== expected) throw new Error(`expected ${expected}, got ${reply.status}`);
        count++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const cpu = (await server.cpuMicros()) - cpuBefore;
  for (const c of conns) c.close();
  return { perSecond: (count / elapsed) * 1000, cpuPerRequest: cpu / count };
}

export interface HttpBenchOptions {
  readonly events: number;
  readonly rounds: number;
  readonly secondsPerRun: number;
  readonly connections: number;
  /** Subject and events from PostgreSQL (the production classes) instead of memory. */
  readonly postgres?: boolean;
  /** PostgreSQL: also time the first GET after an edit with this many events. */
  readonly coldAlso?: number;
}

async function coldGets(server: Server, port: number, path: string, minBytes: number): Promise<number[]> {
  const times: number[] = [];
  const conn = await Connection.open(port);
  for (let i = 0; i < 5; i++) {
    await server.ask("bump");
    const started = performance.now();
    const reply = await conn.request(rawRequest(path));
    times.push(performance.now() - started);
    if (reply.status !== 200 || reply.bodyBytes < minBytes) throw new Error("the feed is too short");
  }
  conn.close();
  return times;
}

/** Runs the HTTP scenarios and returns a Markdown report (tables and the checks against the goals). */
export async function runHttpBench(opts: HttpBenchOptions): Promise<string> {
  const { server, ready } = await Server.start(opts.events, opts.postgres === true);
  const port = ready.ready;
  try {
    const { etag } = (await server.ask("etag")) as { etag: string };
    const lastModified = new Date(Date.UTC(2030, 0, 1)).toUTCString();
    const feedPath = "/@bench/events.ics";
    const gz = { "Accept-Encoding": "gzip" };
    const scenarios: Record<string, { raw: Buffer; status: number }> = {
      "Express hello world": { raw: rawRequest("/hello"), status: 200 },
      "feed 304 (If-None-Match)": { raw: rawRequest(feedPath, { "If-None-Match": etag }), status: 304 },
      "feed 304 (If-Modified-Since)": { raw: rawRequest(feedPath, { "If-Modified-Since": lastModified }), status: 304 },
      "same bytes from memory": { raw: rawRequest("/static.ics"), status: 200 },
      "feed warm GET": { raw: rawRequest(feedPath), status: 200 },
      "same gzip bytes from memory": { raw: rawRequest("/static.ics?gz", gz), status: 200 },
      "feed warm GET, gzip": { raw: rawRequest(feedPath, gz), status: 200 },
    };
    const samples = new Map(Object.keys(scenarios).map((name) => [name, [] as Sample[]]));
    // Warm-up (JIT, the feed's gzip), then rounds in round robin so that machine load weighs on all alike.
    for (const { raw, status } of Object.values(scenarios)) await load(server, port, raw, status, 300, opts.connections);
    for (let round = 0; round < opts.rounds; round++) {
      for (const [name, { raw, status }] of Object.entries(scenarios)) {
        samples.get(name)!.push(await load(server, port, raw, status, opts.secondsPerRun * 1000, opts.connections));
      }
    }
    const result = (name: string) => {
      const s = samples.get(name)!;
      return { perSecond: median(s.map((x) => x.perSecond)), cpu: median(s.map((x) => x.cpuPerRequest)) };
    };

    // First GET after an edit: the feed is loaded, rendered (no gzip asked) and cached.
    const cold = await coldGets(server, port, feedPath, ready.bytes / 2);
    let coldMore = "";
    if (opts.postgres && opts.coldAlso) {
      await server.ask(`grow ${opts.coldAlso}`);
      const more = await coldGets(server, port, feedPath, ready.bytes * 2);
      coldMore = `; with ${opts.coldAlso} events: median ${median(more).toFixed(1)} ms (${more.map((c) => c.toFixed(0)).join(", ")})`;
    }

    const pairs: [string, string, number][] = [
      ["feed 304 (If-None-Match)", "Express hello world", 0.8],
      ["feed 304 (If-Modified-Since)", "Express hello world", 0.8],
      ["feed warm GET", "same bytes from memory", 0.8],
      ["feed warm GET, gzip", "same gzip bytes from memory", 0.8],
    ];
    const rows = pairs.map(([ours, bound, goal]) => {
      const a = result(ours);
      const b = result(bound);
      const ratio = a.perSecond / b.perSecond;
      return [
        ours,
        bound,
        a.perSecond.toFixed(0),
        b.perSecond.toFixed(0),
        `${ratio.toFixed(2)}×`,
        a.cpu.toFixed(0),
        b.cpu.toFixed(0),
        `${(b.cpu / a.cpu).toFixed(2)}×`,
        ratio >= goal ? `≥ ${goal}× ok` : `below ${goal}×`,
      ];
    });
    const header = [
      "scenario",
      "lower bound",
      "req/s",
      "lower bound req/s",
      "throughput ratio",
      "server CPU µs/req",
      "lower bound CPU µs/req",
      "CPU ratio (bound ÷ ours)",
      "goal",
    ];
    const table = [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
    return (
      `HTTP, ${opts.postgres ? "PostgreSQL (DatabaseFeedSubjects, LocalEventSource)" : "in-memory subject and source"}: ${ready.events} events, ${(ready.bytes / 1024).toFixed(0)} KiB (gzip ${(ready.gzip / 1024).toFixed(0)} KiB), ` +
      `${opts.connections} keep-alive connections, ${opts.rounds} rounds of ${opts.secondsPerRun} s per scenario, medians\n\n` +
      `${table}\n\nFirst GET after an edit (render and cache, ${ready.events} events): median ${median(cold).toFixed(1)} ms ` +
      `(${cold.map((c) => c.toFixed(0)).join(", ")})${coldMore}\n`
    );
  } finally {
    await server.stop();
  }
}
