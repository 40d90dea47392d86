import { describe, expect, it } from "vitest";
import { storableRemoteActor } from "./remote-actor.rules.ts";

const base = {
  apId: new URL("https://social.example/users/ana"),
  type: "Person",
  inboxUrl: new URL("https://social.example/users/ana/inbox"),
};

describe("what is kept of a remote actor", () => {
  it("keeps a well-formed actor as it is", () => {
    const info = { ...base, handle: "ana@social.example", name: "Ana", sharedInboxUrl: new URL("https://social.example/inbox"), url: new URL("https://social.example/@ana") };
    expect(storableRemoteActor(info)).toEqual(info);
  });

  it("drops a handle that is not an acct user part on the actor's own host", () => {
    for (const handle of ["\u001b]0;pwned\u0007@social.example", "ana\r@social.example", "a b@social.example", "ana@elsewhere.example"]) {
      expect(storableRemoteActor({ ...base, handle })?.handle).toBeUndefined();
    }
  });

  it("cleans the name and drops URLs that are not http(s)", () => {
    const kept = storableRemoteActor({ ...base, name: "A\u0000na\u001b[31m", url: new URL("javascript:alert(1)"), sharedInboxUrl: new URL("ftp://x.example/") });
    expect(kept).toMatchObject({ name: "A na [31m", url: undefined, sharedInboxUrl: undefined });
  });

  it("refuses an actor that cannot be delivered to", () => {
    expect(storableRemoteActor({ ...base, inboxUrl: new URL("mailto:ana@social.example") })).toBeUndefined();
    expect(storableRemoteActor({ ...base, inboxUrl: new URL(`https://social.example/${"x".repeat(3000)}`) })).toBeUndefined();
  });
});
