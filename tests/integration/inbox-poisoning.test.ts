// Activity-id poisoning (issue 13, defect 1), end to end: a stranger signing with its own key sends an
// activity carrying a victim's id, spelt in every way JSON-LD allows (`@id`, an alias in an inline
// context, a type-scoped alias, the expanded form, `@graph`, `@nest`), for every activity type the inbox
// handles. Each must be refused, leave no trace in the KV store, and the victim's genuine activity with
// the same id must then take effect. A neighbour on the victim's own server (same origin, so past the
// origin check) tries the same through the inbox listeners, which must ignore it without remembering it.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey, type SigningKey } from "../support/http-signatures.ts";
import { type CapturedLine, captureLogs, type LogCapture } from "../support/log-capture.ts";
import { ACTIVITY_STREAMS, type JsonObject, type MastodonPeer, PUBLIC_COLLECTION, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { testRedisUrl } from "../support/services.ts";
import { until } from "../support/wait.ts";

const WAIT_MS = 20_000;
const AS = `${ACTIVITY_STREAMS}#`;

interface Compact {
  id: string;
  type: string;
  actor: string;
  object: string | Compact | { id: string; type: string; actor?: string; object: string };
}

function expand(value: Compact | string): unknown {
  if (typeof value === "string") return [{ "@id": value }];
  const node: JsonObject = { "@id": value.id, "@type": [`${AS}${value.type}`] };
  if (value.actor) node[`${AS}actor`] = [{ "@id": value.actor }];
  node[`${AS}object`] = expand(value.object as Compact | string);
  return [node];
}

/** The same activity, spelt so that its id is read by JSON-LD (and Fedify) but not as a plain `id`. */
const spellings: [string, (a: Compact) => unknown][] = [
  ["@id", ({ id, ...rest }) => ({ "@context": ACTIVITY_STREAMS, "@id": id, ...rest })],
  ["an alias of @id in an inline context", ({ id, ...rest }) => ({ "@context": [ACTIVITY_STREAMS, { ident: "@id" }], ident: id, ...rest })],
  [
    "an alias of @id scoped to the activity's type",
    ({ id, type, ...rest }) => ({
      "@context": [ACTIVITY_STREAMS, { [type]: { "@id": `as:${type}`, "@context": { ident: "@id" } } }],
      type,
      ident: id,
      ...rest,
    }),
  ],
  ["the expanded form", (a) => expand(a)],
  ["@graph", (a) => ({ "@context": ACTIVITY_STREAMS, "@graph": [a] })],
  ["@nest", ({ id, ...rest }) => ({ "@context": ACTIVITY_STREAMS, "@nest": { id }, ...rest })],
];

const modes = [
  { name: "in-process queue", redis: false },
  { name: "BullMQ queue on Redis", redis: true },
] as const;

describe.each(modes)("activity ids cannot be poisoned ($name)", ({ redis }) => {
  let relais: RelaisInstance;
  let victim: MastodonPeer;
  let mallory: MastodonPeer;
  let logs: LogCapture;
  let redisClient: Redis | undefined;
  let target: URL;
  let inbox: URL;
  // An account on the victim's own server, served by the victim's peer.
  let neighbour: { id: URL; key: SigningKey };

  beforeAll(async () => {
    logs = await captureLogs();
    relais = await startRelaisInstance({ redis });
    [victim, mallory] = await Promise.all([
      startMastodonPeer({ host: "127.0.0.2", username: "victim" }),
      startMastodonPeer({ host: "127.0.0.3", username: "mallory" }),
    ]);
    const id = new URL("/users/neighbour", victim.origin);
    neighbour = { id, key: await generateSigningKey(new URL(`${id.href}#main-key`)) };
    victim.serve({
      ...victim.actorDocument(),
      id: id.href,
      preferredUsername: "neighbour",
      inbox: victim.sharedInboxUrl.href,
      publicKey: { id: neighbour.key.keyId.href, owner: id.href, publicKeyPem: neighbour.key.publicKeyPem },
    });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    target = relais.url("/@lyon");
    inbox = relais.url("/@lyon/inbox");
    if (redis) redisClient = new Redis(testRedisUrl);
  });

  afterAll(async () => {
    redisClient?.disconnect();
    await Promise.all([victim, mallory].map((p) => p?.close()));
    await relais?.close();
    await logs?.close();
  });

  /** Keys and values of the instance's KV store that mention `needle`. */
  async function kvTrace(needle: string): Promise<string[]> {
    if (redisClient) {
      const found: string[] = [];
      let cursor = "0";
      do {
        const [next, keys] = await redisClient.scan(cursor, "MATCH", `relais:kv:${relais.queueName}:*`, "COUNT", 1000);
        cursor = next;
        for (const key of keys) {
          const value = (await redisClient.get(key)) ?? "";
          if (decodeURIComponent(key).includes(needle) || value.includes(needle)) found.push(decodeURIComponent(key));
        }
      } while (cursor !== "0");
      return found;
    }
    const rows = (await relais.runtime.orm.em
      .getConnection()
      .execute("select array_to_string(key, ' ') as k from fedify_kv where key::text like ? or value::text like ?", [
        `%${needle}%`,
        `%${needle}%`,
      ])) as { k: string }[];
    return rows.map((r) => r.k);
  }

  async function followers(): Promise<string[]> {
    const rows = (await relais.runtime.orm.em
      .getConnection()
      .execute(
        `select a.ap_id || ' ' || f.state || ' ' || f.follow_activity_id as x from follower f
         join remote_actor a on a.id = f.actor_id order by 1`,
      )) as { x: string }[];
    return rows.map((r) => r.x);
  }

  /** Every spelling of `activity`, sent by mallory (its own key, its own actor): each must be refused. */
  async function poisonFromAnotherOrigin(activity: Compact): Promise<void> {
    for (const [spelling, spell] of spellings) {
      const response = await mallory.sendSigned(inbox, spell(activity) as JsonObject);
      expect(response.status, `${activity.type} with its id as ${spelling}`).toBe(400);
      expect(((await response.json()) as { error: string }).error, spelling).toBe("cross_origin");
    }
    expect(await kvTrace(activity.id)).toEqual([]);
  }

  /** Sends `activity` signed by the neighbour (same origin as the victim) and waits for the inbox's decision. */
  async function poisonFromTheSameServer(activity: Compact): Promise<CapturedLine> {
    const response = await victim.sendSigned(inbox, { "@context": ACTIVITY_STREAMS, ...activity } as JsonObject, { key: neighbour.key });
    expect(response.status).toBe(202);
    const decision = await logs.waitFor(
      `the inbox's decision on the neighbour's ${activity.type}`,
      (line) => line.category === "relais.inbox" && line.level === "debug" && line.text.includes(activity.id) && line.text.includes(neighbour.id.href),
      WAIT_MS,
    );
    expect(decision.text).toMatch(/ignored|refused/);
    expect(await kvTrace(activity.id)).toEqual([]);
    return decision;
  }

  const victimFollowId = () => new URL("/follows/victim-1", victim.origin).href;
  const victimFollow = (): Compact => ({ id: victimFollowId(), type: "Follow", actor: victim.actorId.href, object: target.href });

  it("Follow: the victim's genuine Follow is accepted after the poisoned ones", async () => {
    await poisonFromAnotherOrigin({ ...victimFollow(), actor: mallory.actorId.href });
    // Past the origin check, ignored by the listener (its object is no collective).
    await poisonFromTheSameServer({ ...victimFollow(), actor: neighbour.id.href, object: relais.url("/@nobody").href });
    const response = await victim.sendSigned(inbox, { "@context": ACTIVITY_STREAMS, ...victimFollow() } as JsonObject);
    expect(response.status).toBe(202);
    await victim.waitFor((d) => d.activity?.type === "Accept" && d.signatureValid && JSON.stringify(d.activity).includes(victimFollowId()), {
      timeoutMs: WAIT_MS,
    });
    expect(await followers()).toEqual([`${victim.actorId.href} accepted ${victimFollowId()}`]);
  });

  it("Undo: the victim's genuine Undo takes effect after the poisoned ones", async () => {
    const undoId = `${victim.actorId.href}#follows/1/undo`;
    const undo = (actor: string): Compact => ({ id: undoId, type: "Undo", actor, object: victimFollow() });
    await poisonFromAnotherOrigin(undo(mallory.actorId.href));
    // Past the origin check, ignored by the listener (the Follow it undoes is the victim's).
    await poisonFromTheSameServer(undo(neighbour.id.href));
    expect(await followers()).toEqual([`${victim.actorId.href} accepted ${victimFollowId()}`]);
    const response = await victim.sendSigned(inbox, { "@context": ACTIVITY_STREAMS, ...undo(victim.actorId.href) } as JsonObject);
    expect(response.status).toBe(202);
    await until("the victim's Undo to take effect", async () => (await followers()).length === 0, WAIT_MS);
  });

  it("Delete: the victim's genuine Delete takes effect after the poisoned ones", async () => {
    const followId = new URL("/follows/victim-2", victim.origin).href;
    expect((await victim.sendSigned(inbox, { "@context": ACTIVITY_STREAMS, ...victimFollow(), id: followId } as JsonObject)).status).toBe(202);
    await until("the victim's second Follow", async () => (await followers()).length === 1, WAIT_MS);
    const del = (actor: string): Compact => ({ id: `${victim.actorId.href}#delete`, type: "Delete", actor, object: victim.actorId.href });
    await poisonFromAnotherOrigin(del(mallory.actorId.href));
    // Past the origin check, ignored by the listener (it deletes another actor).
    await poisonFromTheSameServer(del(neighbour.id.href));
    expect(await followers()).toEqual([`${victim.actorId.href} accepted ${followId}`]);
    const genuine = { "@context": ACTIVITY_STREAMS, ...del(victim.actorId.href), to: [PUBLIC_COLLECTION] };
    expect((await victim.sendSigned(inbox, genuine as JsonObject)).status).toBe(202);
    await until("the victim's Delete to take effect", async () => (await followers()).length === 0, WAIT_MS);
  });

  // Relais follows nobody, so an Accept or a Reject changes nothing here: what matters is that the
  // poisoned ones are refused and leave no record that could drop a genuine one later.
  it.each(["Accept", "Reject"])("%s: poisoned ones are refused and leave no trace", async (type) => {
    const answer = (actor: string): Compact => ({
      id: `${victim.actorId.href}#${type.toLowerCase()}s/1`,
      type,
      actor,
      object: { id: new URL("/follows/from-lyon", relais.origin).href, type: "Follow", actor: target.href, object: victim.actorId.href },
    });
    await poisonFromAnotherOrigin(answer(mallory.actorId.href));
  });
});
