// A rough guard against overstated counts from adopters (issue 11, ADR 0036): the origin keeps at most
// 500 more letters per copy per hour since its last report (one hour's worth at the first), says what it
// kept (200 {counts}), and the copy's server reports the rest in later rounds. Two real instances over
// real HTTP with real signatures; b's count is set in its database to what a server overstating it
// would claim (its counter's own rate limit keeps real counts far lower).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionKitView } from "../../src/modules/actionkit/actionkit.types.ts";
import { cafAccessRequest } from "../support/action-kits.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

describe("the origin's cap on a copy's reported increase", () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let kit: ActionKitView;
  let copy: ActionKitView;
  const setCount = (language: string, n: number) =>
    b.runtime.em
      .fork()
      .getConnection()
      .execute(`insert into action_kit_count (kit_id, language, count) values (?, ?, ?) on conflict (kit_id, language) do update set count = excluded.count`, [copy.id, language, n]);
  const hoursLater = (h: number) => a.runtime.em.fork().getConnection().execute(`update action_kit_remote_count set received_at = received_at - interval '${h} hours'`);
  const kept = async () => (await a.runtime.actionkits.counts(kit)).byLanguage;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRelaisInstance({ host: "127.0.0.1" }), startRelaisInstance({ host: "127.0.0.2" })]);
    await a.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    kit = await a.runtime.actionkits.create("cli", "lyon", { ...cafAccessRequest, published: true });
    await followPartner(b, "gent", handleOf(a, "lyon"));
    const read = await b.runtime.actionKitReader.read(kit.apId.href);
    if (!read.ok) throw new Error(read.reason);
    copy = await b.runtime.actionkits.adopt("cli", "gent", read.kit, { published: true });
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("keeps one hour's worth of a first report, then at most 500 more per hour, until the copy's count is reached", async () => {
    await setCount("fr", 1_200);
    await setCount("en", 100);
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    // en first (alphabetical): 100, then fr: 400.
    expect(await kept()).toEqual({ en: 100, fr: 400 });
    // b remembers what a kept, so it reports again in its next round (a answers 429 within ten minutes).
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 0, refused: 0, failed: 1 });
    await hoursLater(1);
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    expect(await kept()).toEqual({ en: 100, fr: 900 });
    await hoursLater(2);
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    expect(await kept()).toEqual({ en: 100, fr: 1_200 });
    // All told: nothing more to report.
    await hoursLater(1);
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 0, refused: 0, failed: 0 });
  }, 60_000);

  it("keeps a decrease as reported", async () => {
    await setCount("fr", 50);
    await hoursLater(1);
    expect(await b.runtime.kitCountExchange.reportRound()).toEqual({ reported: 1, refused: 0, failed: 0 });
    expect(await kept()).toEqual({ en: 100, fr: 50 });
  }, 60_000);
});
