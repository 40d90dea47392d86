/**
 * The read cache in front of the federation bridge (ADR 0022): GETs of actors, WebFinger, NodeInfo and
 * the AS2 objects (objects.ts) answered from rendered bytes with ETag, Last-Modified and 304s.
 *
 * Every request is matched first by what it asks for, with the negotiation of the route that would
 * answer it otherwise (Fedify's for actors, `wantsActivityJson` for objects): a browser goes on to the
 * HTML page, untouched, and never meets a cached AS2 body. A miss renders the canonical answer (Fedify's
 * actor, WebFinger or NodeInfo response to a canonical request; the object table's `load`); what is not
 * a 200 (or an object's 410 Tombstone) is not kept and the request goes on down the usual path.
 * Refusals that depend on the client (instance-wide blocks, `blockedReaders` in src/web) run before.
 */
import type { ServerResponse } from "node:http";
import type { Request, RequestHandler, Response } from "express";
import { ifNoneMatchHits } from "../modules/feed/feed-validators.ts";
import { matcher, paths } from "../shared/paths.ts";
import type { RelaisFederation } from "./federation.ts";
import { fedifyServesJsonLd } from "./fedify-workarounds.ts";
import { nodeInfoPath } from "./nodeinfo.ts";
import { type As2ObjectKind, as2ContentType, wantsActivityJson } from "./objects.ts";
import type { CachedRead, FederatedReadCache, RenderedRead } from "./read-cache.ts";

export interface CachedReadsDeps {
  readonly cache: FederatedReadCache;
  readonly federation: RelaisFederation;
  /** The public origin: canonical requests to Fedify are built on it, as the bridge builds them. */
  readonly origin: URL;
  readonly objects: readonly As2ObjectKind[];
}

/** Fedify's answers are kept with these headers only (the rest is per response, or ours to set). */
const keptHeaders = ["content-type", "vary", "access-control-allow-origin", "link", "cache-control"];

/** Express middleware answering the federated reads it keeps, and passing every other request on. */
export function cachedFederatedReads(deps: CachedReadsDeps): RequestHandler {
  const { cache, federation, origin } = deps;

  /** Fedify's answer to a canonical GET of `path` (no client headers but Accept), when it is a 200. */
  const fromFedify = async (path: string, accept: string): Promise<RenderedRead | undefined> => {
    const request = new Request(origin.origin + path, { headers: { accept, host: origin.host } });
    const notHere = () => new Response(null, { status: 404 });
    const response = await federation.fetch(request, { contextData: undefined, onNotFound: notHere, onNotAcceptable: notHere });
    if (response.status !== 200) {
      await response.body?.cancel();
      return undefined;
    }
    const headers: Record<string, string> = {};
    for (const name of keptHeaders) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return { status: 200, headers, body: Buffer.from(await response.arrayBuffer()) };
  };

  const actor = matcher(paths.actor);
  const renderActor = async (path: string) => {
    const read = await fromFedify(path, "application/activity+json");
    // Fedify says Vary: Accept on actors; kept that way even if it stopped saying it.
    return read && { ...read, headers: { ...read.headers, vary: read.headers.vary ?? "Accept" } };
  };
  // Every kind of the object table: whatever writes what a document shows bumps the generation at its
  // commit (src/db/committed-writes.ts), so no kind depends on its writers remembering to.
  const objects = deps.objects.map((kind) => ({ kind, match: matcher(kind.path) }));
  /**
   * The answer anyone gets. A kind that asks who is reading (an embargoed call, a stamp not yet public)
   * is not kept, whatever it answered: the request goes on to the object routes, which know the reader.
   */
  const renderObject = async (kind: As2ObjectKind, values: Parameters<As2ObjectKind["load"]>[0]): Promise<RenderedRead | undefined> => {
    let asked = false;
    const answer = await kind.load(values, async () => {
      asked = true;
      return null;
    });
    if (!answer || asked) return undefined;
    return { status: answer.status, headers: { "content-type": as2ContentType, vary: "Accept" }, body: Buffer.from(JSON.stringify(answer.document)) };
  };

  /** The cache key of a request and how to render its answer, or undefined for what is not kept. */
  const what = (req: Request): { key: string; render: () => Promise<RenderedRead | undefined> } | undefined => {
    const path = req.path;
    if (path === "/.well-known/webfinger") {
      const at = req.originalUrl.indexOf("?");
      const query = at < 0 ? "" : req.originalUrl.slice(at);
      if (query.length > 1024) return undefined;
      return { key: `webfinger ${query}`, render: () => fromFedify(`/.well-known/webfinger${query}`, "application/jrd+json") };
    }
    if (path === nodeInfoPath) return { key: "nodeinfo", render: () => fromFedify(nodeInfoPath, "application/json") };
    if (path.startsWith("/@")) {
      if (!actor(path) || !fedifyServesJsonLd(req.headers.accept)) return undefined;
      return { key: `actor ${path}`, render: () => renderActor(path) };
    }
    for (const { kind, match } of objects) {
      const values = match(path);
      if (values === undefined) continue;
      if (!wantsActivityJson(req)) return undefined;
      return { key: `object ${path}`, render: () => renderObject(kind, values) };
    }
    return undefined;
  };

  return (req, res, next) => {
    if (req.method !== "GET") return next();
    const read = what(req);
    if (!read) return next();
    // Kept in this process's memory: answered without waiting for anything.
    const kept = cache.peek(read.key);
    if (kept) return sendCachedRead(req, res, kept);
    cache.read(read.key, read.render).then(
      (answer) => (answer ? sendCachedRead(req, res, answer) : next()),
      (error: unknown) => next(error),
    );
  };
}

/**
 * The kept answer, or a 304 when the client's copy is this one. Validators go with 200s only: a 410
 * has nothing to revalidate (RFC 9110 §13.2.1: preconditions apply to 2xx answers).
 */
export function sendCachedRead(req: Request, res: Response, read: CachedRead): void {
  const out = res as ServerResponse;
  for (const [name, value] of Object.entries(read.headers)) out.setHeader(name, value);
  if (read.status === 200) {
    out.setHeader("ETag", read.etag);
    // A date still ahead is not sent (see read-cache.ts): If-Modified-Since could then match a newer content.
    const dated = read.lastModified <= Date.now();
    if (dated) out.setHeader("Last-Modified", new Date(read.lastModified).toUTCString());
    if (unchanged(req, read, dated)) {
      out.statusCode = 304;
      out.removeHeader("content-type");
      out.end();
      return;
    }
  }
  out.statusCode = read.status;
  out.setHeader("Content-Length", read.body.length);
  out.end(read.body);
}

/** If-None-Match when sent (it takes precedence), else If-Modified-Since against a date that was sent. */
function unchanged(req: Request, read: CachedRead, dated: boolean): boolean {
  const ifNoneMatch = req.headers["if-none-match"];
  if (ifNoneMatch) return ifNoneMatchHits(ifNoneMatch, read.etag);
  const ifModifiedSince = req.headers["if-modified-since"];
  if (!ifModifiedSince || !dated) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && read.lastModified <= since;
}
