/** What we keep of an actor on another server, in domain words (mapped from AS2 in src/federation). */
export interface RemoteActorInfo {
  readonly apId: URL;
  readonly type: string;
  readonly handle?: string | undefined;
  readonly name?: string | undefined;
  readonly inboxUrl: URL;
  readonly sharedInboxUrl?: URL | undefined;
  readonly url?: URL | undefined;
}

/** A recipient for delivery. */
export interface Recipient {
  readonly apId: URL;
  readonly inboxUrl: URL;
  readonly sharedInboxUrl?: URL | undefined;
}
