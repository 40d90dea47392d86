import { describe, expect, it } from "vitest";
import { essentialsDigest, eventDataFromJson, eventDataToJson, type EventEssentials } from "./event-essentials.ts";

const base: EventEssentials = {
  event: "https://a.example/events/1",
  host: "https://a.example/@cdc",
  name: { fr: "Marche", de: "Demo" },
  startTime: "2030-03-08T14:00:00+01:00",
  endTime: null,
  timezone: "Europe/Paris",
  location: { type: "Place", name: "Place Bellecour" },
};

describe("event essentials digest", () => {
  it("is a multibase sha2-256 multihash that ignores key order", () => {
    const d = essentialsDigest(base);
    expect(d).toMatch(/^uEiA[A-Za-z0-9_-]{43}$/);
    expect(essentialsDigest({ ...base, name: { de: "Demo", fr: "Marche" } })).toBe(d);
  });

  it("changes with the time, the place or the name", () => {
    const d = essentialsDigest(base);
    expect(essentialsDigest({ ...base, startTime: "2030-03-08T15:00:00+01:00" })).not.toBe(d);
    expect(essentialsDigest({ ...base, location: { type: "Place", name: "Place des Terreaux" } })).not.toBe(d);
    expect(essentialsDigest({ ...base, name: { fr: "Marche!" } })).not.toBe(d);
    expect(essentialsDigest({ ...base, location: undefined })).toBe(essentialsDigest({ ...base, location: null }));
  });

  it("keeps event data through its stored form", () => {
    const data = { name: { fr: "x" }, startsAt: Temporal.Instant.from("2030-01-01T10:00:00Z"), timezone: "UTC", allDay: false, tags: [], status: "scheduled", links: [], visibility: "public" } as const;
    const back = eventDataFromJson(JSON.parse(JSON.stringify(eventDataToJson(data))));
    expect(back.startsAt.equals(data.startsAt)).toBe(true);
    expect(back.endsAt).toBeUndefined();
    expect(back.name).toEqual({ fr: "x" });
  });
});
