import { describe, expect, it } from "vitest";
import { profileFor } from "../server-profiles.ts";
import { planDelivery } from "./delivery-plan.ts";

const r = (name: string) => ({ apId: new URL(`https://${name}.example/actor`), inboxUrl: new URL(`https://${name}.example/inbox`) });
const software: Record<string, string> = { "gancio.example": "gancio", "hollo.example": "hollo", "relay.example": "gancio" };
const profileOf = (x: { apId: URL }) => profileFor(software[x.apId.hostname]);
const summary = (plan: ReturnType<typeof planDelivery>) =>
  plan.map((g) => [g.sender, g.profile.form, g.profile.changeNotes, g.recipients.map((x) => x.apId.hostname)]);

describe("planDelivery", () => {
  it("sends a public event once to each follower, by the instance actor to its followers", () => {
    const plan = planDelivery("public", [r("mastodon"), r("gancio"), r("hollo")], [r("gancio"), r("relay")], profileOf);
    expect(summary(plan)).toEqual([
      ["collective", "event", true, ["mastodon.example"]],
      ["collective", "note", true, ["hollo.example"]],
      ["instance", "event", false, ["gancio.example", "relay.example"]],
    ]);
  });

  it("keeps unlisted events to the collective's followers, and leaves out empty groups", () => {
    expect(summary(planDelivery("unlisted", [r("mastodon")], [r("relay")], profileOf))).toEqual([["collective", "event", true, ["mastodon.example"]]]);
    expect(planDelivery("public", [], [], profileOf)).toEqual([]);
  });

  it("sends nothing, from the instance actor either, to what the event's collective blocks", () => {
    const plan = planDelivery("public", [r("mastodon")], [r("gancio"), r("relay")], profileOf, (x) => x.apId.hostname === "relay.example");
    expect(summary(plan)).toEqual([
      ["collective", "event", true, ["mastodon.example"]],
      ["instance", "event", false, ["gancio.example"]],
    ]);
  });
});
