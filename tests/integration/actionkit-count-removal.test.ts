// What other servers reported for their copies of a kit stops counting at the origin when the copy or
// the partnership ends (issue 11, ADR 0035). Two real instances over real HTTP with real signatures:
// four collectives on b adopt a kit of a's and report their counts; then one deletes its copy (b tells
// a with a signed report saying so, and a forgets its counts), one unfollows a's collective (Undo), one
// is blocked by it, and one sends the Delete of itself: each time a's page loses that copy's letters, and
// a later report of an unfollowed copy does not bring them back.
import { Delete } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionKitView } from "../../src/modules/actionkit/actionkit.types.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("counts of copies on other servers, once the copy or the partnership ends", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let kit: ActionKitView;
  const slugs = ["gent", "antwerpen", "brugge", "mons"] as const;
  const copies = new Map<string, ActionKitView>();
  const partnerIds = new Map<string, string>();
  const count = async (at: RelaisInstance, k: ActionKitView, times: number) => {
    for (let i = 0; i < times; i++) expect((await fetch(at.url(`/kits/${k.id}/fr/count`), { method: "POST" })).status).toBe(204);
  };
  const origin = () => a.runtime.actionkits.countDetail(kit);
  const rows = async () =>
    (await a.runtime.em.fork().getConnection().execute<{ copy_ap_id: string }[]>("select copy_ap_id from action_kit_remote_count order by copy_ap_id")).map((r) => r.copy_ap_id);
  /** Lets a's origin take the next report of every copy at once (one per ten minutes otherwise). */
  const tenMinutesLater = () => a.runtime.em.fork().getConnection().execute("update action_kit_remote_count set received_at = now() - interval '11 minutes'");
  const follows = async (slug: string) =>
    Number((await a.runtime.em.fork().getConnection().execute<{ n: string }[]>("select count(*) as n from follower f join remote_actor r on r.id = f.actor_id where r.ap_id = ?", [b.url(`/@${slug}`).href]))[0]?.n);

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    kit = await a.runtime.actionkits.create("cli", "lyon", { ...cafAccessRequest, published: true });
    for (const [i, slug] of slugs.entries()) {
      await b.runtime.collectives.create({ slug, name: { nl: slug }, primaryLanguage: "nl" });
      partnerIds.set(slug, (await followPartner(b, slug, handleOf(a, "lyon"))).id);
      const read = await b.runtime.actionKitReader.read(kit.apId.href);
      if (!read.ok) throw new Error(read.reason);
      const copy = await b.runtime.actionkits.adopt("cli", slug, read.kit, { published: true });
      copies.set(slug, copy);
      await count(b, copy, i + 1);
    }
    await count(a, kit, 10);
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 4, refused: 0, failed: 0 });
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });
  const copyOf = (slug: string) => copies.get(slug) as ActionKitView;

  it("counts the four copies, then forgets a copy its server says was deleted", async () => {
    expect(await origin()).toMatchObject({ total: 20, otherServers: 10 });
    await b.runtime.actionkits.delete("cli", copyOf("gent").id);
    // The deletion is told within the ten minutes: it can only lower the count.
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    expect(await rows()).not.toContain(copyOf("gent").apId.href);
    expect(await origin()).toMatchObject({ total: 19, otherServers: 9, servers: [{ server: b.origin.host, copies: 3, total: 9 }] });
    // Told once: nothing more to say about it.
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 0, refused: 0, failed: 0 });
  }, 60_000);

  it("stops counting a copy whose collective unfollowed the kit's, even when it reports again", async () => {
    await b.runtime.partners.unfollow("cli", "antwerpen", partnerIds.get("antwerpen") as string);
    await until("a to see antwerpen's Undo", async () => ((await follows("antwerpen")) === 0 ? true : undefined), 30_000);
    expect(await origin()).toMatchObject({ total: 17, otherServers: 7 });
    await count(b, copyOf("antwerpen"), 5);
    await tenMinutesLater();
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    expect(await origin()).toMatchObject({ total: 17, otherServers: 7, servers: [{ server: b.origin.host, copies: 2, total: 7 }] });
  }, 60_000);

  it("stops counting a copy whose collective the kit's collective blocked", async () => {
    const blocked = await a.runtime.blocks.add("cli", { slug: "lyon" }, b.url("/@mons").href);
    expect(blocked.purged.followers).toBe(1);
    expect(await origin()).toMatchObject({ total: 13, otherServers: 3 });
  }, 30_000);

  it("stops counting a copy whose collective sent the Delete of itself", async () => {
    const brugge = b.url("/@brugge");
    await b.runtime.federation
      .createContext(b.origin, undefined)
      .sendActivity({ identifier: "brugge" }, { id: a.url("/@lyon"), inboxId: a.url("/@lyon/inbox") }, new Delete({ id: new URL(`${brugge.href}#delete`), actor: brugge, object: brugge }), {
        immediate: true,
      });
    await until("a to forget brugge", async () => ((await follows("brugge")) === 0 ? true : undefined), 30_000);
    expect(await origin()).toMatchObject({ total: 10, otherServers: 0, servers: [] });
    // The kit's public page on a counts what was counted on a only.
    const page = await (await fetch(a.url(`/kits/${kit.id}/en`))).text();
    expect(/id="kit-count">([^<]*)</.exec(page)?.[1]).toBe("Letters produced across the network: 10");
  }, 60_000);
});
