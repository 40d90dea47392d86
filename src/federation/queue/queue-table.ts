import type { SqlExecutor } from "../kv/postgres-kv-store.ts";

/** A message taken by a listener: it is leased to that listener until it finishes or the lease runs out. */
export interface ClaimedMessage {
  readonly id: string;
  /** The message as enqueued, in JSON. */
  readonly payload: string;
  readonly orderingKey: string | null;
  /** Times this message has been taken, this time included. */
  readonly attempts: number;
}

/** A statement that must return a row for the messages written with it to be written at all. */
export interface EnqueueCondition {
  /** A data-modifying statement with `RETURNING`, its parameters numbered `$1`…`$n`, no `$` in literals. */
  readonly sql: string;
  readonly params: readonly unknown[];
}

export interface NewMessage {
  /** The message, in JSON. */
  readonly payload: string;
  readonly orderingKey: string | null;
  readonly delayMs: number;
}

interface ClaimedRow {
  id: string;
  payload: string;
  ordering_key: string | null;
  attempts: number;
}

/**
 * The SQL of the PostgreSQL message queue, on a table the migrations create:
 *
 * ```sql
 * create table federation_queue (
 *   id bigint generated always as identity primary key, payload text not null, ordering_key text null,
 *   available_at timestamptz not null default now(), lease_until timestamptz null, lease_owner text null,
 *   attempts int not null default 0, created_at timestamptz not null default now());
 * ```
 *
 * The payload is JSON kept as text: exactly what was enqueued (jsonb would refuse `\u0000` in a
 * string and reorder keys). Every operation is one statement (PGlite serves one session to every
 * connection, so nothing here holds a transaction open). Times come from the database clock.
 *
 * A message is *due* when `available_at` has passed, nobody holds a lease on it, and no older message
 * with the same ordering key is left (taken or not). Taking it sets a lease; a message is deleted only
 * once its handler has returned, so a crash leaves it to be taken again when the lease runs out.
 */
export class QueueTable {
  readonly #db: SqlExecutor;
  readonly #t: string;

  constructor(db: SqlExecutor, table = "federation_queue") {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new TypeError(`invalid queue table name: ${table}`);
    this.#db = db;
    this.#t = `"${table}"`;
  }

  /**
   * Writes messages (ids grow in this order), each available after its delay; returns their ids.
   * With a condition, one statement runs both, and nothing is written unless the condition returns a
   * row (`held`); the condition runs even when there is no message.
   */
  async insert(messages: readonly NewMessage[], condition?: EnqueueCondition): Promise<{ held: boolean; ids: string[] }> {
    if (messages.length === 0 && !condition) return { held: true, ids: [] };
    const params: unknown[] = [messages.map((m) => m.payload), messages.map((m) => m.orderingKey), messages.map((m) => m.delayMs)];
    const insert = `insert into ${this.#t} (payload, ordering_key, available_at)
      select m.payload, m.ordering_key, now() + m.delay_ms * interval '1 millisecond'
      from unnest($1::text[], $2::text[], $3::double precision[]) with ordinality as m(payload, ordering_key, delay_ms, n)`;
    if (!condition) {
      const rows = await this.#db.query<{ id: string }>(`${insert} order by m.n returning id::text as id`, params);
      return { held: true, ids: sortIds(rows.map((r) => r.id)) };
    }
    const offset = params.length;
    params.push(...condition.params);
    const rows = await this.#db.query<{ held: boolean; ids: string[] }>(
      `with condition as (${condition.sql.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + offset}`)}),
         inserted as (${insert} where exists (select 1 from condition) order by m.n returning id)
       select exists (select 1 from condition) as held, array(select id::text from inserted) as ids`,
      params,
    );
    const row = rows[0];
    return { held: row?.held === true, ids: sortIds(row?.ids ?? []) };
  }

  /**
   * Takes up to `limit` due messages for `owner`, oldest first. `minAgeMs` takes only messages due for
   * at least that long (the sweep of the Redis mode, which leaves fresh ones to the announcements);
   * `ids` only those; `orderingKey` only that key's next message.
   */
  async claim(
    owner: string,
    opts: { limit: number; leaseMs: number; maxAttempts: number; minAgeMs?: number; ids?: readonly string[]; orderingKey?: string },
  ): Promise<ClaimedMessage[]> {
    if (opts.limit < 1) return [];
    const params: unknown[] = [owner, opts.leaseMs, opts.maxAttempts, opts.limit, opts.minAgeMs ?? 0];
    let only = "";
    if (opts.ids) {
      params.push(opts.ids);
      only = `and m.id = any($${params.length}::bigint[])`;
    } else if (opts.orderingKey !== undefined) {
      params.push(opts.orderingKey);
      only = `and m.ordering_key = $${params.length}::text`;
    }
    const rows = await this.#db.query<ClaimedRow>(
      `update ${this.#t} set lease_owner = $1::text, attempts = attempts + 1,
         lease_until = now() + $2::double precision * interval '1 millisecond'
       where id in (
         select m.id from ${this.#t} m
         where m.available_at <= now() - $5::double precision * interval '1 millisecond'
           and (m.lease_until is null or m.lease_until < now()) and m.attempts < $3::int ${only}
           and (m.ordering_key is null or not exists (
             select 1 from ${this.#t} o where o.ordering_key = m.ordering_key and o.id < m.id))
         order by m.available_at, m.id limit $4::int
         for update skip locked)
       returning id::text as id, payload, ordering_key, attempts`,
      params,
    );
    return rows
      .map((r) => ({ id: r.id, payload: r.payload, orderingKey: r.ordering_key, attempts: Number(r.attempts) }))
      .sort((a, b) => compareIds(a.id, b.id));
  }

  /** Extends the leases `owner` still holds. */
  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.query(
      `update ${this.#t} set lease_until = now() + $3::double precision * interval '1 millisecond'
       where id = any($2::bigint[]) and lease_owner = $1::text`,
      [owner, ids, leaseMs],
    );
  }

  /** The message is done with: gone. */
  async delete(id: string): Promise<void> {
    await this.#db.query(`delete from ${this.#t} where id = $1::bigint`, [id]);
  }

  /** Gives a message back, to be taken again after `delayMs`. */
  async release(owner: string, id: string, delayMs: number): Promise<void> {
    await this.#db.query(
      `update ${this.#t} set lease_owner = null, lease_until = null,
         available_at = now() + $3::double precision * interval '1 millisecond'
       where id = $2::bigint and lease_owner = $1::text`,
      [owner, id, delayMs],
    );
  }

  /** Frees every lease: only for a process that knows no other one uses the table (the embedded owner). */
  async releaseAll(): Promise<number> {
    const rows = await this.#db.query<{ n: number }>(
      `with freed as (update ${this.#t} set lease_owner = null, lease_until = null where lease_until is not null returning 1)
       select count(*)::int as n from freed`,
      [],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Deletes the messages taken `maxAttempts` times and not held any more; returns their ids. */
  async deleteExhausted(maxAttempts: number): Promise<string[]> {
    const rows = await this.#db.query<{ id: string }>(
      `delete from ${this.#t} where attempts >= $1::int and (lease_until is null or lease_until < now())
       returning id::text as id`,
      [maxAttempts],
    );
    return rows.map((r) => r.id);
  }

  /** Messages waiting (due now or later) and messages held by a listener. */
  /** Seconds the oldest message ready to be handled (not held) has waited since it became available; 0 when none. */
  async oldestReadyAgeSeconds(): Promise<number> {
    const rows = await this.#db.query<{ age: number | null }>(
      `select extract(epoch from now() - min(available_at))::float8 as age from ${this.#t}
       where available_at <= now() and not coalesce(lease_until >= now(), false)`,
      [],
    );
    return Math.max(0, Number(rows[0]?.age ?? 0));
  }

  async counts(): Promise<{ ready: number; delayed: number; active: number }> {
    const rows = await this.#db.query<{ ready: number; delayed: number; active: number }>(
      `select count(*) filter (where not held and available_at <= now())::int as ready,
         count(*) filter (where not held and available_at > now())::int as delayed,
         count(*) filter (where held)::int as active
       from (select available_at, coalesce(lease_until >= now(), false) as held from ${this.#t}) q`,
      [],
    );
    const row = rows[0];
    return { ready: Number(row?.ready ?? 0), delayed: Number(row?.delayed ?? 0), active: Number(row?.active ?? 0) };
  }
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function sortIds(ids: string[]): string[] {
  return ids.sort(compareIds);
}
