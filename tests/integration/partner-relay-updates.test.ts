// Three Relais instances and a Mastodon-shaped server on loopback, real HTTP and real signatures: A
// (instance 1) relays its partner B (instance 2); C (instance 3, a Relais collective) and a Mastodon
// account follow A, not B. When B changes its event, A forwards B's own signed Update to them (inbox
// forwarding), once each: both end with the new time and place, and nothing else is sent twice.
import { createFederation, MemoryKvStore, verifyJsonLd } from "@fedify/fedify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { createEditor } from "../support/editor.ts";
import { type JsonObject, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { followPartner, handleOf } from "../support/partner-network.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until } from "../support/wait.ts";

type Held = { sequence: number; starts_at: Date | string; location: { name?: string; locality?: string } | null };

async function held(instance: RelaisInstance, apId: string): Promise<Held | undefined> {
  const rows = await instance.runtime.em
    .fork()
    .getConnection()
    .execute<Held[]>("select sequence, starts_at, location from partner_event where ap_id = ? and deleted_at is null", [apId]);
  return rows[0];
}

const objectOf = (d: { activity: JsonObject | null }) => (d.activity?.object ?? {}) as JsonObject;

describe("a relayed partner event's Update reaches the relaying collective's followers", { timeout: 240_000 }, () => {
  let a: RelaisInstance;
  let b: RelaisInstance;
  let c: RelaisInstance;
  let mastodon: MastodonPeer;
  let editorB: Principal;
  let event: string;

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      startRelaisInstance({ host: "127.0.0.2" }),
      startRelaisInstance({ host: "127.0.0.3" }),
      startRelaisInstance({ host: "127.0.0.4" }),
    ]);
    // Mastodon takes a forwarded activity when its Linked Data signature is its actor's.
    const receiver = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
    const { documentLoader, contextLoader } = receiver.createContext(new URL("http://receiver.test"), undefined);
    mastodon = await startMastodonPeer({
      host: "127.0.0.5",
      username: "mara",
      verifyForwarded: (activity) => verifyJsonLd(activity, { documentLoader, contextLoader }),
    });
    await a.runtime.collectives.create({ slug: "bruxelles", name: { fr: "Bruxelles solidaire" }, primaryLanguage: "fr" });
    await b.runtime.collectives.create({ slug: "koeln", name: { de: "Köln solidarisch" }, primaryLanguage: "de" });
    await c.runtime.collectives.create({ slug: "lille", name: { fr: "Lille solidaire" }, primaryLanguage: "fr" });
    editorB = (await createEditor(b.runtime, "koeln", "b@example.org")).principal;
  });
  afterAll(async () => {
    await mastodon?.close();
    await Promise.all([a?.close(), b?.close(), c?.close()]);
  });

  it("A relays B's new event to C and to the Mastodon account, who follow A only", async () => {
    await followPartner(a, "bruxelles", handleOf(b, "koeln"), { relay: true });
    await followPartner(c, "lille", handleOf(a, "bruxelles"));
    const { activityId } = await mastodon.follow(a.url("/@bruxelles"));
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && objectOf(d).id === activityId.href);

    event = (
      await b.runtime.events.create(editorB, "koeln", {
        name: { de: "Demo gegen Zwangsräumungen" },
        startsAt: "2030-04-12T14:00",
        timezone: "Europe/Berlin",
        location: { name: "Heumarkt", locality: "Köln", country: "DE" },
        published: true,
      })
    ).event.apId.href;
    await until("C to hold B's event through A's Announce", async () => (await held(c, event)) !== undefined || undefined, 90_000);
    const announce = await mastodon.waitFor((d) => d.activity?.type === "Announce" && d.activity.object === event, { timeoutMs: 60_000 });
    expect(announce.signatureValid).toBe(true);
  });

  it("forwards B's signed Update once: C and the Mastodon account end with the new time and place", async () => {
    const id = event.split("/").pop() as string;
    await b.runtime.events.update(editorB, id, { startsAt: "2030-04-12T16:30", location: { name: "Neumarkt", locality: "Köln", country: "DE" } });

    const onC = await until("the change to reach C", async () => {
      const row = await held(c, event);
      return row && row.sequence >= 1 ? row : undefined;
    }, 90_000);
    expect(new Date(onC.starts_at).toISOString()).toBe("2030-04-12T14:30:00.000Z");
    expect(onC.location?.name).toBe("Neumarkt");

    const update = await mastodon.waitFor((d) => d.activity?.type === "Update" && objectOf(d).id === event, { timeoutMs: 60_000 });
    // B's own Update, B's signatures intact, delivered by A.
    expect(update.activity?.actor).toBe(b.url("/@koeln").href);
    expect(update.forwardedBy).toBe(a.url("/@bruxelles").href);
    expect(update.status).toBe(202);
    expect(objectOf(update).startTime).toMatch(/^2030-04-12T16:30:00(\+02:00)?/);
    expect(JSON.stringify(objectOf(update).location)).toContain("Neumarkt");

    // Let everything queued settle, then count: one Update each, no change note twice, nothing repeated.
    await new Promise((r) => setTimeout(r, 4000));
    const aboutEvent = mastodon.received.filter((d) => objectOf(d).id === event || d.activity?.object === event);
    expect(aboutEvent.map((d) => d.activity?.type).sort()).toEqual(["Announce", "Update"]);
    const notes = mastodon.received.filter((d) => d.activity?.type === "Create" && objectOf(d).type === "Note");
    expect(notes.length).toBeLessThanOrEqual(1);
    const ids = mastodon.received.map((d) => d.activity?.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await held(c, event))?.sequence).toBe(1);
  });

  it("forwards nothing for a repeated Update that changes nothing", async () => {
    const before = mastodon.received.length;
    const id = event.split("/").pop() as string;
    // Saving the same values again changes nothing on B, so nothing new is sent anywhere.
    await b.runtime.events.update(editorB, id, { startsAt: "2030-04-12T16:30" });
    await new Promise((r) => setTimeout(r, 4000));
    expect(mastodon.received.slice(before).filter((d) => d.activity?.type === "Update")).toEqual([]);
    expect((await held(c, event))?.sequence).toBe(1);
  });

  it("applies a change once on a server that follows both A and B (it gets B's Update twice: from B, and forwarded by A)", async () => {
    await followPartner(c, "lille", handleOf(b, "koeln"));
    const id = event.split("/").pop() as string;
    await b.runtime.events.update(editorB, id, { location: { name: "Rathausplatz", locality: "Köln", country: "DE" } });
    const onC = await until("the second change to reach C", async () => {
      const row = await held(c, event);
      return row && row.sequence >= 2 ? row : undefined;
    }, 90_000);
    expect(onC.location?.name).toBe("Rathausplatz");
    await new Promise((r) => setTimeout(r, 4000));
    expect((await held(c, event))?.sequence).toBe(2);
    expect(mastodon.received.filter((d) => d.activity?.type === "Update" && objectOf(d).id === event)).toHaveLength(2);
  });
});
