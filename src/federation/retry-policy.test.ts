import { afterEach, describe, expect, it, vi } from "vitest";
import { outboxRetry, outboxRetryPolicy, outboxRowRetry, outboxRowRetryDelaySeconds } from "./retry-policy.ts";

/** The delays the policy asks for, retry after retry, until it gives up; in hours. */
function schedule(): number[] {
  const policy = outboxRetryPolicy();
  const delays: number[] = [];
  for (let attempts = 0; attempts < 100; attempts++) {
    const delay = policy({ attempts, elapsedTime: Temporal.Duration.from({ hours: 0 }) });
    if (delay === null) return delays;
    delays.push(delay.total({ unit: "hour" }));
  }
  throw new Error("the policy never gives up");
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("outbound delivery retry policy", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // Jitter multiplies each delay by 1 to 2: both extremes must stay within about two days, like Mastodon.
  it.each([
    ["no jitter", 0],
    ["the most jitter", 0.999999],
  ])("keeps trying for 40 to 60 hours in all (%s)", (_case, random) => {
    vi.spyOn(Math, "random").mockReturnValue(random);
    const delays = schedule();
    expect(delays).toHaveLength(outboxRetry.maxAttempts);
    expect(sum(delays)).toBeGreaterThanOrEqual(40);
    expect(sum(delays)).toBeLessThanOrEqual(60);
  });

  it("starts at one minute and never waits more than 12 hours between attempts", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const delays = schedule();
    expect(delays[0]! * 60).toBeCloseTo(1);
    expect(Math.max(...delays)).toBe(12);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
  });
});

describe("outbox relay retry policy", () => {
  it("backs off from 30 s, doubling up to an hour, and gives up after the last attempt", () => {
    const delays: number[] = [];
    for (let attempts = 1; ; attempts++) {
      const delay = outboxRowRetryDelaySeconds(attempts);
      if (delay === null) break;
      delays.push(delay);
    }
    expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    expect(delays).toHaveLength(outboxRowRetry.maxAttempts - 1);
    expect(outboxRowRetryDelaySeconds(outboxRowRetry.maxAttempts)).toBeNull();
  });
});
