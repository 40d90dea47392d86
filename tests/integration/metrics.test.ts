// /metrics over real HTTP on a real instance (PostgreSQL, a Mastodon-shaped follower that verifies
// signatures): only with the configured bearer token (401 without or with a wrong one, 404 when none is
// configured), or on its own port without one; deliveries sent and failed per remote host, retries,
// queue depth and age, inbox signature failures by reason, read-cache and feed-cache hits, HTTP
// latency by route pattern; no slug, id, actor or address in any label.
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paths, route } from "../../src/shared/paths.ts";
import { listenMetrics } from "../../src/web/http-metrics.ts";
import { createEditor } from "../support/editor.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { freePort } from "../support/relais-process.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

const token = "metrics-token-0123456789abcdef";
const WAIT_MS = 30_000;

/** The value of one series (its labels given in full, in order), or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics", { timeout: 120_000 }, () => {
  let relais: RelaisInstance;
  let bare: RelaisInstance;
  let peer: MastodonPeer;
  let mallory: MastodonPeer;
  let eventId: string;
  let separate: Server | undefined;

  const scrape = async () => {
    const res = await fetch(relais.url("/metrics"), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    [relais, bare, peer, mallory] = await Promise.all([
      startRelaisInstance({ env: { RELAIS_METRICS_TOKEN: token } }),
      startRelaisInstance(),
      startMastodonPeer({ host: "127.0.0.2", username: "carla" }),
      startMastodonPeer({ host: "127.0.0.3", username: "mallory" }),
    ]);
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    const editor = await createEditor(relais.runtime, "lyon", "ana@example.org");
    await peer.follow(relais.url("/@lyon"));
    await peer.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid, { timeoutMs: WAIT_MS });
    const { event } = await relais.runtime.events.create(editor.principal, "lyon", {
      name: { fr: "Rassemblement" },
      startsAt: "2031-03-09T14:00",
      timezone: "Europe/Paris",
      onlineUrl: "https://meet.example/x",
      published: true,
    });
    eventId = event.id;
    await peer.waitFor((d) => d.activity?.type === "Create" && d.signatureValid, { timeoutMs: WAIT_MS });
    // The follower's server fails from now on: the next delivery fails and is put back for a retry.
    peer.respondToDeliveriesWith(500);
    await relais.runtime.events.update(editor.principal, event.id, { name: { fr: "Rassemblement déplacé" } });
  });
  afterAll(async () => {
    separate?.close();
    await Promise.all([relais?.close(), bare?.close(), peer?.close(), mallory?.close()]);
  });

  it("answers only with the token", async () => {
    expect((await fetch(relais.url("/metrics"))).status).toBe(401);
    const wrong = await fetch(relais.url("/metrics"), { headers: { authorization: "Bearer not-the-token-at-all-0000000" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const ok = await fetch(relais.url("/metrics"), { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await ok.text()).toMatch(/^# HELP relais_deliveries_total /m);
    // Without a token configured the route does not exist.
    expect((await fetch(bare.url("/metrics"), { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it("counts deliveries sent and failed per remote host, and the retries", async () => {
    const host = peer.origin.host;
    const text = await until(
      "a failed delivery and its retry",
      async () => {
        const t = await scrape();
        return (value(t, `relais_deliveries_total{host="${host}",outcome="failed"}`) ?? 0) >= 1 &&
          (value(t, 'relais_queue_retries_total{role="outbox"}') ?? 0) >= 1
          ? t
          : undefined;
      },
      WAIT_MS,
    );
    expect(value(text, `relais_deliveries_total{host="${host}",outcome="sent"}`)).toBeGreaterThanOrEqual(2); // Accept, Create
    // The retry waits (a minute at least): the queue shows it delayed.
    expect(value(text, 'relais_queue_depth{state="delayed"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, "relais_queue_oldest_ready_age_seconds")).toBeGreaterThanOrEqual(0);
  });

  it("counts inbox signatures that do not verify, by reason", async () => {
    const before = await scrape();
    const sum = (t: string) =>
      t
        .split("\n")
        .filter((l) => l.startsWith("relais_inbox_verification_failures_total{"))
        .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
    const forged = await mallory.createForgedKey(peer.actorId);
    const follow = { "@context": "https://www.w3.org/ns/activitystreams", id: new URL(`/forged-${Date.now()}`, peer.origin).href, type: "Follow", actor: peer.actorId.href, object: relais.url("/@lyon").href };
    const refused = await mallory.sendSigned(relais.url("/@lyon/inbox"), follow, { key: forged });
    expect(refused.status).toBe(401);
    const after = await until("a verification failure counted", async () => {
      const t = await scrape();
      return sum(t) > sum(before) ? t : undefined;
    });
    expect(after).toMatch(/^relais_inbox_verification_failures_total\{reason="[a-zA-Z_]+"\} \d+/m);
  });

  it("times requests by route pattern and counts cache hits, naming nobody", async () => {
    const asActivity = { headers: { accept: "application/activity+json" } };
    for (let i = 0; i < 2; i++) {
      expect((await fetch(relais.url("/@lyon"), asActivity)).status).toBe(200);
      expect((await fetch(relais.url("/@lyon/events.ics"))).status).toBe(200);
      expect((await fetch(relais.url(`/events/${eventId}`))).status).toBe(200);
    }
    const text = await scrape();
    const requests = (pattern: string) => value(text, `relais_http_request_duration_seconds_count{method="GET",route="${pattern}",status="200"}`);
    // Fedify's answers under the path table's pattern, Express routes under their own.
    expect(requests(paths.actor)).toBeGreaterThanOrEqual(2);
    expect(requests(route(paths.collectiveIcs))).toBeGreaterThanOrEqual(2);
    expect(requests(route(paths.event))).toBeGreaterThanOrEqual(2);
    expect(value(text, 'relais_read_cache_requests_total{result="hit"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'relais_feed_cache_requests_total{result="hit"}')).toBeGreaterThanOrEqual(1);
    // Labels are patterns and hosts we deliver to: no slug, id, actor path or client address.
    for (const leak of ["lyon", eventId, "/users/", "carla", "mallory", "127.0.0.3"]) expect(text).not.toContain(leak);
  });

  it("serves /metrics without a token on its own port, and nothing else there", async () => {
    const port = await freePort();
    separate = await listenMetrics(bare.runtime.metrics, "127.0.0.1", port);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^relais_queue_depth\{state="ready"\} \d+/m);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
  });
});
