// The server side of the HTTP feed benchmark, run as a child process (its own core, so the load
// client does not share its event loop). One Express app with:
//   GET /hello                 Express's hello world (the lower bound of a 304)
//   GET /static.ics[?gz]       the feed's bytes (or their gzip) from memory, same headers (the lower bound of a warm GET)
//   GET /@bench/events.ics     the real feed routes (`feedRoutes`) over a FeedService whose subject and
//                              events are in memory: it measures the HTTP and caching layer; in production
//                              the subject is one indexed query (see docs/performance.md).
// With `--postgres`, the feed's subject and events come from a fresh PostgreSQL database through the
// production DatabaseFeedSubjects and LocalEventSource instead (feed-postgres-backend.ts).
// The parent talks over IPC: "etag" (the feed's ETag), "cpu" (process.cpuUsage), "bump" (a new version:
// the next GET renders again), "grow <n>" (PostgreSQL: n events in all), "exit".
import "../../src/temporal.ts";
import type { AddressInfo } from "node:net";
import express from "express";
import { FeedService } from "../../src/modules/feed/feed.service.ts";
import { openPostgresBackend, type PostgresBackend } from "./feed-postgres-backend.ts";
import { collectiveSubject, InMemoryEventSource, InMemoryFeedSubjects } from "../../tests/support/feed.ts";
import { noFilters } from "../../src/modules/feed/feed-filters.ts";
import { isMissing } from "../../src/modules/feed/feed.types.ts";
import { feedCacheControl, feedRoutes } from "../../src/web/feed.routes.ts";
import { syntheticEvents } from "./synthetic-events.ts";

const size = Number(process.argv[2] ?? 1000);
// The synthetic events start on 2025-01-01: the feeds are read as of 2024-12-01, so all are upcoming.
const clock = () => Date.parse("2024-12-01T12:00:00Z");
const subjects = new InMemoryFeedSubjects();
let version = 1;
subjects.set(collectiveSubject("bench", `c:${version}`));
const source = new InMemoryEventSource("local");
let postgres: PostgresBackend | undefined;
let feeds: FeedService;
if (process.argv.includes("--postgres")) {
  postgres = await openPostgresBackend(size, clock);
  feeds = postgres.feeds;
} else {
  source.add("bench", syntheticEvents(size));
  feeds = new FeedService({ subjects, sources: () => [source], clock });
}

async function head() {
  const h = await feeds.head({ kind: "collective", slug: "bench" }, noFilters);
  if (isMissing(h)) throw new Error("no bench feed");
  return h;
}

const warm = await feeds.body(await head());
const bytes = warm.bytes;
const zipped = await warm.gzip();

const app = express();
app.disable("x-powered-by");
app.get("/hello", (_req, res) => {
  res.send("Hello World!");
});
app.get("/static.ics", (req, res) => {
  const gzip = req.query.gz !== undefined;
  const body = gzip ? zipped : bytes;
  res.set({
    ETag: 'W/"static"',
    "Last-Modified": new Date(0).toUTCString(),
    "Cache-Control": feedCacheControl,
    Vary: "Accept-Encoding",
    "Content-Type": "text/calendar; charset=utf-8",
    "Content-Disposition": 'inline; filename="bench-events.ics"',
    "Content-Length": String(body.length),
  });
  if (gzip) res.set("Content-Encoding", "gzip");
  res.end(body);
});
app.use(feedRoutes(feeds));

const server = app.listen(0, "127.0.0.1", () => {
  process.send!({ ready: (server.address() as AddressInfo).port, events: warm.eventCount, bytes: bytes.length, gzip: zipped.length });
});
server.keepAliveTimeout = 60_000;

process.on("message", async (message: string) => {
  if (message === "etag") process.send!({ etag: (await head()).etag });
  else if (message === "cpu") process.send!({ cpu: process.cpuUsage() });
  else if (message === "bump") {
    if (postgres) await postgres.bump();
    else subjects.set(collectiveSubject("bench", `c:${++version}`));
    process.send!({ bumped: true });
  } else if (message.startsWith("grow ")) {
    await postgres?.grow(Number(message.slice(5)));
    process.send!({ grown: true });
  } else if (message === "exit") {
    server.closeAllConnections();
    server.close(async () => {
      await postgres?.close();
      process.exit(0);
    });
  }
});
