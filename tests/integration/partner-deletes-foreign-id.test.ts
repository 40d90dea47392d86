// A partner's calls and kits kept here are deleted only by a Delete whose id is on the partner's own server,
// as they are created and changed only by such a Create or Update (partner-calls-foreign-id.test.ts): a
// followed actor that signs properly but names its Delete with an id on another host changes nothing.
// Over HTTP the inbox's precheck refuses it (400); the listener checks again, for what reaches Fedify
// without that precheck. The same signed request goes to Fedify itself: the partner's key fetched over
// real HTTP, the signature verified, the activity queued and handled by the real listeners. One real
// instance, a Mastodon-shaped partner on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MastodonPeer } from "../support/mastodon-peer.ts";
import { type FollowedPartner, startFollowedPartner } from "../support/followed-partner.ts";
import type { RelaisInstance } from "../support/relais-instance.ts";
import { until, untilQueueIdle } from "../support/wait.ts";

describe("a Delete of a partner's call or kit whose id is on another host", { timeout: 120_000 }, () => {
  let setup: FollowedPartner;
  let relais: RelaisInstance;
  let partner: MastodonPeer;
  const rows = async (table: "partner_call" | "partner_action_kit") =>
    (await relais.runtime.em.fork().getConnection().execute<{ ap_id: string }[]>(`select ap_id from ${table} order by ap_id`)).map((r) => r.ap_id);
  const callId = () => new URL("/calls/00000001-0000-4000-8000-000000000000", partner.origin).href;
  const kitId = () => new URL("/kits/00000002-0000-4000-8000-000000000000", partner.origin).href;
  const deleteOf = (id: string, object: string) => setup.activity(id, "Delete", { id: object, type: "Tombstone" });

  beforeAll(async () => {
    setup = await startFollowedPartner("127.0.0.82");
    ({ relais, partner } = setup);
  }, 120_000);
  afterAll(async () => {
    await setup?.close();
  });

  it("keeps the call and the kit on a Delete whose id is not on their author's server, removes them on its own", async () => {
    const article = { id: callId(), type: "Article", attributedTo: partner.actorId.href, nameMap: { fr: "Appel" }, callStatus: "Open", published: "2026-12-01T10:00:00Z" };
    expect((await setup.send(setup.activity(`${callId()}#create`, "Create", article))).status).toBe(202);
    // The kit as its Create would have stored it (its text is read from the origin; not what is tested here).
    const kit = { apId: kitId(), url: kitId(), title: { fr: "Kit" }, authorApId: partner.actorId.href, publishedAt: Temporal.Instant.from("2026-12-01T10:00:00Z") };
    expect(await relais.runtime.actionkits.receivePartnerKit(kit)).toBe("stored");
    await until("the partner's call to be kept", async () => ((await rows("partner_call")).length === 1 ? true : undefined), 30_000);

    const elsewhere = "https://elsewhere.example/activities";
    const foreign = [deleteOf(`${elsewhere}/1`, callId()), deleteOf(`${elsewhere}/2`, kitId())];
    // Over HTTP: refused before anything is queued.
    for (const body of foreign) expect((await setup.send(body)).status).toBe(400);
    // Past the precheck: signature verified, queued, handled, and ignored by the listener.
    for (const body of foreign) expect((await setup.deliverToFedify(body)).status).toBe(202);
    await untilQueueIdle(relais.runtime.queue);
    expect(await rows("partner_call")).toEqual([callId()]);
    expect(await rows("partner_action_kit")).toEqual([kitId()]);

    // The partner's own Deletes, the same way: both go.
    for (const body of [deleteOf(`${callId()}#delete`, callId()), deleteOf(`${kitId()}#delete`, kitId())]) expect((await setup.deliverToFedify(body)).status).toBe(202);
    await untilQueueIdle(relais.runtime.queue);
    expect(await rows("partner_call")).toEqual([]);
    expect(await rows("partner_action_kit")).toEqual([]);
  });
});
