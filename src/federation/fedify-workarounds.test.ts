import { createFederation, InProcessMessageQueue, type KvKey, type KvStore, MemoryKvStore } from "@fedify/fedify";
import { Follow, Person } from "@fedify/vocab";
import { describe, expect, it } from "vitest";
import { until } from "../../tests/support/wait.ts";
import { activityIdempotencePrefix, withoutActivityIdempotence } from "./fedify-workarounds.ts";

const ORIGIN = "https://relais.example";
const AS = "https://www.w3.org/ns/activitystreams";

/**
 * Delivers the Follow `activityId` twice, then another Follow, through a federation with an in-process
 * queue and `withIdempotency(() => null)` (signatures unchecked: only what Fedify remembers matters).
 * The queue handles one message at a time, in order: once the last Follow is handled, so are the two
 * before it. Returns the ids the listener saw.
 */
async function deliverTwiceThroughTheQueue(kv: KvStore, activityId: string): Promise<string[]> {
  const handled: string[] = [];
  const federation = createFederation<void>({ kv, queue: new InProcessMessageQueue(), skipSignatureVerification: true, manuallyStartQueue: true });
  federation.setActorDispatcher("/users/{identifier}", (ctx, identifier) =>
    identifier === "lyon" ? new Person({ id: ctx.getActorUri(identifier), inbox: ctx.getInboxUri(identifier) }) : null,
  );
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .withIdempotency(() => null)
    .on(Follow, (_ctx, follow) => {
      handled.push(follow.id?.href ?? "");
    });
  const stop = new AbortController();
  const running = federation.startQueue(undefined, { signal: stop.signal });
  const last = `${activityId}/last`;
  for (const id of [activityId, activityId, last]) {
    const follow = { "@context": AS, id, type: "Follow", actor: "https://remote.example/users/a", object: `${ORIGIN}/users/lyon` };
    const request = new Request(`${ORIGIN}/inbox`, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: JSON.stringify(follow),
    });
    expect((await federation.fetch(request, { contextData: undefined })).status).toBe(202);
  }
  await until("the last Follow to be handled", async () => handled.includes(last), 5_000);
  stop.abort();
  await running;
  return handled.filter((id) => id !== last);
}

async function keysUnder(kv: KvStore, prefix: KvKey): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of kv.list(prefix)) keys.push(entry.key.join(" "));
  return keys;
}

describe("Fedify workaround: no inbox idempotency records", () => {
  it("is still needed: Fedify 2.3.8 remembers a queued activity's id whatever the idempotency strategy", async () => {
    const kv = new MemoryKvStore();
    const id = "https://remote.example/follows/1";
    // Once this fails, Fedify honours withIdempotency on its queue and withoutActivityIdempotence can go.
    expect(await deliverTwiceThroughTheQueue(kv, id)).toEqual([id]);
    expect(await keysUnder(kv, activityIdempotencePrefix)).toContain(`${activityIdempotencePrefix.join(" ")} ${ORIGIN} ${id}`);
  });

  it("lets every delivery through and keeps no record, leaving other keys alone", async () => {
    const inner = new MemoryKvStore();
    const id = "https://remote.example/follows/2";
    expect(await deliverTwiceThroughTheQueue(withoutActivityIdempotence(inner), id)).toEqual([id, id]);
    expect(await keysUnder(inner, activityIdempotencePrefix)).toEqual([]);
    await withoutActivityIdempotence(inner).set(["_fedify", "publicKey", "k"], 1);
    expect(await inner.get(["_fedify", "publicKey", "k"])).toBe(1);
  });
});
