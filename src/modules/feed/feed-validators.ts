// HTTP validators of feeds (RFC 9110 §8.8, §13): pure functions on header values, so that a poll is
// answered 304 from the feed's versions alone, before anything is loaded or rendered.
import { createHash } from "node:crypto";

/** A weak entity tag (the same feed gzipped or not is the same representation to us) from its parts. */
export function weakEtag(parts: readonly string[]): string {
  return `W/"${createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 27)}"`;
}

/** An instant as a Last-Modified value: HTTP dates have whole seconds, so it is rounded down. */
export function httpDate(epochMilliseconds: number): Date {
  return new Date(Math.floor(epochMilliseconds / 1000) * 1000);
}

/** Weak comparison (§8.8.3.2) of an If-None-Match value with our tag; `*` matches any existing feed. */
export function ifNoneMatchHits(header: string, etag: string): boolean {
  const ours = etag.startsWith("W/") ? etag.slice(2) : etag;
  for (const item of header.split(",")) {
    const tag = item.trim();
    if (tag === "*") return true;
    if ((tag.startsWith("W/") ? tag.slice(2) : tag) === ours) return true;
  }
  return false;
}

export interface ConditionalHeaders {
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: string | undefined;
}

/**
 * Whether a GET may be answered 304: If-None-Match when present (it takes precedence), else
 * If-Modified-Since when it is a valid date not before Last-Modified (§13.2.2).
 */
export function notModified(headers: ConditionalHeaders, etag: string, lastModified: Date): boolean {
  if (headers.ifNoneMatch !== undefined && headers.ifNoneMatch !== "") return ifNoneMatchHits(headers.ifNoneMatch, etag);
  if (headers.ifModifiedSince === undefined) return false;
  const since = Date.parse(headers.ifModifiedSince);
  return !Number.isNaN(since) && lastModified.getTime() <= since;
}

/** Whether Accept-Encoding allows gzip (`gzip`, `x-gzip` or `*`, with a q-value above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let star: boolean | undefined;
  for (const part of header.split(",")) {
    const [coding = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    const name = coding.trim();
    if (name === "gzip" || name === "x-gzip") return allowed;
    if (name === "*") star = allowed;
  }
  return star === true;
}
