import { describe, expect, it } from "vitest";
import type { Recipient } from "../remote-actor/remote-actor.types.ts";
import { planForwards } from "./forward-plan.ts";

const r = (actor: string, shared?: string): Recipient => ({
  apId: new URL(actor),
  inboxUrl: new URL(`${actor}/inbox`),
  ...(shared ? { sharedInboxUrl: new URL(shared) } : {}),
});

describe("planForwards", () => {
  it("forwards to each delivery inbox once, from the first relaying collective that has a follower there", () => {
    const plan = planForwards(
      [
        { slug: "a", recipients: [r("https://m.example/users/x", "https://m.example/inbox"), r("https://solo.example/u/y")] },
        { slug: "b", recipients: [r("https://m.example/users/z", "https://m.example/inbox"), r("https://other.example/u/w")] },
      ],
      "https://origin.example",
    );
    expect(plan.map((g) => [g.slug, g.recipients.map((x) => x.apId.href)])).toEqual([
      ["a", ["https://m.example/users/x", "https://solo.example/u/y"]],
      ["b", ["https://other.example/u/w"]],
    ]);
  });

  it("never forwards to the event's own origin, and leaves out collectives with nobody left", () => {
    const plan = planForwards([{ slug: "a", recipients: [r("https://origin.example/@koeln", "https://origin.example/inbox")] }], "https://origin.example");
    expect(plan).toEqual([]);
  });
});
