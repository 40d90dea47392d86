import { describe, expect, it } from "vitest";
import { planSenders } from "./delivery-plan.ts";

const r = (name: string) => ({ apId: new URL(`https://${name}.example/actor`), inboxUrl: new URL(`https://${name}.example/inbox`) });

describe("planSenders", () => {
  it("sends a public event once to each follower, by the instance actor to its followers", () => {
    const plan = planSenders("public", [r("mastodon"), r("gancio")], [r("gancio"), r("relay")]);
    expect(plan.map((g) => [g.sender, g.recipients.map((x) => x.apId.hostname)])).toEqual([
      ["collective", ["mastodon.example"]],
      ["instance", ["gancio.example", "relay.example"]],
    ]);
  });

  it("keeps unlisted events to the collective's followers, and leaves out empty groups", () => {
    expect(planSenders("unlisted", [r("mastodon")], [r("relay")])).toEqual([{ sender: "collective", recipients: [r("mastodon")] }]);
    expect(planSenders("public", [], [])).toEqual([]);
  });
});
