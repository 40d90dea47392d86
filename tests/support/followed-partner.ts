// One real Relais instance whose collective @lyon follows a Mastodon-shaped partner on loopback, and the
// two ways the partner's signed activities reach lyon's inbox: over HTTP (through the inbox's precheck)
// or handed to Fedify directly (what the precheck does not see: an activity queued before it, a route
// around it). For the listeners' own checks (partner-calls-foreign-id, partner-deletes-foreign-id).
import { signedPostHeaders } from "./http-signatures.ts";
import { ACTIVITY_STREAMS, type MastodonPeer, startMastodonPeer } from "./mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "./relais-instance.ts";

export interface FollowedPartner {
  readonly relais: RelaisInstance;
  readonly partner: MastodonPeer;
  /** An activity of the partner, sent to its followers. */
  activity(id: string, type: string, object: Record<string, unknown>): Record<string, unknown>;
  /** Over HTTP, through the inbox's precheck. */
  send(body: Record<string, unknown>): Promise<Response>;
  /** The same signed request handed to Fedify directly. */
  deliverToFedify(body: Record<string, unknown>): Promise<Response>;
  close(): Promise<void>;
}

export async function startFollowedPartner(host: string): Promise<FollowedPartner> {
  const relais = await startRelaisInstance();
  let partner: MastodonPeer | undefined;
  try {
    partner = await startMastodonPeer({ host, username: "cdc" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    const found = await relais.runtime.partnerActors.resolve(partner.actorId.href);
    if (!found.ok) throw new Error(found.reason);
    await relais.runtime.partners.follow("cli", "lyon", found.actor);
  } catch (error) {
    await partner?.close();
    await relais.close();
    throw error;
  }
  return following(relais, partner);
}

function following(relais: RelaisInstance, partner: MastodonPeer): FollowedPartner {
  const inbox = relais.url("/@lyon/inbox");
  return {
    relais,
    partner,
    activity: (id, type, object) => ({ "@context": ACTIVITY_STREAMS, id, type, actor: partner.actorId.href, object, to: [`${partner.actorId.href}/followers`] }),
    send: (body) => partner.sendSigned(inbox, body),
    deliverToFedify: async (body) => {
      const text = JSON.stringify(body);
      const request = new Request(inbox, { method: "POST", headers: { ...signedPostHeaders(partner.key, inbox, text), host: inbox.host }, body: text });
      return relais.runtime.federation.fetch(request, { contextData: undefined });
    },
    close: async () => {
      await partner.close();
      await relais.close();
    },
  };
}
