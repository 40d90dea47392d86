import { describe, expect, it } from "vitest";
import { addressKey, createRateLimit } from "./rate-limits.ts";

describe("addressKey", () => {
  it("counts IPv4 addresses one by one, IPv4-mapped ones as IPv4", () => {
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
  });

  it("counts IPv6 addresses by their /64, however they are written", () => {
    expect(addressKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002::9")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey(undefined)).toBe("unknown");
  });
});

describe("createRateLimit in memory", () => {
  it("allows the points, then answers with the time left in the window", async () => {
    const limit = createRateLimit({ name: "t", points: 2, durationSeconds: 60 });
    expect(await limit.hit("a")).toEqual({ limited: false });
    expect(await limit.hit("a")).toEqual({ limited: false });
    const third = await limit.hit("a");
    expect(third.limited).toBe(true);
    expect(third.limited && third.retryAfterSeconds).toBeGreaterThan(50);
    expect(await limit.hit("b")).toEqual({ limited: false });
  });
});
