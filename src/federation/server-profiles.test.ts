import { describe, expect, it } from "vitest";
import { profileFor } from "./server-profiles.ts";

describe("profileFor", () => {
  it("gives a Note to servers that do not show an Event, and the Event to the others", () => {
    for (const software of ["hollo", "misskey", "sharkey", "gotosocial", "pixelfed", "Hollo"]) expect(profileFor(software).form).toBe("note");
    for (const software of ["mastodon", "gancio", "pleroma", "akkoma", "friendica", "lemmy", "mobilizon", null, undefined, "unheard-of"]) {
      expect(profileFor(software).form).toBe("event");
    }
  });

  it("spares Gancio the change notes, the Reject, the Articles and the boosts it cannot handle", () => {
    expect(profileFor("gancio")).toEqual({ form: "event", changeNotes: false, understandsReject: false, articles: false });
    expect(profileFor("mastodon")).toEqual({ form: "event", changeNotes: true, understandsReject: true, articles: true });
    expect(profileFor("hollo").articles).toBe(true);
  });
});
