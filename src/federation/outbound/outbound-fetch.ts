import { Agent } from "undici";
import { type SlowHostOptions, SlowHosts } from "./slow-hosts.ts";

/** Bounds on every request Relais makes to another server (deliveries, documents, keys, WebFinger, NodeInfo). */
export interface OutboundLimits {
  /** TCP (and TLS) connection set-up. */
  readonly connectTimeoutMs: number;
  /** From the start of the request to the response's headers (connection and queueing included). */
  readonly headersTimeoutMs: number;
  /** From the start of the request to the last byte of the body. */
  readonly responseTimeoutMs: number;
  /** Largest body accepted from a successful answer. */
  readonly maxResponseBytes: number;
  /** Connections kept open (keep-alive) or opening at once to one origin; further requests wait their turn. */
  readonly connectionsPerOrigin: number;
}

/**
 * What is kept of an error answer's body (any status outside 200–299): enough for a log line, and only
 * what arrives soon after the headers. The status is the answer; a server that drips its error page
 * one byte at a time must not hold a delivery slot while it does.
 */
export const errorBodyLimits = { maxBytes: 4096, windowMs: 1_000 } as const;

export type OutboundLimitKind = "headers" | "response" | "size";

/** A request cut short by one of the limits. Named like the platform's timeouts, so callers treat it as one. */
export class OutboundLimitError extends Error {
  readonly kind: OutboundLimitKind;
  constructor(kind: OutboundLimitKind, url: string, limits: OutboundLimits) {
    const what = {
      headers: `no response headers within ${limits.headersTimeoutMs} ms`,
      response: `response not complete within ${limits.responseTimeoutMs} ms`,
      size: `response body over ${limits.maxResponseBytes} bytes`,
    }[kind];
    super(`${url}: ${what}`);
    this.name = kind === "size" ? "OutboundLimitError" : "TimeoutError";
    this.kind = kind;
  }
}

/**
 * Wraps `base` (the platform's fetch) so that every request gets the limits above, over an HTTP agent
 * with a connect timeout and keep-alive per origin. Callers' own signals still apply. A body nobody
 * reads is released when the response deadline passes, so unread answers cannot keep sockets open.
 * With `slowHosts`, a request that waits long for its answer, or goes to a server that was slow lately,
 * says so (slow-hosts.ts): the queue then gives its delivery slot to the next message.
 */
export function createOutboundFetch(
  base: typeof fetch,
  limits: OutboundLimits,
  options: { slowHosts?: SlowHostOptions } = {},
): { fetch: typeof fetch; close(): Promise<void> } {
  // The agent's own header and body timeouts only back ours up (ours count from the start and name
  // the limit); the connect timeout is the agent's alone.
  const agent = new Agent({
    connect: { timeout: limits.connectTimeoutMs },
    headersTimeout: limits.responseTimeoutMs,
    bodyTimeout: limits.responseTimeoutMs,
    connections: limits.connectionsPerOrigin,
  });
  const slowHosts = options.slowHosts ? new SlowHosts(options.slowHosts) : undefined;

  async function outboundFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = input instanceof Request ? input.url : String(input);
    const deadline = new AbortController();
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : null);
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline.signal]) : deadline.signal;
    const expire = (kind: OutboundLimitKind, ms: number) => {
      const timer = setTimeout(() => deadline.abort(new OutboundLimitError(kind, url, limits)), ms);
      timer.unref();
      return timer;
    };
    const headersTimer = expire("headers", limits.headersTimeoutMs);
    const responseTimer = expire("response", limits.responseTimeoutMs);
    const finish = () => clearTimeout(responseTimer);
    const reason = (error: unknown) => (deadline.signal.aborted ? deadline.signal.reason : error);

    const watched = slowHosts?.watch(originOf(url));
    let response: Response;
    try {
      response = await base(input, { ...init, signal, dispatcher: agent } as RequestInit);
    } catch (error) {
      watched?.(false);
      finish();
      throw reason(error);
    } finally {
      clearTimeout(headersTimer);
    }
    watched?.(true);
    if (response.body === null) {
      finish();
      return response;
    }
    if (!response.ok) {
      const kept = await readAtMost(response.body, errorBodyLimits.maxBytes, errorBodyLimits.windowMs);
      finish();
      return rebuilt(response, kept);
    }
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > limits.maxResponseBytes) {
      const tooLarge = new OutboundLimitError("size", url, limits);
      finish();
      deadline.abort(tooLarge);
      throw tooLarge;
    }
    const source = response.body.getReader();
    let received = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await source.read();
        } catch (error) {
          finish();
          controller.error(reason(error));
          return;
        }
        if (chunk.done) {
          finish();
          controller.close();
          return;
        }
        received += chunk.value.byteLength;
        if (received > limits.maxResponseBytes) {
          const tooLarge = new OutboundLimitError("size", url, limits);
          finish();
          deadline.abort(tooLarge);
          source.cancel(tooLarge).catch(() => {});
          controller.error(tooLarge);
          return;
        }
        controller.enqueue(chunk.value);
      },
      cancel(why) {
        finish();
        return source.cancel(why);
      },
    });
    return rebuilt(response, body);
  }

  return { fetch: outboundFetch as typeof fetch, close: () => agent.close() };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Up to `maxBytes` of `body`, or what arrived within `windowMs`; the rest is cancelled (its socket closed). */
async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number, windowMs: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), windowMs);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, maxBytes - size));
      size += Math.min(value.byteLength, maxBytes - size);
    }
  } catch {
    // Cut by the deadline or the peer: keep what arrived.
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  const kept = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    kept.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return kept;
}

/** The same answer (status, headers, URL) with another body. */
function rebuilt(response: Response, body: BodyInit): Response {
  const headers = new Headers(response.headers);
  if (body instanceof Uint8Array) headers.delete("content-length");
  const copy = new Response(body, { status: response.status, statusText: response.statusText, headers });
  Object.defineProperty(copy, "url", { value: response.url });
  Object.defineProperty(copy, "redirected", { value: response.redirected });
  return copy;
}
