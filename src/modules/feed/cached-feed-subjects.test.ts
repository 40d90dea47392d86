import { describe, expect, it } from "vitest";
import { CachedFeedSubjects } from "./cached-feed-subjects.ts";
import type { FeedScope, FeedSubject, FeedSubjects, MissingFeed } from "./feed.types.ts";

function counting(): FeedSubjects & { calls: number; version: number } {
  const inner = {
    calls: 0,
    version: 1,
    async find(scope: FeedScope): Promise<FeedSubject | MissingFeed> {
      inner.calls += 1;
      return { scope, version: `v${inner.version}` } as unknown as FeedSubject;
    },
  };
  return inner;
}

const scope: FeedScope = { kind: "collective", slug: "lyon" };

describe("CachedFeedSubjects", () => {
  it("answers repeated lookups from memory within the TTL, then asks again", async () => {
    let now = 0;
    const inner = counting();
    const cached = new CachedFeedSubjects(inner, { ttlMs: 1000, now: () => now });
    await cached.find(scope);
    await cached.find(scope);
    expect(inner.calls).toBe(1);
    now = 1001;
    inner.version = 2;
    expect(((await cached.find(scope)) as FeedSubject).version).toBe("v2");
    expect(inner.calls).toBe(2);
  });

  it("sees a change made in this process at once after invalidate()", async () => {
    const inner = counting();
    const cached = new CachedFeedSubjects(inner, { ttlMs: 60_000 });
    expect(((await cached.find(scope)) as FeedSubject).version).toBe("v1");
    inner.version = 2;
    cached.invalidate();
    expect(((await cached.find(scope)) as FeedSubject).version).toBe("v2");
  });

  it("does not keep a lookup that was under way when the cache was invalidated", async () => {
    let release!: () => void;
    const slow: FeedSubjects = {
      find: (s) => new Promise((resolve) => (release = () => resolve({ scope: s, version: "old" } as unknown as FeedSubject))),
    };
    let calls = 0;
    const inner: FeedSubjects = {
      find: (s) => (calls++ === 0 ? slow.find(s) : Promise.resolve({ scope: s, version: "new" } as unknown as FeedSubject)),
    };
    const cached = new CachedFeedSubjects(inner, { ttlMs: 60_000 });
    const first = cached.find(scope);
    cached.invalidate();
    release();
    expect(((await first) as FeedSubject).version).toBe("old");
    await new Promise((r) => setTimeout(r, 0));
    expect(((await cached.find(scope)) as FeedSubject).version).toBe("new");
  });
});
