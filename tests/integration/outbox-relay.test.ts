// The outbox relay's rows: deliveries stored in the database by the statement that marks a row sent,
// failed attempts retried with a backoff up to a cap and then shown as failed, old sent rows pruned.
// The instance runs no worker: the relay is driven by hand and nothing leaves the queue table.
import { randomUUID } from "node:crypto";
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxRowRetry } from "../../src/federation/retry-policy.ts";
import { createEditor } from "../support/editor.ts";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Row = Record<string, unknown>;

describe("outbox relay", () => {
  let relais: RelaisInstance;
  let collectiveId: string;
  let peer: MastodonPeer;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    collectiveId = (await relais.runtime.collectives.create({ slug: "rows", name: { fr: "Lignes" }, primaryLanguage: "fr" })).id;
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "rita" });
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  const query = async (sql: string, params: unknown[] = []) => (await relais.runtime.orm.em.getConnection().execute(sql, params)) as Row[];

  async function insertRow(activityId: string, kind: string, sentDaysAgo?: number): Promise<string> {
    const [row] = await query(
      `insert into outbox (activity_id, collective, kind, payload, created_at, attempts, sent_at)
       values (?, ?, ?, ?::jsonb, now(), 0, case when ?::int is null then null else now() - ?::int * interval '1 day' end) returning id::text as id`,
      [activityId, collectiveId, kind, JSON.stringify({ kind, collectiveId }), sentDaysAgo ?? null, sentDaysAgo ?? null],
    );
    return String(row?.id);
  }

  it("stores a published event's deliveries in the queue table in the statement that marks its row sent", async () => {
    // A follower, as stored once its Follow was handled.
    const actor = peer.actorId;
    await query(
      `insert into remote_actor (id, ap_id, domain, type, handle, inbox_url, shared_inbox_url, fetched_at)
       values (?, ?, ?, 'Person', ?, ?, ?, now())`,
      [randomUUID(), actor.href, actor.hostname, `rita@${actor.host}`, peer.inboxUrl.href, peer.sharedInboxUrl.href],
    );
    await query(
      `insert into follower (id, collective_id, actor_id, state, follow_activity_id, created_at, updated_at)
       select ?, ?, a.id, 'accepted', ?, now(), now() from remote_actor a where a.ap_id = ?`,
      [randomUUID(), collectiveId, `${actor.href}#follow`, actor.href],
    );
    const editor = (await createEditor(relais.runtime, "rows", "rosa@example.org")).principal;
    const event = await relais.runtime.events.create(editor, "rows", { name: { fr: "Réunion" }, startsAt: "2030-05-01T18:00", onlineUrl: "https://meet.example/r", published: true });
    await relais.runtime.relay.nudge();
    const [row] = await query("select activity_id, sent_at from outbox where kind = 'create-event'");
    expect(row?.sent_at).not.toBeNull();
    const queued = (await query("select payload from federation_queue order by id")).map((r) => JSON.parse(String(r.payload)));
    const deliveries = queued.filter((m) => m.type === "outbox" && m.activityId === row?.activity_id);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ inbox: peer.sharedInboxUrl.href, attempt: 0 });
    expect(String(row?.activity_id)).toContain(event.event.id);
  });

  it("retries a row it cannot turn into deliveries with a growing delay, then marks it failed", async () => {
    const id = await insertRow("http://example.invalid/@rows#unmapped", "no-such-kind");
    const delays: number[] = [];
    for (let attempt = 1; attempt <= outboxRowRetry.maxAttempts; attempt++) {
      // Its time has come (the backoff has passed).
      await query("update outbox set lease_until = now() - interval '1 second' where id = ? and failed_at is null", [id]);
      expect(await relais.runtime.relay.flushOnce()).toBe(1);
      const [row] = await query(
        "select attempts, sent_at, failed_at, last_error, extract(epoch from lease_until - now()) as wait from outbox where id = ?",
        [id],
      );
      expect(row).toMatchObject({ attempts: attempt, sent_at: null });
      expect(String(row?.last_error)).toContain('no activity mapping for outbox messages of kind "no-such-kind"');
      if (attempt < outboxRowRetry.maxAttempts) {
        expect(row?.failed_at).toBeNull();
        delays.push(Math.round(Number(row?.wait)));
      } else {
        expect(row?.failed_at).not.toBeNull();
        expect(row?.wait).toBeNull();
      }
    }
    expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    // Failed rows are not taken again; the operator sees them and can retry them.
    expect(await relais.runtime.relay.flushOnce()).toBe(0);
    expect(await relais.runtime.outbox.failed()).toEqual([
      expect.objectContaining({ id, kind: "no-such-kind", attempts: outboxRowRetry.maxAttempts, lastError: expect.stringContaining("no-such-kind") }),
    ]);
    expect(await relais.runtime.outbox.retryFailed(id)).toBe(1);
    expect(await relais.runtime.outbox.failed()).toEqual([]);
    expect(await relais.runtime.relay.flushOnce()).toBe(1);
    expect(await query("select attempts, failed_at from outbox where id = ?", [id])).toEqual([{ attempts: 1, failed_at: null }]);
    await query("delete from outbox where id = ?", [id]);
  });

  it("prunes rows sent more than a week ago, and nothing else, when the worker's poll starts", async () => {
    await insertRow("http://example.invalid/@rows#old", "create-event", 8);
    await insertRow("http://example.invalid/@rows#recent", "create-event", 6);
    const failed = await insertRow("http://example.invalid/@rows#failed", "no-such-kind");
    await query("update outbox set failed_at = now() - interval '30 days', attempts = 10 where id = ?", [failed]);
    const stop = new AbortController();
    const polling = relais.runtime.relay.run(stop.signal, 5);
    await until("the old row to go", async () => (await query("select 1 from outbox where activity_id like '%#old'")).length === 0);
    stop.abort();
    await polling;
    const left = (await query("select activity_id from outbox where activity_id like 'http://example.invalid/%' order by 1")).map((r) => r.activity_id);
    expect(left).toEqual(["http://example.invalid/@rows#failed", "http://example.invalid/@rows#recent"]);
  });

  it("polls without piling up abort listeners on the worker's signal", async () => {
    const stop = new AbortController();
    const polling = relais.runtime.relay.run(stop.signal, 5);
    await new Promise((r) => setTimeout(r, 500));
    expect(getEventListeners(stop.signal, "abort").length).toBeLessThanOrEqual(1);
    stop.abort();
    await polling;
  });
});
