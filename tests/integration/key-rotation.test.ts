// `relais keys rotate` (ADR 0030) against a Mastodon-shaped follower that keeps the keys it fetched,
// as Mastodon does: real HTTP on loopback, real draft-cavage signatures checked by the peer's own code.
// The follower gets the Update signed with the new key, fetches the actor again once, and verifies
// every later delivery with the key it now holds; deliveries queued before the rotation (one waiting
// for a retry, one in flight) arrive signed with the new key too, and no old private key is left. The
// instance actor rotates the same way, and partners the collective follows get the Update too.
import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type JsonObject, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { followPartner } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

describe("relais keys rotate", () => {
  let relais: RelaisInstance;
  let mastodon: MastodonPeer;
  let editor: Awaited<ReturnType<typeof createEditor>>["principal"];

  beforeAll(async () => {
    relais = await startRelaisInstance();
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "lyon", "ed@example.org")).principal;
    mastodon = await startMastodonPeer({ host: "127.0.0.27", username: "mara", cacheKeys: true });
  });
  afterAll(async () => {
    await relais?.close();
    await mastodon?.close();
  });

  const sql = <T>(query: string, params: unknown[] = []) => relais.runtime.orm.em.getConnection().execute<T[]>(query, params);
  const publish = async (name: string) =>
    (await relais.runtime.events.create(editor, "lyon", { name: { fr: name }, startsAt: "2030-04-01T18:00", timezone: "Europe/Paris", onlineUrl: "https://meet.example/lyon", published: true })).event;
  const createOf = (eventId: string, status: number) => (d: { activity: JsonObject | null; status: number }) =>
    d.activity?.type === "Create" && (d.activity.object as JsonObject | undefined)?.id === eventId && d.status === status;
  const publishedPem = async () => {
    const res = await fetch(relais.url("/@lyon"), { headers: { accept: "application/activity+json" } });
    return ((await res.json()) as { publicKey: { id: string; publicKeyPem: string } }).publicKey;
  };
  const samePem = (a: string, b: string) => createPublicKey(a).export({ format: "der", type: "spki" }).equals(createPublicKey(b).export({ format: "der", type: "spki" }));

  it("refuses an unknown collective, naming it", async () => {
    await expect(relais.runtime.keyRotation.rotate({ slug: "nowhere" })).rejects.toThrow('the collective "nowhere" does not exist');
  });

  it("announces new keys with an Update the follower verifies after one refetch, and signs everything after with them", async () => {
    const { activityId } = await mastodon.follow(relais.url("/@lyon"));
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && (d.activity.object as JsonObject | undefined)?.id === activityId.href);
    const oldKey = await publishedPem();
    const oldPrivate = (await sql<{ private_jwk: { d: string } }>(`select private_jwk from actor_key where owner like 'collective:%'`)).map((r) => r.private_jwk.d);
    expect(oldPrivate).toHaveLength(2);

    // A delivery that waits for its retry when the keys change: answered 500 once.
    mastodon.respondToDeliveriesWith(500);
    const waiting = await publish("Avant la rotation");
    await mastodon.waitFor(createOf(waiting.apId.href, 500));
    // A delivery in flight while the keys change: its answer (500 again) comes after the rotation.
    mastodon.answerDeliveriesAfter(3000);
    const inFlight = await publish("Pendant la rotation");
    await mastodon.waitFor(createOf(inFlight.apId.href, 500));
    const fetchesBefore = mastodon.keyFetches.length;

    const rotated = await relais.runtime.keyRotation.rotate({ slug: "lyon" });
    expect(rotated.retired).toBe(2);
    expect(rotated.requeued).toBeGreaterThanOrEqual(1);
    const newKey = await publishedPem();
    expect(newKey.id).toBe(oldKey.id); // same key id (#main-key), another key
    expect(samePem(newKey.publicKeyPem, oldKey.publicKeyPem)).toBe(false);

    await until("the in-flight delivery to be answered", async () => mastodon.answering() === 0);
    mastodon.answerDeliveriesAfter(0);
    mastodon.respondToDeliveriesWith(null);
    // (It may come while the peer still answers 500: then it is retried, like the two Creates.)
    const update = await mastodon.waitFor((d) => d.activity?.type === "Update");
    expect(update.signatureValid).toBe(true);
    expect(update.keyId).toBe(newKey.id);
    const updated = update.activity?.object as { id: string; publicKey: { publicKeyPem: string } };
    expect(updated.id).toBe(relais.url("/@lyon").href);
    expect(samePem(updated.publicKey.publicKeyPem, newKey.publicKeyPem)).toBe(true);
    // The cached old key failed the Update's signature: fetched once more, and that was enough.
    expect(mastodon.keyFetches.length).toBe(fetchesBefore + 1);

    // The two deliveries made before the rotation: their retries are due now (no minute's wait).
    await until("both retries to arrive with the new key", async () => {
      await sql(`update federation_queue set available_at = now() where lease_until is null`);
      const ok = (id: string) => mastodon.received.some((d) => createOf(id, 202)(d) && d.signatureValid);
      return ok(waiting.apId.href) && ok(inFlight.apId.href);
    }, 30_000);
    const after = await publish("Après la rotation");
    const delivered = await mastodon.waitFor(createOf(after.apId.href, 202));
    expect(delivered.signatureValid).toBe(true);
    expect(mastodon.received.filter((d) => d.status === 401)).toEqual([]);
    expect(mastodon.keyFetches.length).toBe(fetchesBefore + 1);

    // The old private keys are gone everywhere, their public halves retired; two new pairs in use.
    const retired = await sql<{ algorithm: string; public_jwk: JsonWebKey }>(`select algorithm, public_jwk from retired_actor_key order by algorithm`);
    expect(retired.map((r) => r.algorithm)).toEqual(["Ed25519", "RSASSA-PKCS1-v1_5"]);
    const rsaRetired = retired.find((r) => r.algorithm === "RSASSA-PKCS1-v1_5")!.public_jwk;
    expect(samePem(createPublicKey({ key: rsaRetired as import("node:crypto").JsonWebKey, format: "jwk" }).export({ type: "spki", format: "pem" }) as string, oldKey.publicKeyPem)).toBe(true);
    const queued = await sql<{ payload: string }>(`select payload from federation_queue`);
    const stored = await sql<{ private_jwk: { d: string } }>(`select private_jwk from actor_key where owner like 'collective:%'`);
    for (const d of oldPrivate) {
      expect(queued.some((q) => q.payload.includes(d))).toBe(false);
      expect(stored.some((s) => s.private_jwk.d === d)).toBe(false);
    }
  }, 60_000);

  it("rotates the instance actor's keys too, its followers getting the Update of the Application", async () => {
    const instance = relais.url("/@relais.instance");
    const other = await startMastodonPeer({ host: "127.0.0.29", username: "ines", cacheKeys: true });
    try {
      const { activityId } = await other.follow(instance);
      await other.waitFor((d) => d.activity?.type === "Accept" && (d.activity.object as JsonObject | undefined)?.id === activityId.href);
      const before = other.keyFetches.length;
      const rotated = await relais.runtime.keyRotation.rotate("instance");
      expect(rotated.actor.href).toBe(instance.href);
      const update = await other.waitFor((d) => d.activity?.type === "Update" && d.status === 202);
      expect(update.signatureValid).toBe(true);
      expect(update.keyId).toBe(`${instance.href}#main-key`);
      expect((update.activity?.object as JsonObject | undefined)?.type).toBe("Application");
      expect(other.keyFetches.length).toBe(before + 1);
      // The collective's follower is not the instance actor's: it got no Update of the Application.
      expect(mastodon.received.filter((d) => d.activity?.type === "Update" && (d.activity.object as JsonObject)?.type === "Application")).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("sends the Update to the partners a collective follows, which checked its Follow with the old key", async () => {
    const partner = await startMastodonPeer({ host: "127.0.0.30", username: "pablo", cacheKeys: true });
    try {
      await followPartner(relais, "lyon", `@pablo@${partner.origin.host}`, { waitFor: "pending" });
      const follow = await partner.waitFor((d) => d.activity?.type === "Follow");
      expect(follow.signatureValid).toBe(true);
      const before = partner.keyFetches.length;
      await relais.runtime.keyRotation.rotate({ slug: "lyon" });
      const update = await partner.waitFor((d) => d.activity?.type === "Update" && d.status === 202);
      expect(update.signatureValid).toBe(true);
      expect((update.activity?.object as JsonObject | undefined)?.id).toBe(relais.url("/@lyon").href);
      expect(partner.keyFetches.length).toBe(before + 1);
    } finally {
      await partner.close();
    }
  });
});
