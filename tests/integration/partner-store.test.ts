// The partner data model through PartnerService, on a real PostgreSQL: events stored once per AP id,
// changes moving SEQUENCE, only the origin deleting, images fetched once and re-encoded, relays queued
// once, and the purge moderation calls.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncomingEvent } from "../../src/modules/partner/partner.types.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const remote = "http://127.0.0.9:9";
const group = (name: string) => ({
  apId: new URL(`${remote}/@${name}`),
  type: "Group",
  handle: `${name}@127.0.0.9:9`,
  name,
  inboxUrl: new URL(`${remote}/@${name}/inbox`),
  sharedInboxUrl: new URL(`${remote}/inbox`),
});

function event(id: string, overrides: Partial<IncomingEvent> = {}): IncomingEvent {
  return {
    apId: new URL(`${remote}/events/${id}`),
    url: new URL(`${remote}/events/${id}`),
    organizerId: new URL(`${remote}/@b`),
    name: { de: "Demo" },
    startsAt: Temporal.Instant.from("2030-05-01T12:00:00Z"),
    timezone: "Europe/Berlin",
    allDay: false,
    tags: [],
    status: "scheduled",
    links: [],
    visibility: "public",
    ...overrides,
  };
}

describe("partner events stored by PartnerService (PostgreSQL)", () => {
  let relais: RelaisInstance;
  let images: Server;
  let imageRequests = 0;
  let imageBase: string;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "a", name: { fr: "A" }, primaryLanguage: "fr" });
    await relais.runtime.collectives.create({ slug: "a2", name: { fr: "A2" }, primaryLanguage: "fr" });
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#c33" } })
      .jpeg()
      .withMetadata({ exif: { IFD0: { Copyright: "secret camera owner" } } })
      .toBuffer();
    images = createServer((_req, res) => {
      imageRequests++;
      res.writeHead(200, { "content-type": "image/jpeg" }).end(jpeg);
    });
    await new Promise<void>((r) => images.listen(0, "127.0.0.1", () => r()));
    imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => images?.close(r));
    await relais?.close();
  });

  it("drops events from actors nobody follows, stores a partner's once, and moves SEQUENCE on changes only", async () => {
    const partners = relais.runtime.partners;
    expect(await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: event("1") })).toEqual({ ok: false, reason: "not-followed" });
    const { partner } = await partners.follow("cli", "a", group("b"));
    await partners.follow("cli", "a2", group("b"));
    expect(partner.state).toBe("pending");
    const [a2] = await relais.runtime.em.fork().getConnection().execute<{ id: string }[]>(
      "select p.follow_activity_id as id from partner p join collective c on c.id = p.collective_id where c.slug = 'a2'",
    );
    // Only the followed actor's answer counts.
    expect(await partners.answered({ actorApId: `${remote}/@other`, followActivityId: a2!.id, accepted: true })).toBeNull();
    expect(await partners.answered({ actorApId: `${remote}/@b`, followActivityId: a2!.id, accepted: true })).toBe("a2");
    expect(await partners.answered({ actorApId: `${remote}/@b`, collectiveApId: relais.url("/@a").href, accepted: true })).toBe("a");

    const first = await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: event("1") });
    expect(first).toEqual({ ok: true, outcome: "stored", collectives: 2, relayed: 0, forwarded: 0 });
    expect(await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: event("1") })).toMatchObject({ outcome: "unchanged" });
    const changed = await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: event("1", { status: "cancelled" }) });
    expect(changed).toMatchObject({ outcome: "changed" });
    const rows = await relais.runtime.em.fork().getConnection().execute("select sequence, status from partner_event");
    expect(rows).toEqual([{ sequence: 1, status: "cancelled" }]);
    const list = await partners.list("cli", "a");
    expect(list[0]?.lastActivityAt).not.toBeNull();
  });

  it("refuses an event created by another origin than its own, and a delete from another origin", async () => {
    const partners = relais.runtime.partners;
    const foreign = event("x", { apId: new URL("http://127.0.0.10:9/events/x") });
    expect(await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: foreign })).toEqual({ ok: false, reason: "not-its-origin" });
    expect(await partners.deleteEvent(new URL("http://127.0.0.10:9/@d"), new URL(`${remote}/events/1`))).toBe(false);
    expect(await partners.deleteEvent(new URL(`${remote}/@b`), new URL(`${remote}/events/1`))).toBe(true);
    // A late or replayed Create does not bring it back.
    expect(await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: event("1") })).toEqual({ ok: false, reason: "deleted" });
  });

  it("fetches an image once, re-encodes it without metadata, and queues a relay once", async () => {
    const partners = relais.runtime.partners;
    await partners.setRelay("cli", "a", "b@127.0.0.9:9", true);
    const withImage = event("2", { image: { url: `${imageBase}/poster.jpg`, mediaType: "image/jpeg" } });
    const stored = await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: withImage });
    expect(stored).toMatchObject({ ok: true, outcome: "stored", relayed: 1 });
    await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: { ...withImage, name: { de: "Demo!" } } });
    expect(imageRequests).toBe(1);
    const [row] = await relais.runtime.em.fork().getConnection().execute<{ image: { name: string } }[]>(`select image from partner_event where ap_id = '${remote}/events/2'`);
    const file = join(relais.mediaDir, row!.image.name);
    expect(existsSync(file)).toBe(true);
    expect((await sharp(file).metadata()).exif).toBeUndefined();
    const outbox = await relais.runtime.em.fork().getConnection().execute<{ kind: string }[]>("select kind from outbox where kind like '%announce%'");
    expect(outbox.map((r) => r.kind)).toEqual(["announce-partner-event"]);
  });

  it("queues the forward of its origin's Update in the transaction that stores the change: both or neither", async () => {
    const partners = relais.runtime.partners;
    const conn = () => relais.runtime.em.fork().getConnection();
    const sequence = async () => (await conn().execute<{ sequence: number }[]>(`select sequence from partner_event where ap_id = '${remote}/events/2'`))[0]?.sequence;
    const forwards = () => conn().execute<{ payload: { via: string[]; activity: string } }[]>("select payload from outbox where kind = 'forward-partner-update'");
    const update = { "@context": "https://www.w3.org/ns/activitystreams", id: `${remote}/events/2#update-1`, type: "Update", actor: `${remote}/@b`, signature: { type: "RsaSignature2017" } };
    const forward = { json: JSON.stringify(update), id: update.id, type: "https://www.w3.org/ns/activitystreams#Update" };
    const moved = event("2", { image: { url: `${imageBase}/poster.jpg`, mediaType: "image/jpeg" }, name: { de: "Demo, verlegt" } });
    const before = await sequence();
    expect(before).toBeDefined();

    // A failure after the save (the outbox refuses the forward's row): the change is not kept either.
    await conn().execute("create function refuse_forward() returns trigger language plpgsql as $$ begin if new.kind = 'forward-partner-update' then raise exception 'outbox unavailable'; end if; return new; end $$");
    await conn().execute("create trigger refuse_forward before insert on outbox for each row execute function refuse_forward()");
    try {
      await expect(partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: moved, forward })).rejects.toThrow(/outbox unavailable/);
    } finally {
      await conn().execute("drop trigger refuse_forward on outbox");
      await conn().execute("drop function refuse_forward()");
    }
    expect(await sequence()).toBe(before);
    expect(await forwards()).toEqual([]);

    // Once the change is committed, its forward is in the outbox: through "a", which relays the event.
    expect(await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: moved, forward })).toMatchObject({ ok: true, outcome: "changed", forwarded: 1 });
    expect(await sequence()).toBe(before! + 1);
    const [a] = await conn().execute<{ id: string }[]>("select id from collective where slug = 'a'");
    const rows = await forwards();
    expect(rows.map((r) => r.payload.via)).toEqual([[a!.id]]);
    expect(JSON.parse(rows[0]!.payload.activity)).toEqual(update);
    // A repeat changes nothing and forwards nothing; nor does an Update that is not forwardable (unsigned).
    expect(await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: moved, forward })).toMatchObject({ outcome: "unchanged", forwarded: 0 });
    const again = event("2", { ...moved, name: { de: "Demo, abgesagt" } });
    expect(await partners.receiveEvent({ senderApId: new URL(`${remote}/@b`), path: "create", event: again })).toMatchObject({ outcome: "changed", forwarded: 0 });
    expect(await forwards()).toHaveLength(1);
  });

  it("purges a domain: follows, events, image files, and undoes relays", async () => {
    const partners = relais.runtime.partners;
    const [row] = await relais.runtime.em.fork().getConnection().execute<{ image: { name: string } }[]>(`select image from partner_event where ap_id = '${remote}/events/2'`);
    const result = await partners.purgeDomain("127.0.0.9", { undoFollows: true });
    expect(result.partners).toBe(2);
    expect(result.events).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(relais.mediaDir, row!.image.name))).toBe(false);
    const conn = relais.runtime.em.fork().getConnection();
    expect(await conn.execute("select count(*)::int as n from partner_event")).toEqual([{ n: 0 }]);
    const kinds = (await conn.execute<{ kind: string }[]>("select kind from outbox order by id")).map((r) => r.kind);
    expect(kinds.filter((k) => k === "undo-announce-partner-event")).toHaveLength(1);
    expect(kinds.filter((k) => k === "undo-follow-partner")).toHaveLength(2);
  });
});
