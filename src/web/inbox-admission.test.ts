import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../../tests/support/wait.ts";
import { inboxAdmission } from "./inbox-admission.ts";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
});

/** An inbox whose handler holds each request until `release()`; counts how many it holds at once. */
async function inbox(opts: { concurrent: number; waiting: number; maxWaitMs: number }) {
  const held: (() => void)[] = [];
  let inside = 0;
  let most = 0;
  const app = express();
  const admission = inboxAdmission(opts);
  app.post("/inbox", admission, (_req, res) => {
    inside++;
    most = Math.max(most, inside);
    held.push(() => {
      inside--;
      res.status(202).end();
    });
  });
  server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`;
  return {
    post: (signal?: AbortSignal) => fetch(url, { method: "POST", body: "{}", signal }),
    held,
    state: admission.state,
    most: () => most,
    releaseAll: () => {
      for (const release of held.splice(0)) release();
    },
  };
}

describe("inbox admission", () => {
  it("handles at most `concurrent` at once, lets `waiting` more wait, and answers 503 to the rest", async () => {
    const box = await inbox({ concurrent: 2, waiting: 3, maxWaitMs: 30_000 });
    const first = [box.post(), box.post()];
    await until("two requests inside", async () => box.held.length === 2);
    const waiting = [box.post(), box.post(), box.post()];
    await until("three requests waiting", async () => box.state().waiting === 3);
    // The sixth finds two inside and three waiting.
    const refused = await box.post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toEqual({ error: "busy", message: "this inbox is busy: send again later" });
    // As each one inside finishes, a waiting one goes in: never more than two at once.
    const all = Promise.all([...first, ...waiting]);
    let settled = false;
    void all.then(() => {
      settled = true;
    });
    await until("every admitted request answered", async () => {
      box.releaseAll();
      return settled;
    });
    expect((await all).map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(box.most()).toBe(2);
  });

  it("answers 503 to a request that waited longer than maxWaitMs, and frees its place", async () => {
    const box = await inbox({ concurrent: 1, waiting: 1, maxWaitMs: 300 });
    const inside = box.post();
    await until("one request inside", async () => box.held.length === 1);
    expect((await box.post()).status).toBe(503);
    expect(box.state()).toEqual({ active: 1, waiting: 0 });
    const next = box.post(); // the waiting place is free again
    box.releaseAll();
    await until("the next request inside", async () => box.held.length === 1);
    box.releaseAll();
    expect([(await inside).status, (await next).status]).toEqual([202, 202]);
  });

  it("gives the turn back when the client inside hangs up", async () => {
    const box = await inbox({ concurrent: 1, waiting: 1, maxWaitMs: 30_000 });
    const stop = new AbortController();
    const first = box.post(stop.signal).catch((error: Error) => error.name);
    await until("one request inside", async () => box.held.length === 1);
    box.held.splice(0); // its handler never answers
    const second = box.post();
    await until("one request waiting", async () => box.state().waiting === 1);
    stop.abort();
    expect(await first).toBe("AbortError");
    await until("the waiting request inside", async () => box.held.length === 1);
    box.releaseAll();
    expect((await second).status).toBe(202);
  });
});
