import { cleanDisplayText, isAcctUserpart } from "../../shared/plain-text.ts";
import type { RemoteActorInfo } from "./remote-actor.types.ts";

export const remoteActorLimits = { name: 200, url: 2_048 } as const;

function usableUrl(url: URL | undefined): URL | undefined {
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return undefined;
  return url.href.length <= remoteActorLimits.url ? url : undefined;
}

/**
 * What we keep of an actor another server describes, checked before it is stored or shown: its id and
 * inbox must be http(s) URLs of sane length (or the actor cannot be delivered to: undefined); its handle
 * must be `user@host` with a WebFinger (acct) user part and the actor's own host, or it is dropped; its
 * name is cleaned of control characters (NUL, ESC…) and bidi overrides and cut to 200 characters.
 */
export function storableRemoteActor(info: RemoteActorInfo): RemoteActorInfo | undefined {
  const apId = usableUrl(info.apId);
  const inboxUrl = usableUrl(info.inboxUrl);
  if (!apId || !inboxUrl) return undefined;
  const at = info.handle?.lastIndexOf("@") ?? -1;
  const user = info.handle?.slice(0, at);
  const handle = user !== undefined && isAcctUserpart(user) && info.handle?.slice(at + 1) === apId.host ? info.handle : undefined;
  const name = info.name === undefined ? undefined : cleanDisplayText(info.name, remoteActorLimits.name) || undefined;
  return {
    apId,
    type: /^[A-Za-z]{1,40}$/.test(info.type) ? info.type : "Actor",
    handle,
    name,
    inboxUrl,
    sharedInboxUrl: usableUrl(info.sharedInboxUrl),
    url: usableUrl(info.url),
  };
}
