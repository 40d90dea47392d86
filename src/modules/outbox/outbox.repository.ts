import type { EntityManager } from "@mikro-orm/postgresql";
import type { OutboxMessage } from "./outbox.writer.ts";

/** A row taken by the relay; `attempts` counts this one. */
export interface ClaimedOutboxRow {
  readonly id: string;
  readonly activityId: string;
  readonly payload: OutboxMessage;
  readonly attempts: number;
}

/** A row that will not be sent unless an operator retries it. */
export interface FailedOutboxRow {
  readonly id: string;
  readonly activityId: string;
  readonly kind: string;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly failedAt: Date;
  readonly lastError: string | null;
}

/** A statement for the message queue: mark the row sent, returning it only if it was not sent yet. */
export interface MarkSentStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * The outbox rows' life: pending → sent, or → failed after too many attempts. `lease_until` says when
 * a pending row may be taken again: a lease while the relay sends it, a backoff after a failure. Every
 * query is one statement (the embedded database must not hold a transaction across an await).
 */
export class OutboxRepository {
  readonly #em: EntityManager;

  constructor(em: EntityManager) {
    this.#em = em;
  }

  /** Takes up to `limit` pending rows whose time has come, oldest first, for `leaseSeconds`. */
  async claim(limit: number, leaseSeconds: number): Promise<ClaimedOutboxRow[]> {
    const rows = (await this.#em.getConnection().execute(
      `update outbox set lease_until = now() + ? * interval '1 second', attempts = attempts + 1
       where id in (select id from outbox
                    where sent_at is null and failed_at is null and (lease_until is null or lease_until < now())
                    order by id limit ? for update skip locked)
       returning id::text as id, activity_id, payload, attempts`,
      [leaseSeconds, limit],
    )) as { id: string; activity_id: string; payload: OutboxMessage; attempts: number }[];
    return rows
      .map((r) => ({ id: r.id, activityId: r.activity_id, payload: r.payload, attempts: Number(r.attempts) }))
      .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  }

  /** For the queue, which runs it in the statement that stores the row's deliveries. */
  markSentStatement(id: string): MarkSentStatement {
    return {
      sql: "update outbox set sent_at = now(), last_error = null, lease_until = null where id = $1::bigint and sent_at is null returning id",
      params: [id],
    };
  }

  /** Records a failed attempt: the row is taken again after `retryInSeconds`, or, when null, is failed for good. */
  async recordFailure(id: string, error: string, retryInSeconds: number | null): Promise<void> {
    await this.#em.getConnection().execute(
      `update outbox set last_error = ?,
         lease_until = case when ?::double precision is null then null else now() + ?::double precision * interval '1 second' end,
         failed_at = case when ?::double precision is null then now() else null end
       where id = ? and sent_at is null`,
      [error, retryInSeconds, retryInSeconds, retryInSeconds, id],
    );
  }

  async failed(): Promise<FailedOutboxRow[]> {
    const rows = (await this.#em.getConnection().execute(
      `select id::text as id, activity_id, kind, attempts, created_at, failed_at, last_error
       from outbox where failed_at is not null order by id`,
    )) as { id: string; activity_id: string; kind: string; attempts: number; created_at: Date; failed_at: Date; last_error: string | null }[];
    return rows.map((r) => ({
      id: r.id,
      activityId: r.activity_id,
      kind: r.kind,
      attempts: Number(r.attempts),
      createdAt: new Date(r.created_at),
      failedAt: new Date(r.failed_at),
      lastError: r.last_error,
    }));
  }

  /** Puts failed rows (all of them, or the one with this id) back to pending with fresh attempts; returns how many. */
  async retryFailed(id?: string): Promise<number> {
    const rows = (await this.#em.getConnection().execute(
      `with retried as (update outbox set failed_at = null, attempts = 0, lease_until = null
                        where failed_at is not null ${id === undefined ? "" : "and id = ?::bigint"} returning 1)
       select count(*)::int as n from retried`,
      id === undefined ? [] : [id],
    )) as { n: number }[];
    return Number(rows[0]?.n ?? 0);
  }

  /** Deletes rows sent more than `days` ago; returns how many. */
  async pruneSent(days: number): Promise<number> {
    const rows = (await this.#em.getConnection().execute(
      `with pruned as (delete from outbox where sent_at < now() - ? * interval '1 day' returning 1)
       select count(*)::int as n from pruned`,
      [days],
    )) as { n: number }[];
    return Number(rows[0]?.n ?? 0);
  }
}
