import { describe, expect, it } from "vitest";
import { instant, makeEvent, parseWithIcalJs } from "../../../tests/support/ical.ts";
import { noFilters, parseFeedFilters } from "./feed-filters.ts";
import { type FeedHead, FeedService } from "./feed.service.ts";
import { collectiveSubject, InMemoryEventSource, InMemoryFeedSubjects } from "../../../tests/support/feed.ts";
import { type FeedSource, isMissing } from "./feed.types.ts";

function setup(opts: { now?: string; sources?: FeedSource[]; release?: string } = {}) {
  const subjects = new InMemoryFeedSubjects();
  subjects.set(collectiveSubject("lyon", "c:1"));
  const local = new InMemoryEventSource("local");
  local.add("lyon", [
    makeEvent({ slug: "a", startsAt: instant("2025-03-15T13:00:00Z"), endsAt: instant("2025-03-15T15:00:00Z") }),
    makeEvent({ slug: "b", startsAt: instant("2025-02-01T13:00:00Z"), endsAt: instant("2025-02-01T15:00:00Z"), tags: ["fete"] }),
  ]);
  let now = Date.parse(opts.now ?? "2025-03-01T08:00:00Z");
  const feeds = new FeedService({
    subjects,
    sources: () => opts.sources ?? [local],
    clock: () => now,
    release: opts.release,
  });
  return { subjects, local, feeds, setNow: (iso: string) => (now = Date.parse(iso)) };
}

async function head(feeds: FeedService, filters = noFilters, slug = "lyon"): Promise<FeedHead> {
  const h = await feeds.head({ kind: "collective", slug }, filters);
  if (isMissing(h)) throw new Error(`missing: ${h.missing}`);
  return h;
}

describe("FeedService", () => {
  it("answers head from the subject alone: no event is loaded", async () => {
    const { feeds, local, subjects } = setup();
    const h = await head(feeds);
    expect(subjects.finds).toBe(1);
    expect(local.queries).toHaveLength(0);
    expect(h.lastModified.toISOString()).toBe("2025-03-01T00:00:00.000Z"); // the day began after the last change
    expect(await feeds.head({ kind: "collective", slug: "nowhere" }, noFilters)).toEqual({ missing: "not-found" });
  });

  it("gives the same ETag in every process, and another one for another version, filter, day or release", async () => {
    const a = await head(setup().feeds);
    const b = await head(setup().feeds);
    expect(b.etag).toBe(a.etag);

    const edited = setup();
    edited.subjects.set(collectiveSubject("lyon", "c:2"));
    expect((await head(edited.feeds)).etag).not.toBe(a.etag);
    expect((await head(setup().feeds, parseFeedFilters({ tag: "fete" }))).etag).not.toBe(a.etag);
    expect((await head(setup({ release: "0.2.0" }).feeds)).etag).not.toBe(a.etag);

    const sameDay = setup({ now: "2025-03-01T23:59:59Z" });
    expect((await head(sameDay.feeds)).etag).toBe(a.etag);
    sameDay.setNow("2025-03-02T00:00:00Z");
    const nextDay = await head(sameDay.feeds);
    expect(nextDay.etag).not.toBe(a.etag);
    expect(nextDay.lastModified.toISOString()).toBe("2025-03-02T00:00:00.000Z");
  });

  it("renders once per version and day, upcoming events plus the last 30 days by default", async () => {
    const { feeds, local, subjects } = setup();
    const first = await feeds.body(await head(feeds));
    const again = await feeds.body(await head(feeds));
    expect(again).toBe(first);
    expect(local.queries).toHaveLength(1);
    expect(local.queries[0]!.window).toEqual({ from: instant("2025-01-30T00:00:00Z"), to: undefined });
    expect(local.queries[0]!.limit).toBe(10_000);
    const parsed = parseWithIcalJs(first.bytes.toString("utf8"));
    expect(parsed.events.map((e) => e.uid)).toHaveLength(2);
    expect(parsed.calendar.getFirstPropertyValue("x-wr-calname")).toBe("Collectif lyon");

    subjects.set(collectiveSubject("lyon", "c:2"));
    await feeds.body(await head(feeds));
    expect(local.queries).toHaveLength(2);
  });

  it("names the calendar in the asked language and passes the filters to the sources", async () => {
    const { feeds, local } = setup();
    const feed = await feeds.body(await head(feeds, parseFeedFilters({ lang: "de", tag: "FETE", from: "2025-01-01" })));
    const parsed = parseWithIcalJs(feed.bytes.toString("utf8"));
    expect(parsed.calendar.getFirstPropertyValue("name")).toBe("Kollektiv lyon");
    expect(parsed.calendar.getFirstProperty("name")!.getParameter("language")).toBe("de");
    expect(parsed.events).toHaveLength(1);
    expect(local.queries[0]!.window.from).toEqual(instant("2025-01-01T00:00:00Z"));
  });

  it("merges another source (partner events) by start time, once per event, with its version in the ETag", async () => {
    const local = new InMemoryEventSource("local");
    const partners = new InMemoryEventSource("partners", { versioned: true });
    local.add("lyon", [makeEvent({ slug: "own", startsAt: instant("2025-03-20T10:00:00Z"), endsAt: undefined })]);
    const shared = makeEvent({ slug: "shared", startsAt: instant("2025-03-10T10:00:00Z"), endsAt: undefined });
    partners.add("lyon", [shared, makeEvent({ slug: "partner", startsAt: instant("2025-03-05T10:00:00Z"), endsAt: undefined })]);
    local.add("lyon", [shared]);
    const { feeds } = setup({ sources: [local, partners] });

    const before = await head(feeds);
    expect(partners.versions).toBe(1);
    const feed = parseWithIcalJs((await feeds.body(before)).bytes.toString("utf8"));
    expect(feed.events.map((e) => e.summary)).toHaveLength(3);
    expect(feed.events.map((e) => e.component.getFirstPropertyValue("url"))).toEqual([
      "https://relais.example/events/partner",
      "https://relais.example/events/shared",
      "https://relais.example/events/own",
    ]);

    partners.versionOf = { version: "7", changedAt: Date.parse("2025-03-01T09:00:00Z") };
    const after = await head(feeds);
    expect(after.etag).not.toBe(before.etag);
    expect(after.lastModified.toISOString()).toBe("2025-03-01T09:00:00.000Z");
  });

  it("keeps a cancelled event that is over in its own file, and drops it from lists", async () => {
    const { feeds, local, subjects } = setup({ now: "2025-03-20T08:00:00Z" });
    const cancelled = makeEvent({ slug: "c1", status: "cancelled", startsAt: instant("2025-03-15T13:00:00Z"), endsAt: instant("2025-03-15T15:00:00Z") });
    local.add("lyon", [cancelled]);
    subjects.set({ ...collectiveSubject("lyon", "c:1"), scope: { kind: "event", id: "c1" }, name: cancelled.name });

    const own = await feeds.head({ kind: "event", id: "c1" }, noFilters);
    if (isMissing(own)) throw new Error("missing");
    expect(own.asOf).toBeUndefined();
    const ownFeed = parseWithIcalJs((await feeds.body(own)).bytes.toString("utf8"));
    expect(ownFeed.events.map((e) => e.component.getFirstPropertyValue("status"))).toEqual(["CANCELLED"]);
    expect(local.queries.at(-1)!.window).toEqual({ from: undefined, to: undefined });

    const list = parseWithIcalJs((await feeds.body(await head(feeds))).bytes.toString("utf8"));
    expect(list.events.map((e) => e.component.getFirstPropertyValue("url"))).not.toContain("https://relais.example/events/c1");
    expect(list.events).toHaveLength(1);
  });
});
