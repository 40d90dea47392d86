import { describe, expect, it } from "vitest";
import type { CoorganizerView } from "../../modules/coorganise/coorganise.types.ts";
import { activityWithOrganizers } from "./coorganise.mapper.ts";

const host = { id: new URL("https://a.example/@cdc") };
const collection = new URL("https://a.example/events/e1/coorganizers");
const activity = {
  "@context": ["https://www.w3.org/ns/activitystreams", { toot: "http://joinmastodon.org/ns#" }],
  id: "https://a.example/events/e1#update-2",
  type: "Update",
  actor: host.id.href,
  object: { id: "https://a.example/events/e1", type: "Event", attributedTo: host.id.href, name: "Marche" },
};
const koeln = (state: "current" | "pending"): CoorganizerView => ({
  id: "c1",
  eventId: "e1",
  partner: { apId: "https://b.example/@koeln", name: "AG Köln" },
  stampId: "https://b.example/stamps/s1",
  digest: "uEiA",
  state,
  stamp: {},
  verifiedAt: Temporal.Instant.from("2030-01-01T00:00:00Z"),
  revokedAt: null,
});

describe("the host's Create/Update of a co-organised event", () => {
  it("is left as it is without co-organisers", () => {
    expect(activityWithOrganizers(activity, host, [], collection)).toBe(activity);
  });

  it("names the host and every listed co-organiser (pending ones too) on the object, with the FEP-8a8e term in the activity's context", () => {
    const out = activityWithOrganizers(activity, host, [koeln("pending")], collection);
    const object = out.object as Record<string, unknown>;
    expect(object.organizers).toEqual({
      type: "OrganizersCollection",
      totalItems: 2,
      items: [
        { type: "Group", id: host.id.href },
        { type: "Group", id: "https://b.example/@koeln", name: "AG Köln" },
      ],
    });
    expect(object.coorganizers).toBe(collection.href);
    expect(object["@context"]).toBeUndefined();
    expect(object.attributedTo).toBe(host.id.href);
    expect(JSON.stringify(out["@context"])).toContain("https://w3id.org/fep/8a8e/organizers");
    expect(JSON.stringify(out["@context"])).toContain("joinmastodon.org");
    expect(out.id).toBe(activity.id);
  });
});
