import type { KvKey, KvStore } from "@fedify/fedify";

/**
 * Workarounds for Fedify 2.3.8, each with a contract test (fedify-workarounds.test.ts) that fails the
 * day upstream changes the behaviour it works around.
 */

/** Where Fedify keeps its "activity already processed" records (its default `kvPrefixes`). */
export const activityIdempotencePrefix: KvKey = ["_fedify", "activityIdempotence"];

function under(key: KvKey, prefix: KvKey): boolean {
  return prefix.every((part, i) => key[i] === part);
}

/**
 * The KV store given to Fedify, minus its inbox idempotency records: reads find none, writes keep none.
 *
 * Fedify remembers an activity's id once a listener returns, whatever the listener decided, and drops
 * any later activity with that id. A stranger could then send an activity carrying a victim's id
 * (`victim#delete`), have it ignored, and get the victim's real Delete dropped as a duplicate.
 * `withIdempotency(() => null)` turns the records off for activities handled at once, but the queued
 * path keys them by origin and id regardless of the strategy (fedify-dev/fedify#441 introduced the
 * strategies; the queue path of 2.3.8 still ignores them). Relais keeps no such records: the inbox
 * handlers are idempotent on the data (unique follows, deletes that find nothing), so a replay changes
 * nothing and nothing a refused request carried is remembered. See docs/adr (inbox idempotency).
 */
export function withoutActivityIdempotence(kv: KvStore): KvStore {
  const skip = (key: KvKey) => under(key, activityIdempotencePrefix);
  const store: KvStore = {
    get: async <T = unknown>(key: KvKey) => (skip(key) ? undefined : await kv.get<T>(key)),
    set: async (key, value, options) => {
      if (!skip(key)) await kv.set(key, value, options);
    },
    delete: async (key) => {
      if (!skip(key)) await kv.delete(key);
    },
    list: (prefix) => kv.list(prefix),
  };
  if (kv.cas) {
    const cas = kv.cas.bind(kv);
    store.cas = async (key, expected, value, options) => (skip(key) ? false : await cas(key, expected, value, options));
  }
  return store;
}
