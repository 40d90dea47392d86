import { describe, expect, it } from "vitest";
import { PrincipalCache } from "./principal-cache.ts";
import type { Principal } from "./user.service.ts";

const ana: Principal = { userId: "u1", email: "ana@example.org", roles: new Map() };

describe("PrincipalCache", () => {
  it("keeps a token for at most a second, never past its expiry, and forgets everything on a write", () => {
    let now = 10_000;
    const cache = new PrincipalCache({ now: () => now });
    cache.put("h", ana, null, cache.epoch);
    expect(cache.get("h")).toBe(ana);
    now += 999;
    expect(cache.get("h")).toBe(ana);
    now += 1;
    expect(cache.get("h")).toBeUndefined();

    cache.put("h", ana, new Date(now + 300), cache.epoch);
    now += 300;
    expect(cache.get("h")).toBeUndefined();
    cache.put("h", ana, new Date(now), cache.epoch);
    expect(cache.get("h")).toBeUndefined();

    cache.put("h", ana, null, cache.epoch);
    cache.forget();
    expect(cache.get("h")).toBeUndefined();
  });

  it("does not keep what a lookup found if a write was committed while it ran", () => {
    const cache = new PrincipalCache();
    const epoch = cache.epoch;
    cache.forget();
    cache.put("h", ana, null, epoch);
    expect(cache.get("h")).toBeUndefined();
  });

  it("keeps nothing with no age (the default of a UserService built without one)", () => {
    const cache = new PrincipalCache({ maxAgeMs: 0 });
    cache.put("h", ana, null, cache.epoch);
    expect(cache.get("h")).toBeUndefined();
  });
});
