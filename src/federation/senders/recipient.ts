import type { Recipient as FedifyRecipient } from "@fedify/vocab";

/** A remote actor to deliver to, as stored (URLs) or as written in an outbox row (strings). */
export interface StoredRecipient {
  readonly apId: URL | string;
  readonly inboxUrl: URL | string;
  readonly sharedInboxUrl?: URL | string | null | undefined;
}

/** A remote actor as Fedify's `sendActivity` takes it (the shared inbox, when it has one, is used). */
export function toFedifyRecipient(r: StoredRecipient): FedifyRecipient {
  return { id: new URL(r.apId), inboxId: new URL(r.inboxUrl), endpoints: r.sharedInboxUrl ? { sharedInbox: new URL(r.sharedInboxUrl) } : null };
}
