import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

const as2 = { accept: "application/activity+json" };

describe("a collective as an ActivityPub Group", () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "dora" });
    await relais.runtime.collectives.create({
      slug: "amsterdam",
      name: { en: "Social rights Amsterdam", nl: "Sociale rechten Amsterdam" },
      summary: { nl: "Tegen <algoritmes> & controle" },
      primaryLanguage: "nl",
      manuallyApprovesFollowers: true,
    });
  });
  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  it("answers WebFinger for acct:<slug>@<host:port>", async () => {
    const res = await peer.resolveWebFinger(`amsterdam@${relais.origin.host}`, relais.origin);
    expect(res.ok).toBe(true);
    if (res.ok) expect(String(res.self)).toBe(relais.url("/@amsterdam").href);
    const unknown = await fetch(relais.url(`/.well-known/webfinger?resource=acct:nobody@${relais.origin.host}`));
    expect(unknown.status).toBe(404);
  });

  it("publishes the Group with multilingual names, both keys, inboxes and collections", async () => {
    const doc = await (await fetch(relais.url("/@amsterdam"), { headers: as2 })).json();
    expect(doc.type).toBe("Group");
    expect(doc.id).toBe(relais.url("/@amsterdam").href);
    expect(doc.preferredUsername).toBe("amsterdam");
    expect(doc.name).toBe("Sociale rechten Amsterdam");
    expect(Object.keys(doc.nameMap)).toEqual(["nl", "en"]);
    expect(doc.summaryMap.nl).toBe("<p>Tegen &lt;algoritmes&gt; &amp; controle</p>");
    expect(doc.manuallyApprovesFollowers).toBe(true);
    expect(doc.inbox).toBe(relais.url("/@amsterdam/inbox").href);
    expect(doc.endpoints.sharedInbox).toBe(relais.url("/inbox").href);
    expect(doc.publicKey.owner).toBe(doc.id);
    expect(doc.publicKey.publicKeyPem).toMatch(/BEGIN PUBLIC KEY/);
    const multikeys = doc.assertionMethod.map((k: { publicKeyMultibase: string }) => k.publicKeyMultibase);
    expect(multikeys.some((k: string) => k.startsWith("z6Mk"))).toBe(true); // Ed25519
    expect(doc.outbox).toBe(relais.url("/@amsterdam/outbox").href);
  });

  it("shows how many follow, never who", async () => {
    await relais.runtime.collectives.create({ slug: "open", name: { en: "Open" }, primaryLanguage: "en" });
    await peer.follow(relais.url("/@open"));
    await peer.waitFor((d) => d.activity?.type === "Accept", { timeoutMs: 20_000 });
    const followers = await (await fetch(relais.url("/@open/followers"), { headers: as2 })).json();
    expect(followers.totalItems).toBe(1);
    expect(JSON.stringify(followers)).not.toContain(peer.actorId.href);
    const first = followers.first ? await (await fetch(followers.first, { headers: as2 })).json() : followers;
    expect(JSON.stringify(first)).not.toContain(peer.actorId.href);
  });

  it("serves the HTML page at the same URL to browsers", async () => {
    const res = await fetch(relais.url("/@amsterdam"), { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const text = await res.text();
    expect(text).toContain("Sociale rechten Amsterdam");
    expect(text).toContain(`@amsterdam@${relais.origin.host}`);
  });

  it("publishes NodeInfo 2.1, an instance actor, health and readiness", async () => {
    const links = await (await fetch(relais.url("/.well-known/nodeinfo"))).json();
    const href = links.links.find((l: { rel: string }) => l.rel.endsWith("/2.1")).href;
    const info = await (await fetch(href)).json();
    expect(info.software.name).toBe("relais");
    expect(info.protocols).toEqual(["activitypub"]);
    const instance = await (await fetch(relais.url("/@relais.instance"), { headers: as2 })).json();
    expect(instance.type).toBe("Application");
    expect(instance.publicKey.publicKeyPem).toMatch(/BEGIN PUBLIC KEY/);
    expect((await fetch(relais.url("/healthz"))).status).toBe(200);
    const ready = await fetch(relais.url("/readyz"));
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks.database).toBe("ok");
  });
});
