// Followers written straight into the database, as if their Follows had been accepted and their actors
// fetched: for fan-out tests that need many of them.
import { randomUUID } from "node:crypto";
import type { Runtime } from "../../src/runtime.ts";

export interface SeededFollower {
  /** The actor id, e.g. http://127.0.0.2:4000/users/u1; its inbox is `<actor>/inbox`. */
  readonly actor: URL;
  readonly sharedInbox?: URL;
}

/** Accepted followers of `slug`, in the order given (deliveries go out in follow order); 1,000 rows a statement. */
export async function seedFollowers(runtime: Runtime, slug: string, followers: readonly SeededFollower[]): Promise<void> {
  const db = runtime.orm.em.getConnection();
  for (let from = 0; from < followers.length; from += 1000) {
    // As one JSON parameter: the ORM would spread an array parameter into a list.
    const rows = JSON.stringify(
      followers.slice(from, from + 1000).map((f) => ({
        id: randomUUID(),
        ap_id: f.actor.href,
        domain: f.actor.hostname,
        handle: `${f.actor.pathname.split("/").pop()}@${f.actor.host}`,
        inbox_url: `${f.actor.href}/inbox`,
        shared_inbox_url: f.sharedInbox?.href ?? null,
      })),
    );
    await db.execute(
      `insert into remote_actor (id, ap_id, domain, type, handle, inbox_url, shared_inbox_url, fetched_at)
       select (r->>'id')::uuid, r->>'ap_id', r->>'domain', 'Person', r->>'handle', r->>'inbox_url', r->>'shared_inbox_url', now()
       from jsonb_array_elements(cast(? as jsonb)) as r`,
      [rows],
    );
    // One statement's now() is one instant: each row gets a microsecond more, to keep the order given.
    await db.execute(
      `insert into follower (id, collective_id, actor_id, state, follow_activity_id, created_at, updated_at)
       select gen_random_uuid(), c.id, (r->>'id')::uuid, 'accepted', (r->>'ap_id') || '#follow', now() + (cast(? as int) + f.n) * interval '1 microsecond', now()
       from jsonb_array_elements(cast(? as jsonb)) with ordinality as f(r, n), collective c where c.slug = ?`,
      [from, rows, slug],
    );
  }
}
