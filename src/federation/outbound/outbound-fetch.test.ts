// The outbound limits against real misbehaving servers on loopback.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  type SlowPeer,
  startDrippingPeer,
  startPlainPeer,
  startSilentPeer,
  socketsTo,
  startUnacceptingPort,
} from "../../../tests/support/slow-peers.ts";
import { until } from "../../../tests/support/wait.ts";
import { createOutboundFetch, errorBodyLimits, OutboundLimitError, type OutboundLimits } from "./outbound-fetch.ts";

const limits: OutboundLimits = {
  connectTimeoutMs: 300,
  headersTimeoutMs: 800,
  responseTimeoutMs: 1500,
  maxResponseBytes: 64 * 1024,
  connectionsPerOrigin: 4,
};
const outbound = createOutboundFetch(globalThis.fetch, limits);
const limitedFetch = outbound.fetch;

const peers: SlowPeer[] = [];
async function peer(start: Promise<SlowPeer>): Promise<SlowPeer> {
  const p = await start;
  peers.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
afterAll(() => outbound.close());

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("outbound fetch", () => {
  it("passes a good answer through whole: status, headers, URL and body", async () => {
    const p = await peer(
      startPlainPeer((_req, res) => {
        res.writeHead(200, { "content-type": "application/activity+json", link: "<x>; rel=alternate" });
        res.end(JSON.stringify({ id: "https://peer.example/users/a" }));
      }),
    );
    const response = await limitedFetch(p.url("/users/a"), { headers: { accept: "application/activity+json" } });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(p.url("/users/a").href);
    expect(response.headers.get("link")).toBe("<x>; rel=alternate");
    expect(await response.json()).toEqual({ id: "https://peer.example/users/a" });
  });

  it("gives up on a server that never answers at the header deadline, and closes the connection", async () => {
    const p = await peer(startSilentPeer("127.0.0.21"));
    const pending = rejection(limitedFetch(p.url("/users/key")));
    await until("the connection to open", async () => p.openConnections() === 1);
    expect(socketsTo(["127.0.0.21"])).toBeGreaterThanOrEqual(1);
    const error = await pending;
    expect(error).toBeInstanceOf(OutboundLimitError);
    expect(error).toMatchObject({ kind: "headers", name: "TimeoutError" });
    expect(error.message).toContain("no response headers within 800 ms");
    await until("the connection to close", async () => p.openConnections() === 0);
    await until("this process's socket to close", async () => socketsTo(["127.0.0.21"]) === 0);
  });

  it("gives up on a host that never completes the TCP handshake at the connect deadline", async () => {
    const port = await startUnacceptingPort();
    // A header deadline far beyond the connect deadline, so that only the latter can end the request.
    const patient = createOutboundFetch(globalThis.fetch, { ...limits, headersTimeoutMs: 20_000, responseTimeoutMs: 20_000 });
    try {
      const error = await rejection(patient.fetch(new URL("/inbox", port.origin)));
      expect((error.cause as { code?: string } | undefined)?.code).toBe("UND_ERR_CONNECT_TIMEOUT");
    } finally {
      port.close();
      await patient.close();
    }
  });

  it("keeps only what an error answer sends within a second, at most 4 KiB, then closes the connection", async () => {
    const dripping = await peer(startDrippingPeer({ status: 500, intervalMs: 300 }));
    const response = await limitedFetch(dripping.url("/inbox"), { method: "POST", body: "{}" });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toMatch(/^\{*$/);
    expect(text.length).toBeLessThanOrEqual(Math.ceil(errorBodyLimits.windowMs / 300) + 1);
    await until("the dripping connection to close", async () => dripping.openConnections() === 0);

    const verbose = await peer(
      startPlainPeer((_req, res) => {
        res.writeHead(404, { "content-type": "text/html" });
        res.end("x".repeat(100_000));
      }),
    );
    const notFound = await limitedFetch(verbose.url("/users/gone"));
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get("content-type")).toBe("text/html");
    expect((await notFound.text()).length).toBe(errorBodyLimits.maxBytes);
  });

  it("fails a good answer whose body is not complete at the response deadline", async () => {
    const p = await peer(startDrippingPeer({ status: 200, intervalMs: 200 }));
    const response = await limitedFetch(p.url("/users/slow"));
    expect(response.status).toBe(200);
    const error = await rejection(response.text());
    expect(error).toMatchObject({ kind: "response", name: "TimeoutError" });
    await until("the connection to close", async () => p.openConnections() === 0);
  });

  it("releases a body nobody reads when the response deadline passes", async () => {
    const p = await peer(startDrippingPeer({ status: 202, intervalMs: 200 }));
    const response = await limitedFetch(p.url("/inbox"), { method: "POST", body: "{}" });
    expect(response.status).toBe(202);
    expect(p.openConnections()).toBe(1);
    await until("the unread connection to close", async () => p.openConnections() === 0, 5_000);
  });

  it("refuses a body over the size cap, whether its length is declared or not", async () => {
    const big = "y".repeat(limits.maxResponseBytes + 1);
    const declared = await peer(
      startPlainPeer((_req, res) => {
        res.writeHead(200, { "content-length": String(big.length) });
        res.end(big);
      }),
    );
    expect(await rejection(limitedFetch(declared.url("/big")))).toMatchObject({ kind: "size" });
    const chunked = await peer(
      startPlainPeer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        for (let i = 0; i < big.length; i += 8192) res.write(big.slice(i, i + 8192));
        res.end();
      }),
    );
    const response = await limitedFetch(chunked.url("/big"));
    expect(await rejection(response.arrayBuffer())).toMatchObject({ kind: "size" });
    await until("the connections to close", async () => declared.openConnections() + chunked.openConnections() === 0);
  });

  it("still obeys the caller's own signal", async () => {
    const p = await peer(startSilentPeer());
    const controller = new AbortController();
    const pending = limitedFetch(p.url("/x"), { signal: controller.signal });
    controller.abort(new Error("caller gave up"));
    expect((await rejection(pending)).message).toBe("caller gave up");
  });

  it("keeps connections alive per origin, never more than the limit at once", async () => {
    const p = await peer(
      startPlainPeer((_req, res) => {
        setTimeout(() => res.end("ok"), 20);
      }),
    );
    for (let i = 0; i < 10; i++) expect(await (await limitedFetch(p.url(`/seq/${i}`))).text()).toBe("ok");
    // (The platform's own fetch opens a second connection for the second request, then reuses it.)
    expect(p.connectionsSeen()).toBeLessThanOrEqual(2);
    const answers = await Promise.all(Array.from({ length: 40 }, async (_, i) => (await limitedFetch(p.url(`/par/${i}`))).text()));
    expect(answers.every((a) => a === "ok")).toBe(true);
    expect(p.connectionsSeen()).toBeLessThanOrEqual(limits.connectionsPerOrigin);
  });
});
