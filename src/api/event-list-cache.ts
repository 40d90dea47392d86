/**
 * A collective's event list in the JSON API (`GET /api/v1/collectives/:slug/events`), rendered once per
 * generation of the read cache (ADR 0022) and served from it with ETag, Last-Modified and 304s: every
 * committed write to what it shows (an event, its collective) starts a new generation
 * (src/db/committed-writes.ts), so an edit is what the next request gets.
 *
 * Only the answer that is the same for every caller is kept: the public events (published, public),
 * which is what a list without `drafts=true` shows whoever asks. With `drafts=true` the answer depends on
 * the caller's roles: it is rendered for them, never kept nor served from what is kept.
 *
 * A list without `from` nor `to` starts "now": it changes with the clock, without any write, when one of
 * its events ends (or starts, without an end). It is kept until the first such moment among its items
 * (`listChangesAt`), never longer.
 */
import type { Request, RequestHandler } from "express";
import { sendCachedRead } from "../federation/cached-reads.ts";
import type { FederatedReadCache, RenderedRead } from "../federation/read-cache.ts";
import type { EventService, EventView } from "../modules/event/event.service.ts";
import type { EventStatus } from "../modules/event/event.types.ts";
import type { UserService } from "../modules/user/user.service.ts";
import type { Page } from "../shared/list-page.ts";
import { presentEvent } from "./event.presenter.ts";
import { presentPage } from "./pagination.ts";

/** The list's query as parsed by the route (`parseListQuery`). */
export interface EventListQuery {
  readonly from?: Temporal.Instant | undefined;
  readonly to?: Temporal.Instant | undefined;
  readonly status?: readonly EventStatus[] | undefined;
  readonly includePrivate: boolean;
  readonly page: { readonly limit: number; readonly cursor?: string | undefined };
}

/** Longer keys (a pasted cursor gone wrong…) are rendered without the cache. */
const maxKeyLength = 512;

/** The cache key of the public answer to `q`, or undefined when the answer depends on the caller. */
export function eventListKey(slug: string, q: EventListQuery): string | undefined {
  if (q.includePrivate) return undefined;
  const from = q.from ? String(q.from.epochMilliseconds) : q.to ? "" : "now";
  const to = q.to ? String(q.to.epochMilliseconds) : "";
  const status = q.status ? [...new Set(q.status)].sort().join(",") : "";
  const key = `api events ${slug}\u0000${from}\u0000${to}\u0000${status}\u0000${q.page.limit}\u0000${q.page.cursor ?? ""}`;
  return key.length <= maxKeyLength ? key : undefined;
}

/**
 * When a list that starts "now" changes without a write (epoch ms): the first moment one of its events
 * leaves it (it ends; without an end, it starts; a recurring one, once its series is over). Events only
 * leave a list as time passes, and an event beyond the page can only come in when one of the page
 * leaves; the one after the page (which makes `next`) leaves no earlier than it starts, hence no earlier
 * than the page's last event starts. A recurring event listed because its series is still on (its first
 * occurrence is over) leaves when the series ends, which the page does not say: such a list is kept
 * `recurringMaxAgeMs` at most (the memory store's own bound, ADR 0022).
 */
export function listChangesAt(page: Page<EventView>, now: number): number | undefined {
  let at = Number.POSITIVE_INFINITY;
  for (const { event } of page.items) {
    const starts = event.startsAt.epochMilliseconds;
    const leaves = Math.max(starts, event.endsAt?.epochMilliseconds ?? starts) + 1;
    at = Math.min(at, event.recurrence && leaves <= now ? now + recurringMaxAgeMs : leaves);
  }
  const last = page.items.at(-1);
  if (page.next !== null && last) at = Math.min(at, last.event.startsAt.epochMilliseconds + 1);
  return Number.isFinite(at) ? at : undefined;
}

/** How long a list with a series under way is kept at most (see `listChangesAt`). */
export const recurringMaxAgeMs = 1000;

/** The public answer to `q`, as kept: the JSON the route sends, and how long it holds. */
export async function renderEventList(events: EventService, slug: string, q: EventListQuery): Promise<RenderedRead> {
  const now = Temporal.Now.instant();
  const fromNow = q.from === undefined && q.to === undefined;
  const from = fromNow ? now : q.from;
  const query = { ...(from ? { from } : {}), ...(q.to ? { to: q.to } : {}), ...(q.status ? { status: q.status } : {}), includePrivate: false };
  const page = await events.page(slug, query, q.page, null);
  const changesAt = fromNow ? listChangesAt(page, now.epochMilliseconds) : undefined;
  return {
    status: 200,
    // A token's answer: no shared cache keeps it; the client revalidates (ETag) before reusing it.
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "private, no-cache" },
    body: Buffer.from(JSON.stringify(presentPage(page, presentEvent))),
    ...(changesAt === undefined ? {} : { maxAgeMs: Math.max(0, changesAt - now.epochMilliseconds) }),
  };
}

const listPath = /^\/api\/v1\/collectives\/([^/]+)\/events$/;

/**
 * Kept lists answered before the federation bridge and the other routers (they cost a kept list more
 * than the list itself): a GET with a bearer token this process looked up less than a second ago
 * (UserService.keptPrincipal), a valid query and a kept public answer. Anything else, a miss included,
 * goes on to the route, which authenticates, answers errors, renders and keeps.
 */
export function cachedEventLists(deps: { cache: FederatedReadCache; users: UserService; parse: (query: Request["query"]) => EventListQuery }): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "GET" || !req.path.startsWith("/api/v1/collectives/")) return next();
    const m = listPath.exec(req.path);
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!m?.[1] || !token || !deps.users.keptPrincipal(token)) return next();
    let key: string | undefined;
    try {
      key = eventListKey(decodeURIComponent(m[1]), deps.parse(req.query));
    } catch {
      return next();
    }
    if (key === undefined) return next();
    const inMemory = deps.cache.peek(key);
    if (inMemory) return sendCachedRead(req, res, inMemory);
    deps.cache.kept(key).then(
      (read) => (read ? sendCachedRead(req, res, read) : next()),
      () => next(),
    );
  };
}
