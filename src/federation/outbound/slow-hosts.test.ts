import { describe, expect, it } from "vitest";
import { SlowHosts } from "./slow-hosts.ts";

describe("SlowHosts", () => {
  let clock = 0;
  let timers: { at: number; fn: () => void }[] = [];
  /** Moves the clock, running the timers due. */
  const advance = (ms: number) => {
    clock += ms;
    const due = timers.filter((t) => t.at <= clock);
    timers = timers.filter((t) => t.at > clock);
    for (const t of due) t.fn();
  };
  const scheduler = (fn: () => void, ms: number) => {
    const timer = { at: clock + ms, fn };
    timers.push(timer);
    return () => {
      timers = timers.filter((t) => t !== timer);
    };
  };
  const make = () => {
    const calls: string[] = [];
    let current = "";
    const hosts = new SlowHosts({ slowAfterMs: 1000, rememberMs: 60_000, onSlow: () => calls.push(current), now: () => clock, schedule: scheduler });
    const start = (origin: string) => {
      current = origin;
      return hosts.watch(origin);
    };
    return { hosts, calls, start };
  };

  it("says nothing of a request answered before the threshold", () => {
    const { hosts, calls, start } = make();
    const done = start("https://fast.example");
    advance(999);
    done(true);
    advance(5000);
    expect(calls).toEqual([]);
    expect(hosts.isSlow("https://fast.example")).toBe(false);
  });

  it("calls onSlow once a request has waited the threshold, and remembers its server", () => {
    const { hosts, calls, start } = make();
    const done = start("https://slow.example");
    advance(1000);
    expect(calls).toEqual(["https://slow.example"]);
    done(false);
    expect(hosts.isSlow("https://slow.example")).toBe(true);
    expect(hosts.isSlow("https://other.example")).toBe(false);
  });

  it("calls onSlow at once for a server slow lately, until it answers fast again or is forgotten", () => {
    const { hosts, calls, start } = make();
    start("https://slow.example");
    advance(1000);
    // Known slow: the next request says so at its start; a slow answer keeps the mark.
    const second = start("https://slow.example");
    expect(calls).toHaveLength(2);
    advance(3000);
    second(true);
    expect(hosts.isSlow("https://slow.example")).toBe(true);
    // A fast answer forgets it.
    start("https://slow.example")(true);
    expect(calls).toHaveLength(3);
    expect(hosts.isSlow("https://slow.example")).toBe(false);
    start("https://slow.example")(true);
    expect(calls).toHaveLength(3);
    // A mark lasts rememberMs after the last slow answer.
    start("https://again.example");
    advance(1000);
    expect(hosts.isSlow("https://again.example")).toBe(true);
    advance(60_001);
    expect(hosts.isSlow("https://again.example")).toBe(false);
  });

  it("does not count a failure before the threshold (a server that refuses the connection) as slow", () => {
    const { hosts, calls, start } = make();
    start("https://down.example")(false);
    advance(5000);
    expect(calls).toEqual([]);
    expect(hosts.isSlow("https://down.example")).toBe(false);
  });
});
