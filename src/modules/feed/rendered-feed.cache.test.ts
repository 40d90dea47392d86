import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { RenderedFeedCache } from "./rendered-feed.cache.ts";

function renderer(text: string) {
  const calls = { count: 0 };
  const render = async () => {
    calls.count++;
    await new Promise((r) => setTimeout(r, 5));
    return { text, eventCount: 1 };
  };
  return { calls, render };
}

describe("RenderedFeedCache", () => {
  it("renders once for concurrent requests and keeps the bytes for the same stamp", async () => {
    const cache = new RenderedFeedCache();
    const { calls, render } = renderer("BEGIN:VCALENDAR é");
    const feeds = await Promise.all([cache.get("k", "v1", render), cache.get("k", "v1", render), cache.get("k", "v1", render)]);
    expect(calls.count).toBe(1);
    expect(feeds[0]!.bytes.toString("utf8")).toBe("BEGIN:VCALENDAR é");
    expect(feeds[1]).toBe(feeds[0]);
    expect(await cache.get("k", "v1", render)).toBe(feeds[0]);
    expect(calls.count).toBe(1);
    expect(cache.bytes).toBe(Buffer.byteLength("BEGIN:VCALENDAR é"));
  });

  it("replaces the bytes at once when the stamp changes", async () => {
    const cache = new RenderedFeedCache();
    await cache.get("k", "v1", renderer("old").render);
    const next = await cache.get("k", "v2", renderer("new!").render);
    expect(next.bytes.toString()).toBe("new!");
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(4);
    expect(cache.has("k", "v1")).toBe(false);
    expect(cache.has("k", "v2")).toBe(true);
  });

  it("makes the gzip once, counts it, and it inflates to the bytes", async () => {
    const cache = new RenderedFeedCache();
    const text = "BEGIN:VEVENT\r\n".repeat(1000);
    const feed = await cache.get("k", "v", renderer(text).render);
    const [a, b] = await Promise.all([feed.gzip(), feed.gzip()]);
    expect(a).toBe(b);
    expect(gunzipSync(a!).toString()).toBe(text);
    expect(cache.bytes).toBe(text.length + a!.length);
  });

  it("evicts the least recently used feeds beyond its bounds", async () => {
    const cache = new RenderedFeedCache({ maxBytes: 25, maxEntries: 2 });
    await cache.get("a", "1", renderer("aaaaaaaaaa").render);
    await cache.get("b", "1", renderer("bbbbbbbbbb").render);
    await cache.get("a", "1", renderer("unused").render); // a is now the most recent
    await cache.get("c", "1", renderer("cccccccccc").render);
    expect(cache.has("a", "1")).toBe(true);
    expect(cache.has("b", "1")).toBe(false);
    expect(cache.has("c", "1")).toBe(true);
    expect(cache.bytes).toBe(20);
    await cache.get("d", "1", renderer("d".repeat(30)).render);
    expect(cache.has("d", "1")).toBe(false); // larger than the whole cache: served, not kept
    expect(cache.bytes).toBeLessThanOrEqual(25);
  });

  it("keeps no failed render", async () => {
    const cache = new RenderedFeedCache();
    await expect(cache.get("k", "v", () => Promise.reject(new Error("database down")))).rejects.toThrow("database down");
    expect(cache.size).toBe(0);
    expect((await cache.get("k", "v", renderer("ok").render)).bytes.toString()).toBe("ok");
  });
});
