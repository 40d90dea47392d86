// What the test peers (Mastodon-, Gancio- and Hollo-shaped) share: a loopback HTTP server, raw requests
// whose headers are sent exactly as given (Host included), the peer's own log, and a record of what it
// received with a way to wait for it.
import { createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isObject, type JsonObject } from "./http-signatures.ts";

export function headerRecord(message: IncomingMessage): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) record[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return record;
}

export function parseJsonObject(body: string): JsonObject | null {
  try {
    const parsed: unknown = JSON.parse(body);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export async function readBody(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts an HTTP server on a loopback address; a handler that throws answers 500 and is logged. */
export async function listenOnLoopback(
  host: string,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onError: (error: unknown) => void,
): Promise<{ server: Server; origin: URL }> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: new URL(`http://${host}:${port}`) };
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An HTTP request with exactly these headers (fetch would replace Host, which some servers sign
 * without the port). Failures to connect reject; any status resolves.
 */
export async function rawRequest(
  url: URL,
  options: { method: "GET" | "POST"; headers: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<RawResponse> {
  return await new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method, headers: options.headers },
      (res) => {
        readBody(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: headerRecord(res), body: body.toString("utf8") }),
          reject,
        );
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`${options.method} ${url.href} timed out`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
}

/** A peer's own log, as the real server would write it (levels as in its source). */
export class PeerLog {
  readonly lines: LogLine[] = [];
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  debug(message: string): void {
    this.lines.push({ level: "debug", message });
  }
  info(message: string): void {
    this.lines.push({ level: "info", message });
  }
  warn(message: string): void {
    this.lines.push({ level: "warn", message });
  }
  error(message: string): void {
    this.lines.push({ level: "error", message });
  }
  /** Warnings and errors: what an administrator would look into. */
  problems(): string[] {
    return this.lines.filter((l) => l.level === "warn" || l.level === "error").map((l) => `${this.#name} ${l.level}: ${l.message}`);
  }
}

/** One POST received by a peer's inbox and what the peer answered (null: it never answered). */
export interface InboxDelivery {
  readonly activity: JsonObject | null;
  readonly path: string;
  readonly scheme: "draft-cavage" | "rfc9421" | "none";
  readonly signatureValid: boolean;
  readonly signer?: string | undefined;
  status: number | null;
}

/** The deliveries a peer received, in order, with a way to wait for one. */
export class InboxRecord<D extends InboxDelivery = InboxDelivery> {
  readonly received: D[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }

  push(delivery: D): void {
    this.received.push(delivery);
    this.notify();
  }

  /** Looks again at what was received (a delivery recorded early got its answer since). */
  notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves with the first delivery (past or future) matching `predicate`. */
  async waitFor(predicate: (delivery: D) => boolean, options: { timeoutMs?: number } = {}): Promise<D> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    return await new Promise<D>((resolve, reject) => {
      const check = (): void => {
        const found = this.received.find(predicate);
        if (found === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        const seen = this.received.map((d) => `${String(d.activity?.type)}(${String((d.activity?.object as JsonObject | undefined)?.type ?? "")}) ${d.status}`);
        reject(new Error(`${this.#name}: no matching delivery within ${timeoutMs} ms; received: [${seen.join("; ")}]`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }
}
