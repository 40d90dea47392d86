// A remote actor whose username and name carry terminal escape sequences, CR, tabs and a NUL follows a
// collective (issue 13, defects 5 and 7): the follow is stored (the NUL made PostgreSQL refuse the row,
// and the inbox retried it), the handle is dropped as not a WebFinger user part, the name is cleaned,
// and `relais follower list` prints nothing that a terminal would obey.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../support/http-signatures.ts";
import { ACTIVITY_STREAMS, type MastodonPeer, startMastodonPeer } from "../support/mastodon-peer.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { runCli } from "../support/relais-process.ts";
import { until } from "../support/wait.ts";

const HOSTILE_USERNAME = "\u001b]0;owned\u0007\u001b[2J\rroot\tpending\thttps://trusted.example/users/x";
const HOSTILE_NAME = "Ev\u0000il \u001b[31mred\u001b[0m\u202egnp.exe";

describe("a remote actor with control characters in its names", { timeout: 120_000 }, () => {
  let relais: RelaisInstance;
  let peer: MastodonPeer;
  let actorId: URL;

  beforeAll(async () => {
    relais = await startRelaisInstance();
    peer = await startMastodonPeer({ host: "127.0.0.2", username: "host" });
    await relais.runtime.collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" });
    actorId = new URL("/users/hostile", peer.origin);
    const key = await generateSigningKey(new URL(`${actorId.href}#main-key`));
    peer.serve({
      ...peer.actorDocument(),
      id: actorId.href,
      preferredUsername: HOSTILE_USERNAME,
      name: HOSTILE_NAME,
      inbox: peer.sharedInboxUrl.href,
      url: "javascript:alert(1)",
      publicKey: { id: key.keyId.href, owner: actorId.href, publicKeyPem: key.publicKeyPem },
    });
    const follow = { "@context": ACTIVITY_STREAMS, id: `${actorId.href}#follow-1`, type: "Follow", actor: actorId.href, object: relais.url("/@lyon").href };
    expect((await peer.sendSigned(relais.url("/@lyon/inbox"), follow, { key })).status).toBe(202);
  });

  afterAll(async () => {
    await peer?.close();
    await relais?.close();
  });

  it("stores the follower with its handle dropped and its name cleaned", async () => {
    const rows = await until(
      "the follower",
      async () => {
        const found = (await relais.runtime.orm.em
          .getConnection()
          .execute("select a.handle, a.name, a.url, f.state from follower f join remote_actor a on a.id = f.actor_id")) as Record<string, unknown>[];
        return found.length > 0 ? found : undefined;
      },
      20_000,
    );
    expect(rows).toEqual([{ handle: null, name: "Ev il [31mred [0mgnp.exe", url: null, state: "accepted" }]);
  });

  it("lists followers without a single control character on the terminal", async () => {
    const env = { DATABASE_URL: relais.runtime.config.databaseUrl as string, REDIS_URL: "", RELAIS_ORIGIN: relais.origin.origin };
    const listed = await runCli(["follower", "list", "lyon"], env);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect(listed.stdout.replace(/[\t\n]/g, "")).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]?.split("\t")).toEqual(["accepted", actorId.href, "", expect.stringMatching(/^\d{4}-\d\d-\d\dT/)]);
  });

  it("shows control characters kept from before as visible escapes, in their own column", async () => {
    // A row written before remote actors were validated.
    const db = relais.runtime.orm.em.getConnection();
    await relais.runtime.collectives.create({ slug: "legacy", name: { fr: "Ancien" }, primaryLanguage: "fr" });
    await db.execute(
      `insert into remote_actor (id, ap_id, domain, type, handle, name, inbox_url, fetched_at)
       values (gen_random_uuid(), 'https://old.example/users/x', 'old.example', 'Person', ?, null, 'https://old.example/inbox', now())`,
      [`${HOSTILE_USERNAME}@old.example`],
    );
    await db.execute(
      `insert into follower (id, collective_id, actor_id, state, follow_activity_id, created_at, updated_at)
       select gen_random_uuid(), c.id, a.id, 'accepted', 'https://old.example/f/1', now(), now()
       from collective c, remote_actor a where c.slug = 'legacy' and a.ap_id = 'https://old.example/users/x'`,
    );
    const env = { DATABASE_URL: relais.runtime.config.databaseUrl as string, REDIS_URL: "", RELAIS_ORIGIN: relais.origin.origin };
    const listed = await runCli(["follower", "list", "legacy"], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout.replace(/[\t\n]/g, "")).not.toMatch(/\p{Cc}/u);
    expect(listed.stdout.trimEnd().split("\t")).toEqual([
      "accepted",
      "https://old.example/users/x",
      "\\x1b]0;owned\\x07\\x1b[2J\\x0droot\\x09pending\\x09https://trusted.example/users/x@old.example",
      expect.stringMatching(/^\d{4}-/),
    ]);
  });
});
