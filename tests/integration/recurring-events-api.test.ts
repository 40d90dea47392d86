import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { jsonApi, lyonAndGent } from "../support/json-api.ts";

// Recurring events over the JSON API (real HTTP, real PostgreSQL): a weekly help desk with a cancelled,
// a moved and a relocated occurrence, a series changed from a date on and ended.
describe("recurring events JSON API", () => {
  let relais: RelaisInstance;
  let token: string;
  let otherToken: string;

  const api = jsonApi(() => relais, () => token);

  beforeAll(async () => {
    relais = await startRelaisInstance();
    ({ token, otherToken } = await lyonAndGent(relais.runtime));
  });
  afterAll(async () => {
    await relais?.close();
  });

  const helpDesk = {
    name: { fr: "Permanence CAF" },
    startsAt: "2030-03-19T14:00",
    endsAt: "2030-03-19T17:00",
    timezone: "Europe/Paris",
    location: { name: "Centre social", locality: "Lyon", country: "FR" },
    recurrence: "FREQ=WEEKLY;BYDAY=TU;UNTIL=20300430",
    published: true,
  };

  it("creates a weekly series and lists its occurrences at 14:00 Paris time across the change to summer time", async () => {
    const res = await api("/api/v1/collectives/lyon/events", { method: "POST", json: helpDesk });
    expect(res.status).toBe(201);
    const e = await res.json();
    expect(e.recurrence).toEqual({ frequency: "weekly", interval: 1, weekdays: ["TU"], until: "2030-04-30" });
    const list = await (await api(`/api/v1/events/${e.id}/occurrences?from=2030-03-01`)).json();
    expect(list.items.map((o: { startsAt: string }) => o.startsAt)).toEqual([
      "2030-03-19T14:00:00+01:00",
      "2030-03-26T14:00:00+01:00",
      "2030-04-02T14:00:00+02:00",
      "2030-04-09T14:00:00+02:00",
      "2030-04-16T14:00:00+02:00",
      "2030-04-23T14:00:00+02:00",
      "2030-04-30T14:00:00+02:00",
    ]);
    expect(list.items[0].url).toBe(`${e.url}/occurrences/2030-03-19`);
  });

  it("answers 422 with a message per field for a rule it cannot follow", async () => {
    const res = await api("/api/v1/collectives/lyon/events", {
      method: "POST",
      json: { ...helpDesk, startsAt: "2030-03-18T14:00", endsAt: "2030-03-18T17:00", recurrence: { frequency: "weekly", weekdays: ["TU"], count: 0, every: 2 } },
    });
    expect(res.status).toBe(422);
    const details = (await res.json()).details as { field: string; message: string }[];
    expect(details.map((d) => d.field).sort()).toEqual(["recurrence.count", "recurrence.every"]);
    const start = await api("/api/v1/collectives/lyon/events", { method: "POST", json: { ...helpDesk, startsAt: "2030-03-18T14:00", endsAt: "2030-03-18T17:00" } });
    expect(start.status).toBe(422);
    expect((await start.json()).details).toEqual([
      { field: "startsAt", message: "the first occurrence (Monday, March 18, 2030) is not on one of the rule's days (TU); start on one of them or add MO" },
    ]);
    const daily = await api("/api/v1/collectives/lyon/events", { method: "POST", json: { ...helpDesk, recurrence: "FREQ=DAILY" } });
    expect((await daily.json()).details).toEqual([{ field: "recurrence", message: "FREQ=DAILY is not supported: use FREQ=WEEKLY or FREQ=MONTHLY" }]);
  });

  it("cancels, moves and relocates single occurrences, and gives one back", async () => {
    const e = await (await api("/api/v1/collectives/lyon/events", { method: "POST", json: helpDesk })).json();
    const cancel = await api(`/api/v1/events/${e.id}/occurrences/2030-04-02/cancel`, { method: "POST", json: { reason: { fr: "Vacances" } } });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toMatchObject({ date: "2030-04-02", cancelled: true, reason: { fr: "Vacances" } });
    const moved = await (await api(`/api/v1/events/${e.id}/occurrences/2030-04-09`, { method: "PATCH", json: { startsAt: "2030-04-10T10:00", endsAt: "2030-04-10T12:00" } })).json();
    expect(moved).toMatchObject({ date: "2030-04-09", moved: true, startsAt: "2030-04-10T10:00:00+02:00", originalStartsAt: "2030-04-09T14:00:00+02:00" });
    const elsewhere = await (await api(`/api/v1/events/${e.id}/occurrences/2030-04-16`, { method: "PATCH", json: { location: { name: "Bourse du travail", locality: "Lyon" } } })).json();
    expect(elsewhere).toMatchObject({ moved: false, location: { name: "Bourse du travail" } });

    const wrongDay = await api(`/api/v1/events/${e.id}/occurrences/2030-04-03`, { method: "PATCH", json: { cancelled: true } });
    expect(wrongDay.status).toBe(404);
    expect((await wrongDay.json()).message).toBe(`the event ${e.id} has no occurrence on 2030-04-03; its next dates are 2030-04-09, 2030-04-16, 2030-04-23`);
    const badField = await api(`/api/v1/events/${e.id}/occurrences/2030-04-23`, { method: "PATCH", json: { name: { fr: "x" } } });
    expect(badField.status).toBe(422);
    const badEnd = await api(`/api/v1/events/${e.id}/occurrences/2030-04-23`, { method: "PATCH", json: { startsAt: "2030-04-23T15:00", endsAt: "2030-04-23T14:00" } });
    expect((await badEnd.json()).details).toEqual([{ field: "endsAt", message: "must be after startsAt; check the date, the time and the offset" }]);
    expect((await api(`/api/v1/events/${e.id}/occurrences/2030-04-23/cancel`, { method: "POST", json: {}, token: otherToken })).status).toBe(403);

    const list = (await (await api(`/api/v1/events/${e.id}/occurrences?from=2030-04-01&to=2030-04-20`)).json()).items;
    expect(list.map((o: { date: string; cancelled: boolean; moved: boolean }) => [o.date, o.cancelled, o.moved])).toEqual([
      ["2030-04-02", true, false],
      ["2030-04-09", false, true],
      ["2030-04-16", false, false],
    ]);
    const restored = await (await api(`/api/v1/events/${e.id}/occurrences/2030-04-02`, { method: "DELETE" })).json();
    expect(restored).toMatchObject({ cancelled: false, reason: null });
  });

  it("changes the series from a date on (a new event continues it) and ends a series", async () => {
    const e = await (await api("/api/v1/collectives/lyon/events", { method: "POST", json: helpDesk })).json();
    await api(`/api/v1/events/${e.id}/occurrences/2030-04-23/cancel`, { method: "POST", json: {} });
    const split = await api(`/api/v1/events/${e.id}/series/split`, { method: "POST", json: { from: "2030-04-09", startsAt: "2030-04-09T15:00", endsAt: "2030-04-09T18:00" } });
    expect(split.status).toBe(201);
    const next = await split.json();
    expect(next.startsAt).toBe("2030-04-09T15:00:00+02:00");
    expect(next.recurrence.until).toBe("2030-04-30");
    const old = await (await api(`/api/v1/events/${e.id}`)).json();
    expect(old.recurrence.until).toBe("2030-04-08");
    // Each names the other: the old one is continued by the new one, which continues it.
    expect(old).toMatchObject({ previousSeries: null, nextSeries: next.id });
    expect(next).toMatchObject({ previousSeries: e.id, nextSeries: null });
    const listed = (await (await api("/api/v1/collectives/lyon/events?from=2030-01-01T00:00:00Z&limit=100")).json()).items.find((i: { id: string }) => i.id === e.id);
    expect(listed.nextSeries).toBe(next.id);
    const newDates = (await (await api(`/api/v1/events/${next.id}/occurrences?from=2030-01-01`)).json()).items;
    expect(newDates.map((o: { date: string; cancelled: boolean }) => [o.date, o.cancelled])).toEqual([
      ["2030-04-09", false],
      ["2030-04-16", false],
      ["2030-04-23", true],
      ["2030-04-30", false],
    ]);
    const first = (await api(`/api/v1/events/${e.id}/series/split`, { method: "POST", json: { from: "2030-03-19" } })).status;
    expect(first).toBe(422);

    const ended = await (await api(`/api/v1/events/${next.id}/series/end`, { method: "POST", json: { after: "2030-04-20" } })).json();
    expect(ended.recurrence.until).toBe("2030-04-20");
    const left = (await (await api(`/api/v1/events/${next.id}/occurrences?from=2030-01-01`)).json()).items;
    expect(left.map((o: { date: string }) => o.date)).toEqual(["2030-04-09", "2030-04-16"]);
    expect((await api(`/api/v1/events/${next.id}/series/end`, { method: "POST", json: { after: "2030-01-01" } })).status).toBe(422);
    // The continuation deleted: the old series no longer links to it.
    expect((await api(`/api/v1/events/${next.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await (await api(`/api/v1/events/${e.id}`)).json()).nextSeries).toBeNull();
  });

  it("lists a series while it is not over, and describes the routes in OpenAPI", async () => {
    const e = await (await api("/api/v1/collectives/lyon/events", { method: "POST", json: { ...helpDesk, name: { fr: "Série longue" } } })).json();
    const page = await (await api("/api/v1/collectives/lyon/events?from=2030-04-20T00:00:00Z&limit=100")).json();
    expect(page.items.map((i: { id: string }) => i.id)).toContain(e.id);
    const after = await (await api("/api/v1/collectives/lyon/events?from=2030-05-02T00:00:00Z&limit=100")).json();
    expect(after.items.map((i: { id: string }) => i.id)).not.toContain(e.id);
    const doc = await (await fetch(relais.url("/api/v1/openapi.json"))).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/events/{id}/occurrences", "/api/v1/events/{id}/occurrences/{date}/cancel", "/api/v1/events/{id}/series/split", "/api/v1/events/{id}/series/end"]));
    expect(doc.components.schemas).toHaveProperty("Recurrence");
  });
});
