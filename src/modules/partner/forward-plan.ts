import type { Recipient } from "../remote-actor/remote-actor.types.ts";

/** The followers of one relaying collective that get the origin's Update forwarded by it. */
export interface ForwardGroup {
  readonly slug: string;
  readonly recipients: readonly Recipient[];
}

const inboxOf = (r: Recipient): string => (r.sharedInboxUrl ?? r.inboxUrl).href;

/**
 * Who gets an event's Update forwarded, from which relaying collective: each delivery inbox (the shared
 * one when there is one) once, from the first collective that has a follower there, so a server whose
 * people follow two of our relaying collectives gets it once; never the event's own origin, which sent
 * it. Collectives left with nobody are left out.
 */
export function planForwards(groups: readonly ForwardGroup[], eventOrigin: string): ForwardGroup[] {
  const seen = new Set<string>();
  const out: ForwardGroup[] = [];
  for (const group of groups) {
    const recipients = group.recipients.filter((r) => {
      const inbox = inboxOf(r);
      if (r.apId.origin === eventOrigin || new URL(inbox).origin === eventOrigin || seen.has(inbox)) return false;
      seen.add(inbox);
      return true;
    });
    if (recipients.length > 0) out.push({ slug: group.slug, recipients });
  }
  return out;
}
