// Moderation of partners (issue 7 item 5): a block undoes our follows of the blocked (an Undo reaches
// it) and takes its partner events out of the blocking collective's agenda — out of the instance when
// the block is instance-wide — while other collectives keep theirs; a handle is blocked as its actor;
// partners that Delete themselves or whose actor answers 410 go with what they brought; stale partner
// actors are fetched again. Real instance, Mastodon-shaped partners on loopback, real signatures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncomingEvent } from "../../src/modules/partner/partner.types.ts";
import { ACTIVITY_STREAMS, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

const WAIT_MS = 30_000;

const modes = [
  { name: "the embedded default", redis: false, embedded: true },
  { name: "PostgreSQL + Redis", redis: true, embedded: false },
] as const;

function eventOf(peer: MastodonPeer, n: number): IncomingEvent {
  const apId = new URL(`/events/${n}`, peer.origin);
  return {
    apId,
    url: apId,
    organizerId: peer.actorId,
    name: { fr: `Action ${n}` },
    startsAt: Temporal.Now.instant().add({ hours: 24 * 10 }),
    timezone: "Europe/Paris",
    allDay: false,
    tags: [],
    status: "scheduled",
    links: [],
    visibility: "public",
  };
}

describe.each(modes)("partner moderation ($name)", ({ redis, embedded }) => {
  let relais: RelaisInstance;
  let blocked: MastodonPeer; // followed by two collectives, then blocked by one, then instance-wide
  let handled: MastodonPeer; // blocked by its handle
  let leaving: MastodonPeer; // deletes itself
  let fading: MastodonPeer; // its actor ends up answering 410

  beforeAll(async () => {
    relais = await startRelaisInstance({ redis, embedded });
    [blocked, handled, leaving, fading] = await Promise.all([
      startMastodonPeer({ host: "127.0.0.61", username: "blocked" }),
      startMastodonPeer({ host: "127.0.0.62", username: "handled" }),
      startMastodonPeer({ host: "127.0.0.63", username: "leaving" }),
      startMastodonPeer({ host: "127.0.0.64", username: "fading" }),
    ]);
    for (const slug of ["lyon", "bxl"]) await relais.runtime.collectives.create({ slug, name: { fr: slug }, primaryLanguage: "fr" });
    for (const [slug, peer] of [["lyon", blocked], ["bxl", blocked], ["lyon", handled], ["lyon", leaving], ["lyon", fading]] as const) {
      const found = await relais.runtime.partnerActors.resolve(peer.actorId.href);
      if (!found.ok) throw new Error(found.reason);
      await relais.runtime.partners.follow("cli", slug, found.actor);
    }
    for (const peer of [blocked, handled, leaving, fading]) {
      const stored = await relais.runtime.partners.receiveEvent({ senderApId: peer.actorId, path: "create", event: eventOf(peer, 1) });
      expect(stored).toMatchObject({ ok: true, outcome: "stored" });
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([blocked, handled, leaving, fading].map((p) => p?.close()));
    await relais?.close();
  });

  const sql = async <T>(query: string, params: unknown[] = []) => (await relais.runtime.em.fork().getConnection().execute(query, params)) as T[];
  /** Which collective has which partner's events, as `slug host`. */
  const agenda = async () =>
    (
      await sql<{ x: string }>(
        `select c.slug || ' ' || e.domain || ' ' || e.ap_id as x from partner_event_source s join partner p on p.id = s.partner_id
         join collective c on c.id = p.collective_id join partner_event e on e.id = s.event_id order by 1`,
      )
    ).map((r) => r.x);
  const partnersOf = async (peer: MastodonPeer) =>
    (await sql<{ slug: string }>("select c.slug from partner p join collective c on c.id = p.collective_id join remote_actor a on a.id = p.actor_id where a.ap_id = ? order by 1", [peer.actorId.href])).map(
      (r) => r.slug,
    );
  const eventsOn = async (peer: MastodonPeer) => (await sql<{ n: number }>("select count(*)::int as n from partner_event where domain = ?", [peer.origin.hostname]))[0]?.n;
  const undoOf = (peer: MastodonPeer, slug: string) =>
    peer.waitFor(
      (d) => d.activity?.type === "Undo" && d.signatureValid && (d.activity.object as { type?: string; actor?: string })?.actor === relais.url(`/@${slug}`).href,
      { timeoutMs: WAIT_MS },
    );

  it("a collective's block undoes its follow of the partner (Undo sent) and takes the partner's events out of its agenda only", async () => {
    expect(await partnersOf(blocked)).toEqual(["bxl", "lyon"]);
    const result = await relais.runtime.blocks.add("cli", { slug: "lyon" }, "127.0.0.61");
    expect(result.purged).toMatchObject({ partners: 1 });
    await undoOf(blocked, "lyon");
    expect(await partnersOf(blocked)).toEqual(["bxl"]);
    const shown = await agenda();
    expect(shown.filter((x) => x.includes("127.0.0.61"))).toEqual([`bxl 127.0.0.61 ${eventOf(blocked, 1).apId.href}`]);
    // Its new events reach bxl, not lyon; lyon cannot follow it again while the block stands.
    expect(await relais.runtime.partners.receiveEvent({ senderApId: blocked.actorId, path: "create", event: eventOf(blocked, 2) })).toMatchObject({ ok: true, collectives: 1 });
    expect((await agenda()).filter((x) => x.startsWith("lyon 127.0.0.61"))).toEqual([]);
    const found = await relais.runtime.partnerActors.resolve(blocked.actorId.href);
    if (!found.ok) throw new Error(found.reason);
    await expect(relais.runtime.partners.follow("cli", "lyon", found.actor)).rejects.toThrow(/is blocked, on this instance or by "lyon"/);
  });

  it("an instance-wide block takes the partner from every collective and its events from the instance, and nothing more is asked of it", async () => {
    const result = await relais.runtime.blocks.add("cli", "instance", "127.0.0.61");
    expect(result.purged).toMatchObject({ partners: 1, partnerEvents: 2 });
    await undoOf(blocked, "bxl");
    expect(await partnersOf(blocked)).toEqual([]);
    expect(await eventsOn(blocked)).toBe(0);
    expect(await relais.runtime.partners.receiveEvent({ senderApId: blocked.actorId, path: "create", event: eventOf(blocked, 3) })).toMatchObject({ ok: false, reason: "blocked-domain" });
    const served = blocked.served.length;
    expect(await relais.runtime.partnerActors.resolve(blocked.acct)).toMatchObject({ ok: false, reason: "127.0.0.61 is blocked on this instance" });
    expect(await relais.runtime.partnerActors.resolve(blocked.actorId.href)).toMatchObject({ ok: false, reason: expect.stringContaining("blocked") });
    expect(blocked.served.slice(served)).toEqual([]);
  });

  it("blocks an actor given by its handle (WebFinger), as its actor", async () => {
    const result = await relais.runtime.blocks.add("cli", { slug: "lyon" }, `@${handled.acct}`);
    expect(result).toMatchObject({ created: true, block: { kind: "actor", target: handled.actorId.href }, purged: { partners: 1, partnerEvents: 1 } });
    await undoOf(handled, "lyon");
    expect(await partnersOf(handled)).toEqual([]);
    await expect(relais.runtime.blocks.add("cli", "instance", "@nobody@127.0.0.62:1")).rejects.toThrow(/@nobody@127\.0\.0\.62:1 could not be looked up \(.*\); give the actor's URL instead/);
  });

  it("removes a partner that deletes itself, with its events", async () => {
    expect(await partnersOf(leaving)).toEqual(["lyon"]);
    const del = { "@context": ACTIVITY_STREAMS, id: `${leaving.actorId.href}#delete`, type: "Delete", actor: leaving.actorId.href, object: leaving.actorId.href };
    expect((await leaving.sendSigned(relais.url("/inbox"), del)).status).toBe(202);
    await until("the partner to be gone", async () => (await partnersOf(leaving)).length === 0, WAIT_MS);
    expect(await eventsOn(leaving)).toBe(0);
    // Nobody is told: no Undo goes to a deleted actor.
    expect(leaving.received.filter((d) => d.activity?.type === "Undo")).toEqual([]);
  });

  it("refreshes stale partner actors, and removes one whose actor answers 410 with its events", async () => {
    const age = () => sql("update remote_actor set fetched_at = now() - interval '2 days' where ap_id = ?", [fading.actorId.href]);
    await age();
    expect(await relais.runtime.refresher.refreshStale()).toEqual({ refreshed: 1, removed: 0, failed: 0 });
    const [row] = await sql<{ fetched_at: Date }>("select fetched_at from remote_actor where ap_id = ?", [fading.actorId.href]);
    expect(Date.now() - new Date(row!.fetched_at).getTime()).toBeLessThan(60_000);
    fading.answerActorWith(410);
    await age();
    expect(await relais.runtime.refresher.refreshStale()).toEqual({ refreshed: 0, removed: 1, failed: 0 });
    expect(await partnersOf(fading)).toEqual([]);
    expect(await eventsOn(fading)).toBe(0);
  });
});
