import { describe, expect, it } from "vitest";
import { contentTag, FederatedReadCache, MemoryReadStore, type RenderedRead } from "./read-cache.ts";

const read = (text: string, status: 200 | 410 = 200): RenderedRead => ({ status, headers: { "content-type": "application/activity+json" }, body: Buffer.from(text) });

function clock(start = Date.UTC(2030, 0, 1, 12, 0, 0, 200)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("FederatedReadCache", () => {
  it("renders once, serves the kept bytes, and renders again after an invalidation", async () => {
    const c = clock();
    const cache = new FederatedReadCache(new MemoryReadStore({ maxAgeMs: 60_000 }), c);
    let renders = 0;
    const render = async () => read(`v${++renders}`);
    expect((await cache.read("k", render))?.body.toString()).toBe("v1");
    expect((await cache.read("k", render))?.body.toString()).toBe("v1");
    await cache.invalidate();
    expect((await cache.read("k", render))?.body.toString()).toBe("v2");
    expect(renders).toBe(2);
  });

  it("never keeps what a render read before an invalidation that came during it", async () => {
    const cache = new FederatedReadCache(new MemoryReadStore({ maxAgeMs: 60_000 }));
    let release!: () => void;
    const slow = cache.read("k", () => new Promise((r) => (release = () => r(read("old")))));
    await Promise.resolve();
    await cache.invalidate(); // the write committed while the old data was being rendered
    release();
    expect((await slow)?.body.toString()).toBe("old");
    expect((await cache.read("k", async () => read("new")))?.body.toString()).toBe("new");
  });

  it("shares one render between concurrent requests, and keeps nothing when there is nothing (404)", async () => {
    const cache = new FederatedReadCache(new MemoryReadStore());
    let renders = 0;
    const render = async () => {
      renders++;
      await new Promise((r) => setTimeout(r, 10));
      return read("doc");
    };
    const all = await Promise.all([1, 2, 3].map(() => cache.read("k", render)));
    expect(renders).toBe(1);
    expect(new Set(all.map((r) => r?.etag)).size).toBe(1);
    let misses = 0;
    const nothing = async () => {
      misses++;
      return undefined;
    };
    for (let i = 0; i < 2; i++) expect(await cache.read("missing", nothing)).toBeUndefined();
    expect(misses).toBe(2);
  });

  it("dates each new content in a later second than the one before, and keeps the date of equal bytes", async () => {
    const c = clock();
    const store = new MemoryReadStore({ maxAgeMs: 1000 });
    const cache = new FederatedReadCache(store, c);
    const first = await cache.read("k", async () => read("a"));
    expect(first?.lastModified).toBe(Date.UTC(2030, 0, 1, 12, 0, 1)); // the next second: not sent before it
    // Two more changes within the same millisecond: each a later second.
    await cache.invalidate();
    const second = await cache.read("k", async () => read("b"));
    await cache.invalidate();
    const third = await cache.read("k", async () => read("c"));
    expect(second?.lastModified).toBe((first?.lastModified ?? 0) + 1000);
    expect(third?.lastModified).toBe((first?.lastModified ?? 0) + 2000);
    expect(new Set([first?.etag, second?.etag, third?.etag]).size).toBe(3);
    // Re-rendered (too old, or after an invalidation) into the same bytes: the same tag and date.
    c.advance(5000);
    const again = await cache.read("k", async () => read("c"));
    expect(again?.storedAt).toBe(c.now());
    expect(again?.etag).toBe(third?.etag);
    expect(again?.lastModified).toBe(third?.lastModified);
  });

  it("re-renders a memory entry after maxAgeMs (writes of other processes that cannot tell this one)", async () => {
    const c = clock();
    const cache = new FederatedReadCache(new MemoryReadStore({ maxAgeMs: 1000 }), c);
    expect((await cache.read("k", async () => read("a")))?.body.toString()).toBe("a");
    c.advance(999);
    expect((await cache.read("k", async () => read("b")))?.body.toString()).toBe("a");
    c.advance(1);
    expect((await cache.read("k", async () => read("b")))?.body.toString()).toBe("b");
  });

  it("keeps at most maxEntries and maxBytes, the oldest going first", async () => {
    const store = new MemoryReadStore({ maxEntries: 2, maxBytes: 10, maxAgeMs: 60_000 });
    const cache = new FederatedReadCache(store);
    for (const k of ["a", "b", "c"]) await cache.read(k, async () => read("1234"));
    expect(store.size).toBe(2);
    expect(store.peek("a")).toBeUndefined();
    await cache.read("d", async () => read("123456789"));
    expect(store.size).toBe(1);
  });

  it("tags status, headers and bytes", () => {
    expect(contentTag(read("x"))).toBe(contentTag(read("x")));
    expect(contentTag(read("x"))).not.toBe(contentTag(read("x", 410)));
    expect(contentTag(read("x"))).not.toBe(contentTag({ ...read("x"), headers: { "content-type": "application/json" } }));
    expect(contentTag(read("x"))).not.toBe(contentTag(read("y")));
  });
});
