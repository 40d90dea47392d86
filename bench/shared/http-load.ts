// A minimal keep-alive HTTP/1.1 load client over raw sockets (so that the client costs less than any
// server it measures), the CPU time of a server process, and the machine's load, for the benchmarks.
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import os from "node:os";

export interface Reply {
  status: number;
  bodyBytes: number;
  head: string;
}

/** One keep-alive connection that sends a request and reads one response at a time (Content-Length or chunked). */
export class Connection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #head = "";
  #status = 0;
  #remaining = -1;
  #chunked = false;
  #bodyBytes = 0;
  #done: ((reply: Reply) => void) | undefined;
  #fail: ((error: Error) => void) | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#data(chunk));
    socket.on("error", (error) => this.#fail?.(error));
    socket.on("close", () => this.#fail?.(new Error("connection closed by the server")));
  }

  static open(port: number, host = "127.0.0.1"): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new Connection(socket)));
      socket.once("error", reject);
    });
  }

  request(raw: Buffer): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.#done = resolve;
      this.#fail = reject;
      this.#buffer = Buffer.alloc(0);
      this.#remaining = -1;
      this.#bodyBytes = 0;
      this.#socket.write(raw);
    });
  }

  close(): void {
    this.#fail = undefined;
    this.#socket.destroy();
  }

  #data(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (this.#remaining < 0) {
      const end = this.#buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      this.#head = this.#buffer.subarray(0, end).toString("latin1");
      this.#status = Number(this.#head.slice(9, 12));
      const length = /\r\ncontent-length: *(\d+)/i.exec(this.#head);
      this.#chunked = /\r\ntransfer-encoding: *chunked/i.test(this.#head);
      this.#buffer = this.#buffer.subarray(end + 4);
      if (length === null && !this.#chunked && this.#status !== 304 && this.#status !== 204) {
        this.#fail?.(new Error(`no Content-Length in a ${this.#status} response`));
        return;
      }
      this.#remaining = this.#chunked ? 0 : length === null ? 0 : Number(length[1]);
    }
    if (this.#chunked) {
      // Enough for the benchmarks: wait for the last chunk, count the rest as body.
      const last = this.#buffer.indexOf("\r\n0\r\n\r\n");
      const bare = this.#buffer.length >= 5 && this.#buffer.subarray(0, 5).toString() === "0\r\n\r\n";
      if (last < 0 && !bare) return;
      this.#bodyBytes = Math.max(last , 0);
      this.#finish();
      return;
    }
    if (this.#buffer.length < this.#remaining) return;
    this.#bodyBytes = this.#remaining;
    this.#finish();
  }

  #finish(): void {
    const done = this.#done;
    this.#done = undefined;
    this.#fail = undefined;
    this.#buffer = Buffer.alloc(0);
    done?.({ status: this.#status, bodyBytes: this.#bodyBytes, head: this.#head });
  }
}

export function rawRequest(path: string, headers: Record<string, string> = {}, method = "GET", body?: string): Buffer {
  let text = `${method} ${path} HTTP/1.1\r\nHost: ${headers.Host ?? "127.0.0.1"}\r\nUser-Agent: relais-bench\r\n`;
  if (headers.Accept === undefined) text += "Accept: */*\r\n";
  for (const [name, value] of Object.entries(headers)) if (name !== "Host") text += `${name}: ${value}\r\n`;
  if (body !== undefined) text += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return Buffer.from(`${text}\r\n${body ?? ""}`, body === undefined ? "latin1" : "utf8");
}

/** User + system CPU time of a process (and its threads), in microseconds, from /proc. */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1_000_000) / 100; // USER_HZ is 100 on Linux
}

/** Resident memory of a process (current and high-water mark), in bytes. */
export function processMemory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

export interface Sample {
  perSecond: number;
  /** Server CPU per request (µs), when a pid was given. */
  cpuPerRequest: number;
  requests: number;
}

/**
 * `connections` keep-alive connections send `raw` back to back for `ms`; every answer must have
 * status `expected`. With `pid`, the server's CPU time per request too.
 */
export async function load(opts: { port: number; raw: Buffer | (() => Buffer); expected: number; ms: number; connections: number; pid?: number }): Promise<Sample> {
  const conns = await Promise.all(Array.from({ length: opts.connections }, () => Connection.open(opts.port)));
  const cpuBefore = opts.pid ? processCpuMicros(opts.pid) : 0;
  const started = performance.now();
  const deadline = started + opts.ms;
  let count = 0;
  try {
    await Promise.all(
      conns.map(async (c) => {
        while (performance.now() < deadline) {
          const reply = await c.request(typeof opts.raw === "function" ? opts.raw() : opts.raw);
          if (reply.status !== opts.expected) throw new Error(`expected ${opts.expected}, got ${reply.status}: ${reply.head.split("\r\n")[0]}`);
          count++;
        }
      }),
    );
  } finally {
    for (const c of conns) c.close();
  }
  const elapsed = performance.now() - started;
  const cpu = opts.pid ? processCpuMicros(opts.pid) - cpuBefore : 0;
  return { perSecond: (count / elapsed) * 1000, cpuPerRequest: count > 0 ? cpu / count : 0, requests: count };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** "1.52 / 1.80 / 2.01 (2 CPUs)": the machine's load averages, to write down with every run. */
export function loadAverage(): string {
  return `${os.loadavg().map((l) => l.toFixed(2)).join(" / ")} (${os.cpus().length} CPUs)`;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}
