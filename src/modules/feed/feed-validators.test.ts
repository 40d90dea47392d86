import { describe, expect, it } from "vitest";
import { acceptsGzip, httpDate, ifNoneMatchHits, notModified, weakEtag } from "./feed-validators.ts";

describe("feed validators", () => {
  const etag = weakEtag(["1", "collective/lyon?", "c:4"]);
  const lastModified = httpDate(Date.parse("2026-03-01T10:00:00.900Z"));

  it("derives a weak tag from its parts only", () => {
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    expect(weakEtag(["1", "collective/lyon?", "c:4"])).toBe(etag);
    expect(weakEtag(["1", "collective/lyon?", "c:5"])).not.toBe(etag);
    // Parts are separated: moving a boundary changes the tag.
    expect(weakEtag(["ab", "c"])).not.toBe(weakEtag(["a", "bc"]));
  });

  it("rounds Last-Modified down to the second", () => {
    expect(lastModified.toISOString()).toBe("2026-03-01T10:00:00.000Z");
  });

  it("compares If-None-Match weakly, in lists, and with *", () => {
    const opaque = etag.slice(2);
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(opaque, etag)).toBe(true);
    expect(ifNoneMatchHits(`W/"other", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits("*", etag)).toBe(true);
    expect(ifNoneMatchHits('W/"other"', etag)).toBe(false);
    expect(ifNoneMatchHits(opaque.slice(0, -2) + '"', etag)).toBe(false);
  });

  it("answers 304 on If-None-Match first, then on If-Modified-Since", () => {
    const date = lastModified.toUTCString();
    const later = new Date(lastModified.getTime() + 1000).toUTCString();
    const earlier = new Date(lastModified.getTime() - 1000).toUTCString();
    expect(notModified({ ifModifiedSince: date }, etag, lastModified)).toBe(true);
    expect(notModified({ ifModifiedSince: later }, etag, lastModified)).toBe(true);
    expect(notModified({ ifModifiedSince: earlier }, etag, lastModified)).toBe(false);
    expect(notModified({ ifModifiedSince: "not a date" }, etag, lastModified)).toBe(false);
    // A mismatching tag wins over a matching date (RFC 9110 §13.2.2).
    expect(notModified({ ifNoneMatch: 'W/"old"', ifModifiedSince: later }, etag, lastModified)).toBe(false);
    expect(notModified({ ifNoneMatch: etag, ifModifiedSince: earlier }, etag, lastModified)).toBe(true);
    expect(notModified({}, etag, lastModified)).toBe(false);
  });

  it("reads gzip in Accept-Encoding with its q-value", () => {
    expect(acceptsGzip("gzip, deflate, br")).toBe(true);
    expect(acceptsGzip("br;q=1.0, gzip;q=0.8")).toBe(true);
    expect(acceptsGzip("x-gzip")).toBe(true);
    expect(acceptsGzip("*")).toBe(true);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("*, gzip;q=0")).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip("br")).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
