/**
 * Tells, once a transaction is committed, that it wrote to tables that public documents show: the one
 * place every write goes through (ADR 0022, issue 15), whoever wrote it. Entity flushes, query builders,
 * `nativeUpdate` and raw SQL all reach the database through the ORM connection's `execute`, which names
 * the transaction the statement runs in; the ORM's transaction events tell when that transaction commits.
 *
 * - A statement inside a transaction marks its outermost transaction (savepoints map to it); the hook runs
 *   after that transaction's COMMIT, awaited by the commit, so the writer's own `await` (and its HTTP
 *   answer) comes after it. A rolled-back transaction runs nothing.
 * - A statement outside any transaction (autocommit) runs the hook once it has completed.
 * - Which statements count: `insert into`, `update`, `delete from` a table of `tables` (table names as
 *   written by MikroORM and by our raw SQL, quoted or not). Reads never do.
 *
 * Only the ORM's connection is watched: Fedify's KV store and queue have their own pool and tables.
 */
import type { EventSubscriber, MikroORM, TransactionEventArgs } from "@mikro-orm/core";
import { getLogger } from "@logtape/logtape";

const logger = getLogger(["relais", "db", "committed-writes"]);

/** The tables a statement writes to (lower case, without quotes or schema). */
export function writtenTables(sql: string): string[] {
  const out: string[] = [];
  for (const m of sql.matchAll(/\b(?:insert\s+into|update|delete\s+from)\s+(?:"?\w+"?\.)?"?(\w+)"?/gi)) out.push((m[1] as string).toLowerCase());
  return out;
}

type Execute = (query: unknown, params?: unknown, method?: unknown, ctx?: object, ...rest: unknown[]) => Promise<unknown>;

export interface CommittedWritesOptions {
  /** The tables whose writes matter. */
  readonly tables: ReadonlySet<string>;
  /** Run after each commit that wrote to one of them; awaited, its errors logged and swallowed. */
  readonly onCommitted: () => void | Promise<void>;
}

/** Installs the watch on `orm` (once, before any transaction). */
export function watchCommittedWrites(orm: MikroORM, opts: CommittedWritesOptions): void {
  const { tables } = opts;
  /** Outermost transactions that wrote to a watched table, until they commit or roll back. */
  const dirty = new WeakSet<object>();
  /** A savepoint → its outermost transaction. */
  const rootOf = new WeakMap<object, object>();
  /** The entity manager of a nested transaction being opened → the transaction it opens inside. */
  const openingIn = new WeakMap<object, object>();

  const committed = async () => {
    try {
      await opts.onCommitted();
    } catch (error) {
      logger.error("a hook after a committed write failed: {error}", { error });
    }
  };

  const subscriber: EventSubscriber = {
    beforeTransactionStart(args: TransactionEventArgs) {
      if (args.transaction) openingIn.set(args.em, args.transaction);
    },
    afterTransactionStart(args: TransactionEventArgs) {
      const trx = args.transaction as object | undefined;
      if (!trx || !("savepointName" in trx)) return;
      const parent = openingIn.get(args.em);
      openingIn.delete(args.em);
      if (parent) rootOf.set(trx, rootOf.get(parent) ?? parent);
    },
    async afterTransactionCommit(args: TransactionEventArgs) {
      const trx = args.transaction as object | undefined;
      if (!trx || "savepointName" in trx || !dirty.has(trx)) return;
      dirty.delete(trx);
      await committed();
    },
    afterTransactionRollback(args: TransactionEventArgs) {
      const trx = args.transaction as object | undefined;
      if (trx && !("savepointName" in trx)) dirty.delete(trx);
    },
  };
  orm.em.getEventManager().registerSubscriber(subscriber);

  const connection = orm.em.getConnection() as unknown as { execute: Execute };
  const execute: Execute = connection.execute.bind(connection);
  connection.execute = async (query, params, method, ctx, ...rest) => {
    const sql = typeof query === "string" ? query : String((query as { sql?: unknown } | null)?.sql ?? "");
    if (!writtenTables(sql).some((t) => tables.has(t))) return execute(query, params, method, ctx, ...rest);
    if (ctx) {
      dirty.add(rootOf.get(ctx) ?? ctx);
      return execute(query, params, method, ctx, ...rest);
    }
    const result = await execute(query, params, method, ctx, ...rest);
    await committed();
    return result;
  };
}
