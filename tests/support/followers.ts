// Followers written straight into the database, as if their Follows had been accepted and their actors
// fetched: for fan-out tests that need many of them.
import { randomUUID } from "node:crypto";
import type { Runtime } from "../../src/runtime.ts";

export interface SeededFollower {
  /** The actor id, e.g. http://127.0.0.2:4000/users/u1; its inbox is `<actor>/inbox`. */
  readonly actor: URL;
  readonly sharedInbox?: URL;
}

/** Accepted followers of `slug`, in the order given (deliveries go out in follow order). */
export async function seedFollowers(runtime: Runtime, slug: string, followers: readonly SeededFollower[]): Promise<void> {
  const db = runtime.orm.em.getConnection();
  for (const { actor, sharedInbox } of followers) {
    const id = randomUUID();
    const username = actor.pathname.split("/").pop();
    await db.execute(
      `insert into remote_actor (id, ap_id, domain, type, handle, inbox_url, shared_inbox_url, fetched_at)
       values (?, ?, ?, 'Person', ?, ?, ?, now())`,
      [id, actor.href, actor.hostname, `${username}@${actor.host}`, `${actor.href}/inbox`, sharedInbox?.href ?? null],
    );
    await db.execute(
      `insert into follower (id, collective_id, actor_id, state, follow_activity_id, created_at, updated_at)
       select ?, c.id, ?, 'accepted', ?, now(), now() from collective c where c.slug = ?`,
      [randomUUID(), id, `${actor.href}#follow`, slug],
    );
  }
}
