import { describe, expect, it } from "vitest";
import { fill, match, paths, route } from "./paths.ts";
import { sleepUnlessAborted } from "./sleep.ts";
import { isUuid } from "./uuid.ts";

describe("path table", () => {
  it("gives Express its routes, fills values percent-encoded and reads them back", () => {
    expect(route(paths.eventChangeNote)).toBe("/events/:id/changes/:version");
    expect(route(paths.collectiveIcs)).toBe("/@:identifier/events.ics");
    expect(fill(paths.eventChangeNote, { id: "a b", version: 3 })).toBe("/events/a%20b/changes/3");
    expect(match(paths.media, "/media/x%2Ey.jpg")).toEqual({ name: "x.y.jpg" });
    expect(match(paths.eventIcs, "/events/abc.ics")).toEqual({ id: "abc" });
    expect(match(paths.event, "/events/abc/note")).toBeUndefined();
    expect(match(paths.media, "/media/%E0")).toBeUndefined();
  });
});

describe("small shared helpers", () => {
  it("tells a UUID from anything else", () => {
    expect(isUuid("0e1b7c2a-3f4d-4e5f-8a9b-0c1d2e3f4a5b")).toBe(true);
    expect(isUuid("0e1b7c2a-3f4d-4e5f-8a9b-0c1d2e3f4a5")).toBe(false);
    expect(isUuid(42)).toBe(false);
  });

  it("stops sleeping when the signal aborts, without throwing", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = sleepUnlessAborted(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
