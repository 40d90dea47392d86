// A partner's calls are kept only from activities whose id is on the partner's own server (FEDERATION.md,
// "Join requests"), as for partner kits: a followed actor that signs properly but names its Create or
// Update with an id on another host (another server's activity, which it could pre-empt or replay as its
// own) changes nothing here. Over HTTP the inbox's precheck refuses such an activity (400, see
// inbox-poisoning.test.ts); the listener checks again, for what reaches Fedify without that precheck (an
// activity queued before it, a route around it). Here the same signed request goes to Fedify itself:
// the partner's key fetched over real HTTP, the signature verified, the activity queued and handled by
// the real listeners. One real instance, a Mastodon-shaped partner on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FollowedPartner, startFollowedPartner } from "../support/followed-partner.ts";
import { until, untilQueueIdle } from "../support/wait.ts";

describe("a partner's call in an activity whose id is on another host", { timeout: 120_000 }, () => {
  let setup: FollowedPartner;
  const kept = async () =>
    (await setup.relais.runtime.em.fork().getConnection().execute<{ ap_id: string; status: string; title: Record<string, string> }[]>("select ap_id, status, title from partner_call order by ap_id")).map(
      (r) => [r.ap_id, r.status, r.title.fr],
    );
  const callId = (n: number) => new URL(`/calls/0000000${n}-0000-4000-8000-000000000000`, setup.partner.origin).href;
  const article = (n: number, over: Record<string, unknown> = {}) => ({
    id: callId(n),
    type: "Article",
    attributedTo: setup.partner.actorId.href,
    nameMap: { fr: `Appel ${n}` },
    callStatus: "Open",
    published: "2026-12-01T10:00:00Z",
    ...over,
  });
  const activity = (id: string, type: "Create" | "Update", object: Record<string, unknown>) => setup.activity(id, type, object);
  const send = (body: Record<string, unknown>) => setup.send(body);
  const deliverToFedify = (body: Record<string, unknown>) => setup.deliverToFedify(body);

  beforeAll(async () => {
    setup = await startFollowedPartner("127.0.0.81");
  }, 120_000);
  afterAll(async () => {
    await setup?.close();
  });

  it("ignores a Create or Update whose id is not on its actor's server: nothing stored, nothing changed", async () => {
    // The partner's own Create (its id on its server) is kept, whichever way it arrives.
    expect((await send(activity(`${callId(1)}#create`, "Create", article(1)))).status).toBe(202);
    expect((await deliverToFedify(activity(`${callId(2)}#create`, "Create", article(2)))).status).toBe(202);
    await until("the partner's calls to be kept", async () => ((await kept()).length === 2 ? true : undefined), 30_000);

    const elsewhere = "https://elsewhere.example/activities";
    const create = activity(`${elsewhere}/1`, "Create", article(3));
    const update = activity(`${elsewhere}/2`, "Update", article(1, { nameMap: { fr: "Appel détourné" }, callStatus: "Closed", updated: "2026-12-02T10:00:00Z" }));
    // Over HTTP: refused before anything is queued.
    for (const body of [create, update]) expect((await send(body)).status).toBe(400);
    // Past the precheck: signature verified, queued, handled, and ignored by the listener.
    for (const body of [create, update]) expect((await deliverToFedify(body)).status).toBe(202);
    await untilQueueIdle(setup.relais.runtime.queue);
    expect(await kept()).toEqual([
      [callId(1), "open", "Appel 1"],
      [callId(2), "open", "Appel 2"],
    ]);
  });
});
