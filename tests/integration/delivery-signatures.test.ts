// How deliveries are signed (issue 14, item 7): one knock where one is enough, the spec each server
// accepts remembered, and events carrying an FEP-8b32 proof made with the collective's Ed25519 key (so
// Fedify's "No supported key found to create a proof" is gone). Against the Gancio-shaped peer (404 to
// what it does not take, 500 to RFC 9421) and the Mastodon-shaped one, with real signatures.
import { createFederation, detachSignature, MemoryKvStore, verifyJsonLd, verifyObject } from "@fedify/fedify";
import { Create } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type GancioPeer, startGancioPeer } from "../support/gancio-peer.ts";
import { type CapturedLine, captureLogs, type LogCapture } from "../support/log-capture.ts";
import { type JsonObject, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { until, untilQueueIdle } from "../support/wait.ts";

describe("delivery signatures", () => {
  let relais: RelaisInstance;
  let gancio: GancioPeer;
  let mastodon: MastodonPeer;
  let logs: LogCapture;
  let editor: Awaited<ReturnType<typeof createEditor>>["principal"];

  beforeAll(async () => {
    logs = await captureLogs("info");
    relais = await startRelaisInstance();
    await relais.runtime.collectives.create({ slug: "agenda", name: { fr: "Agenda" }, primaryLanguage: "fr" });
    editor = (await createEditor(relais.runtime, "agenda", "ed@example.org")).principal;
    gancio = await startGancioPeer({ host: "127.0.0.8" });
    mastodon = await startMastodonPeer({ host: "127.0.0.9", username: "mara" });
  });
  afterAll(async () => {
    await relais?.close();
    await gancio?.close();
    await mastodon?.close();
    await logs?.close();
  });

  const publish = async (name: string) =>
    (
      await relais.runtime.events.create(editor, "agenda", {
        name: { fr: name },
        startsAt: "2030-04-01T18:00",
        timezone: "Europe/Paris",
        onlineUrl: "https://meet.example/agenda",
        published: true,
      })
    ).event;
  const createsTo = (peer: GancioPeer, eventId: string) =>
    peer.inbox.received.filter((d) => d.activity?.type === "Create" && (d.activity.object as JsonObject | undefined)?.id === eventId);

  it("knocks once at Gancio when it answers 404, keeps that 404, and signs with what Gancio accepted", async () => {
    const collective = relais.url("/@agenda").href;
    expect((await gancio.addTrustedActor(`@agenda@${relais.origin.host}`)).status).toBe(200);
    await gancio.toggleFollow(collective);
    await gancio.inbox.waitFor((d) => d.activity?.type === "Accept");
    // Gancio's admin takes the trust back: Gancio now answers 404 to the collective's events.
    gancio.apUsers.get(collective)!.trusted = false;
    const refused = await publish("Refusé");
    await until("Gancio's answer to the Create", async () => createsTo(gancio, refused.apId.href).length > 0);
    await untilQueueIdle(relais.runtime.queue);
    expect(createsTo(gancio, refused.apId.href).map((d) => [d.scheme, d.status])).toEqual([["draft-cavage", 404]]);
    expect(await relais.runtime.followers.recipients((await relais.runtime.collectives.findBySlug("agenda"))!.id)).toContainEqual(
      expect.objectContaining({ apId: new URL(gancio.actorId.href) }),
    );

    gancio.apUsers.get(collective)!.trusted = true;
    const accepted = await publish("Accepté");
    await until("Gancio to store the event", async () => gancio.events.has(accepted.apId.href));
    await untilQueueIdle(relais.runtime.queue);
    expect(createsTo(gancio, accepted.apId.href).map((d) => [d.scheme, d.status])).toEqual([["draft-cavage", 201]]);
    expect(gancio.inbox.received.filter((d) => d.scheme === "rfc9421")).toEqual([]);
    expect(await relais.runtime.kv.get(["_fedify", "httpMessageSignaturesSpec", gancio.origin.origin])).toBe("draft-cavage-http-signatures-12");
  });

  it("sends events with an FEP-8b32 proof and a Linked Data signature that verify against the collective's published keys", async () => {
    const { activityId } = await mastodon.follow(relais.url("/@agenda"));
    await mastodon.waitFor((d) => d.activity?.type === "Accept" && (d.activity.object as JsonObject | undefined)?.id === activityId.href);
    const event = await publish("Assemblée");
    const delivery = await mastodon.waitFor((d) => d.activity?.type === "Create" && (d.activity.object as JsonObject | undefined)?.id === event.apId.href);
    expect(delivery.signatureValid).toBe(true);
    const delivered = delivery.activity as JsonObject;
    expect(delivered.proof).toMatchObject({ type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022", proofPurpose: "assertionMethod" });
    expect((delivered.object as JsonObject).timezone).toBe("Europe/Paris");

    // As a Fedify-based server (Hollo) checks them: keys fetched from Relais itself.
    const receiver = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
    const { documentLoader, contextLoader } = receiver.createContext(new URL("http://receiver.test"), undefined);
    expect(await verifyObject(Create, detachSignature(delivered), { documentLoader, contextLoader })).not.toBeNull();
    expect(await verifyJsonLd(delivered, { documentLoader, contextLoader })).toBe(true);

    const noise = (l: CapturedLine) => l.text.includes("No supported key found");
    expect(logs.lines.filter(noise).map((l) => l.text)).toEqual([]);
  });
});
