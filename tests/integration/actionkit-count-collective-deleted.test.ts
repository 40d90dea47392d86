// A copy removed with its collective is still told to its origin (issue 11, ADR 0035). Relais has no
// command to delete a collective: an operator deletes its row, and its kits go with it (cascade), so
// the copy is never marked deleted. Two real instances over real HTTP with real signatures: two
// collectives on b adopt a kit of a's, use it and report; one collective is deleted on b (its follow of
// a's collective stays, no Delete is sent), and b's next round tells a that copy is gone, once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionKitView } from "../../src/modules/actionkit/actionkit.types.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("counts of a copy whose collective was deleted on its server", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let kit: ActionKitView;
  const copies = new Map<string, ActionKitView>();
  const count = async (at: RelaisInstance, k: ActionKitView, times: number) => {
    for (let i = 0; i < times; i++) expect((await fetch(at.url(`/kits/${k.id}/fr/count`), { method: "POST" })).status).toBe(204);
  };
  const origin = () => a.runtime.actionkits.countDetail(kit);
  const sql = <T>(at: RelaisInstance, query: string, params: unknown[] = []) => at.runtime.em.fork().getConnection().execute<T[]>(query, params);
  const remoteCopies = async () => (await sql<{ copy_ap_id: string }>(a, "select copy_ap_id from action_kit_remote_count order by copy_ap_id")).map((r) => r.copy_ap_id);

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    kit = await a.runtime.actionkits.create("cli", "lyon", { ...cafAccessRequest, published: true });
    for (const [slug, letters] of [["gent", 3], ["antwerpen", 2]] as const) {
      await b.runtime.collectives.create({ slug, name: { nl: slug }, primaryLanguage: "nl" });
      await followPartner(b, slug, handleOf(a, "lyon"));
      const read = await b.runtime.actionKitReader.read(kit.apId.href);
      if (!read.ok) throw new Error(read.reason);
      const copy = await b.runtime.actionkits.adopt("cli", slug, read.kit, { published: true });
      copies.set(slug, copy);
      await count(b, copy, letters);
    }
    await count(a, kit, 10);
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 2, refused: 0, failed: 0 });
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("tells the origin once that the copy is gone, and the origin stops counting it", async () => {
    const gent = copies.get("gent") as ActionKitView;
    expect(await origin()).toMatchObject({ total: 15, otherServers: 5 });
    await sql(b, `delete from "collective" where "slug" = 'gent'`);
    expect(await sql(b, `select 1 from "action_kit" where "id" = ?`, [gent.id])).toHaveLength(0);
    // gent still follows lyon on a: only b's notice can drop its letters.
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    expect(await remoteCopies()).toEqual([(copies.get("antwerpen") as ActionKitView).apId.href]);
    expect(await origin()).toMatchObject({ total: 12, otherServers: 2, servers: [{ server: b.origin.host, copies: 1, total: 2 }] });
    // Told once: nothing left to say, and nothing left behind on b.
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 0, refused: 0, failed: 0 });
    expect(await sql(b, `select 1 from "action_kit_count_sent" where "copy_kit_id" = ?`, [gent.id])).toHaveLength(0);
  }, 60_000);
});
