// Partners' action kits kept here (issue 11): stored from their Articles, changed by newer Updates only,
// removed by their author's Delete or once nobody follows the author, listed per partner and per country. Real PostgreSQL.
import "../../src/temporal.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MikroORM, migrate, openOrm } from "../../src/db/orm.ts";
import { deletePartnerKit, deleteUnfollowedPartnerKits, partnerKitsBy, partnerKitsOfCountry, receivePartnerKit } from "../../src/modules/actionkit/partner-kits.ts";
import { createTestDatabase } from "../support/services.ts";

describe("partners' action kits (storage)", () => {
  let orm: MikroORM;
  let drop: () => Promise<void>;
  const author = "https://b.example/@b";
  const kit = (n: number, over: Record<string, unknown> = {}) => ({
    apId: `https://b.example/kits/${n}`,
    url: `https://b.example/kits/${n}`,
    title: { fr: `Kit ${n}`, en: `Kit ${n}` },
    country: "be",
    institution: { fr: "Parlement" },
    authorApId: author,
    authorName: "Collectif B",
    publishedAt: Temporal.Instant.from(`2026-12-0${n}T10:00:00Z`),
    ...over,
  });

  beforeAll(async () => {
    const db = await createTestDatabase("pkits");
    drop = db.drop;
    orm = await openOrm({ url: db.url }, { poolSize: 2 });
    await migrate(orm);
  });
  afterAll(async () => {
    await orm?.close();
    await drop?.();
  });

  it("stores, updates (newer only), lists per partner and per country, and deletes by its author only", async () => {
    const em = () => orm.em.fork();
    expect(await receivePartnerKit(em(), kit(1))).toBe("stored");
    expect(await receivePartnerKit(em(), kit(2, { country: "fr" }))).toBe("stored");
    const t2 = Temporal.Instant.from("2026-12-03T00:00:00Z");
    expect(await receivePartnerKit(em(), kit(1, { title: { fr: "Nouveau" }, remoteUpdatedAt: t2 }))).toBe("updated");
    expect(await receivePartnerKit(em(), kit(1, { title: { fr: "Ancien" }, remoteUpdatedAt: Temporal.Instant.from("2026-12-02T00:00:00Z") }))).toBe("stale");
    // Another actor cannot take over a kit it did not write.
    expect(await receivePartnerKit(em(), kit(1, { authorApId: "https://c.example/@c" }))).toBe("stale");

    const mine = await partnerKitsBy(em(), [author]);
    expect(mine.map((k) => k.apId)).toEqual(["https://b.example/kits/2", "https://b.example/kits/1"]);
    expect(mine[1]?.title).toEqual({ fr: "Nouveau" });
    expect(await partnerKitsBy(em(), [])).toEqual([]);
    // The country's list shows only kits of authors a collective here follows: none here (see the two-instance test).
    expect(await partnerKitsOfCountry(em(), "be")).toEqual([]);

    expect(await deletePartnerKit(em(), "https://c.example/@c", "https://b.example/kits/1")).toBe(false);
    expect(await deletePartnerKit(em(), author, "https://b.example/kits/1")).toBe(true);
    expect((await partnerKitsBy(em(), [author])).map((k) => k.apId)).toEqual(["https://b.example/kits/2"]);
    // Nobody here follows the author (no partner row): its kits go with the next clean-up.
    expect(await deleteUnfollowedPartnerKits(em())).toBe(1);
    expect(await partnerKitsBy(em(), [author])).toEqual([]);
  });
});
