import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import { canonicalJson, ttlMilliseconds } from "./kv-encoding.ts";

/**
 * The one thing the store needs from a database driver: run one statement with positional parameters
 * (`$1`, `$2`…) and return its rows. The driver must bind a JS string array as a `text[]` parameter
 * (pg and PGlite do). Every call is a single statement, so a pool is fine, even over PGlite's one session.
 */
export interface SqlExecutor {
  query<R>(sql: string, params: unknown[]): Promise<R[]>;
}

/** Adapts anything shaped like a `pg.Pool`, `pg.Client` or PGlite (`query(text, values) → { rows }`). */
export function sqlExecutorFromPg(client: {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}): SqlExecutor {
  return {
    async query<R>(sql: string, params: unknown[]): Promise<R[]> {
      return (await client.query(sql, params)).rows as R[];
    },
  };
}

export interface PostgresKvStoreOptions {
  /** Table (optionally `schema.table`) created with the DDL below. Defaults to `fedify_kv`. */
  table?: string;
}

/**
 * Fedify's key–value store on PostgreSQL, on a table the migrations create:
 *
 * ```sql
 * CREATE TABLE fedify_kv (key text[] PRIMARY KEY, value jsonb NOT NULL, expires_at timestamptz NULL);
 * CREATE INDEX fedify_kv_expires_at ON fedify_kv (expires_at) WHERE expires_at IS NOT NULL;
 * ```
 *
 * Expired rows are invisible; `get` and `list` delete the expired rows they come across, and
 * `purgeExpired()` deletes all of them. Each operation is one statement; `cas` relies on the row lock
 * of `UPDATE` / `INSERT … ON CONFLICT`, so concurrent swaps of one key have exactly one winner.
 * Times come from the database clock (`statement_timestamp()`), not the application's.
 */
export class PostgresKvStore implements KvStore {
  readonly #db: SqlExecutor;
  readonly #table: string;

  constructor(executor: SqlExecutor, options: PostgresKvStoreOptions = {}) {
    this.#db = executor;
    this.#table = quoteTableName(options.table ?? "fedify_kv");
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const t = this.#table;
    const rows = await this.#db.query<{ value: string }>(
      `WITH expired AS (DELETE FROM ${t} WHERE key = $1::text[] AND ${expired})
       SELECT value::text AS value FROM ${t} WHERE key = $1::text[] AND ${alive}`,
      [[...key]],
    );
    const row = rows[0];
    return row == null ? undefined : (JSON.parse(row.value) as T);
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    await this.#db.query(
      `INSERT INTO ${this.#table} (key, value, expires_at) VALUES ($1::text[], $2::jsonb, ${expiresAt("$3")})
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [[...key], canonicalJson(value), ttlMilliseconds(options)],
    );
  }

  async delete(key: KvKey): Promise<void> {
    await this.#db.query(`DELETE FROM ${this.#table} WHERE key = $1::text[]`, [[...key]]);
  }

  /**
   * Sets `newValue` if the current value deep-equals `expectedValue`. `undefined` stands for an absent
   * key on both sides, as in Fedify's MemoryKvStore: an undefined `expectedValue` means "only if absent",
   * an undefined `newValue` deletes the key (Fedify's circuit breaker closes a host's circuit that way).
   */
  async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    const t = this.#table;
    let rows: unknown[];
    if (newValue === undefined && expectedValue === undefined) {
      rows = await this.#db.query(`SELECT 1 AS absent WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE key = $1::text[] AND ${alive})`, [
        [...key],
      ]);
    } else if (newValue === undefined) {
      rows = await this.#db.query(
        `DELETE FROM ${t} WHERE key = $1::text[] AND value = $2::jsonb AND ${alive} RETURNING 1 AS swapped`,
        [[...key], canonicalJson(expectedValue)],
      );
    } else if (expectedValue === undefined) {
      // Inserts, or replaces an expired row; a live row makes the conflict clause update nothing.
      rows = await this.#db.query(
        `INSERT INTO ${t} AS kv (key, value, expires_at) VALUES ($1::text[], $2::jsonb, ${expiresAt("$3")})
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
         WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= statement_timestamp()
         RETURNING 1 AS swapped`,
        [[...key], canonicalJson(newValue), ttlMilliseconds(options)],
      );
    } else {
      // jsonb equality ignores object key order, like Fedify's deep equality.
      rows = await this.#db.query(
        `UPDATE ${t} SET value = $2::jsonb, expires_at = ${expiresAt("$3")}
         WHERE key = $1::text[] AND value = $4::jsonb AND ${alive}
         RETURNING 1 AS swapped`,
        [[...key], canonicalJson(newValue), ttlMilliseconds(options), canonicalJson(expectedValue)],
      );
    }
    return rows.length === 1;
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const t = this.#table;
    const match = prefix == null ? "TRUE" : "key[1:$2::int] = $1::text[]";
    const params = prefix == null ? [] : [[...prefix], prefix.length];
    const rows = await this.#db.query<{ key: string; value: string }>(
      `WITH expired AS (DELETE FROM ${t} WHERE ${match} AND ${expired})
       SELECT to_jsonb(key)::text AS key, value::text AS value FROM ${t} WHERE ${match} AND ${alive} ORDER BY key`,
      params,
    );
    for (const row of rows) yield { key: JSON.parse(row.key) as KvKey, value: JSON.parse(row.value) };
  }

  /** Deletes every expired row; returns how many. */
  async purgeExpired(): Promise<number> {
    const rows = await this.#db.query<{ purged: number }>(
      `WITH purged AS (DELETE FROM ${this.#table} WHERE ${expired} RETURNING 1)
       SELECT count(*)::int AS purged FROM purged`,
      [],
    );
    return Number(rows[0]?.purged ?? 0);
  }
}

const alive = "(expires_at IS NULL OR expires_at > statement_timestamp())";
const expired = "expires_at <= statement_timestamp()";

/** NULL when the TTL parameter is NULL. */
function expiresAt(ttlParam: string): string {
  return `statement_timestamp() + ${ttlParam}::double precision * interval '1 millisecond'`;
}

function quoteTableName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)) {
    throw new TypeError(`Invalid table name for PostgresKvStore: ${name}`);
  }
  return name
    .split(".")
    .map((part) => `"${part}"`)
    .join(".");
}
