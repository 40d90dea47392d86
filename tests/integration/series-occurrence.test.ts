import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";

// One occurrence of a series read by its date (EventSeriesService.occurrence, what the editor's page of
// an occurrence shows), on real PostgreSQL: its exception applied, drafts for editors only, and a date
// the rule does not give answered with the next dates; a date that does not exist refused with a 4xx.
describe("one occurrence of a series", () => {
  let relais: RelaisInstance;
  let ana: Principal;

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon" }, primaryLanguage: "fr" });
    ana = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
  });
  afterAll(async () => {
    await relais?.close();
  });

  const helpDesk = (published: boolean) => ({
    name: { fr: "Permanence CAF" },
    startsAt: "2030-03-19T14:00",
    endsAt: "2030-03-19T17:00",
    timezone: "Europe/Paris",
    location: { name: "Centre social", locality: "Lyon" },
    recurrence: { frequency: "weekly", weekdays: ["TU"], until: "2030-04-30" },
    published,
  });

  it("gives the occurrence of a date with its exception, and the next dates for a date that has none", async () => {
    const { event } = await relais.runtime.events.create(ana, "lyon", helpDesk(true));
    await relais.runtime.series.changeOccurrence(ana, event.id, "2030-04-02", { startsAt: "2030-04-03T10:00", endsAt: "2030-04-03T12:00" });
    const moved = await relais.runtime.series.occurrence(null, event.id, "2030-04-02");
    expect(moved.occurrence.moved).toBe(true);
    expect(moved.occurrence.startsAt.toString()).toBe("2030-04-03T08:00:00Z");
    expect(moved.occurrence.originalStart.toString()).toBe("2030-04-02T12:00:00Z");
    expect(moved.event.id).toBe(event.id);
    const plain = await relais.runtime.series.occurrence(null, event.id, "2030-03-26");
    expect(plain.occurrence).toMatchObject({ date: "2030-03-26", moved: false, cancelled: false, exception: undefined });
    await expect(relais.runtime.series.occurrence(ana, event.id, "2030-03-27")).rejects.toThrow("has no occurrence on 2030-03-27; its next dates are 2030-04-02, 2030-04-09, 2030-04-16");
    // A date that does not exist is refused as one that has no occurrence (4xx), not an exception (500).
    await expect(relais.runtime.series.occurrence(ana, event.id, "2030-02-30")).rejects.toMatchObject({ status: 404 });
    await expect(relais.runtime.series.changeOccurrence(ana, event.id, "2030-02-30", { cancelled: true })).rejects.toMatchObject({ status: 404 });
    await expect(relais.runtime.series.end(ana, event.id, { after: "2030-13-40" })).rejects.toMatchObject({ status: 422, details: [{ field: "after" }] });
    await expect(relais.runtime.series.split(ana, event.id, { from: "2030-04-31" })).rejects.toMatchObject({ status: 422, details: [{ field: "from" }] });
    expect((await relais.runtime.series.occurrence(ana, event.id, "2030-03-26")).event.recurrence?.until).toBe("2030-04-30");
  });

  it("shows a draft's occurrence to its editors only", async () => {
    const { event } = await relais.runtime.events.create(ana, "lyon", helpDesk(false));
    expect((await relais.runtime.series.occurrence(ana, event.id, "2030-03-19")).published).toBe(false);
    await expect(relais.runtime.series.occurrence(null, event.id, "2030-03-19")).rejects.toMatchObject({ status: 404 });
  });
});
