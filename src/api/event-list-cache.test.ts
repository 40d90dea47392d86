import { describe, expect, it } from "vitest";
import type { EventView } from "../modules/event/event.service.ts";
import { eventListKey, listChangesAt } from "./event-list-cache.ts";

const at = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms);
const item = (startsAt: number, endsAt?: number, recurrence?: object) =>
  ({ event: { startsAt: at(startsAt), endsAt: endsAt === undefined ? undefined : at(endsAt), recurrence } }) as unknown as EventView;

describe("the API list's cache", () => {
  it("changes with the clock when its first event leaves: ends, or starts without an end", () => {
    expect(listChangesAt({ items: [], next: null }, 500)).toBeUndefined();
    expect(listChangesAt({ items: [item(1000, 5000), item(2000)], next: null }, 500)).toBe(2001);
    expect(listChangesAt({ items: [item(1000, 5000), item(3000, 9000)], next: null }, 500)).toBe(5001);
    // The event after the page (it makes `next`) leaves no earlier than the page's last one starts.
    expect(listChangesAt({ items: [item(1000, 9000), item(3000, 9000)], next: "c" }, 500)).toBe(3001);
  });

  it("keeps a list with a series under way (its first occurrence over) a second at most", () => {
    const weekly = { frequency: "weekly" };
    // The series' first occurrence ended at 2000; it is listed because the series goes on.
    expect(listChangesAt({ items: [item(1000, 2000, weekly), item(90_000, 91_000)], next: null }, 50_000)).toBe(51_000);
    // A series whose first occurrence is still to come leaves no earlier than that one ends.
    expect(listChangesAt({ items: [item(60_000, 61_000, weekly)], next: null }, 50_000)).toBe(61_001);
  });

  it("keys every parameter of the public answer, and keeps none that depends on the caller", () => {
    const base = { includePrivate: false, page: { limit: 20 } };
    const keys = [
      eventListKey("gent", base),
      eventListKey("gent", { ...base, page: { limit: 21 } }),
      eventListKey("gent", { ...base, page: { limit: 20, cursor: "x" } }),
      eventListKey("gent", { ...base, from: at(0) }),
      eventListKey("gent", { ...base, to: at(0) }),
      eventListKey("gent", { ...base, from: at(0), to: at(1) }),
      eventListKey("gent", { ...base, status: ["cancelled"] }),
      eventListKey("lyon", base),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(eventListKey("gent", { ...base, status: ["cancelled", "scheduled"] })).toBe(eventListKey("gent", { ...base, status: ["scheduled", "cancelled", "scheduled"] }));
    expect(eventListKey("gent", { ...base, includePrivate: true })).toBeUndefined();
    expect(eventListKey("gent", { ...base, page: { limit: 20, cursor: "x".repeat(600) } })).toBeUndefined();
  });
});
