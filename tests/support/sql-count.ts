import type { MikroORM } from "../../src/db/orm.ts";

/**
 * Records the SQL statements the ORM sends (through its connection's query log hook, whatever the debug
 * setting), to count them around a request. Statements sent by other pools (Fedify's queue and KV
 * store) are not seen: use it for paths that only go through the ORM, or count those separately.
 */
export function recordStatements(orm: MikroORM): { readonly statements: string[]; clear(): void; stop(): void } {
  const connection = orm.em.getConnection() as unknown as { logQuery: (query: string, context?: unknown) => void };
  const original = connection.logQuery;
  const statements: string[] = [];
  connection.logQuery = function (this: unknown, query: string, context?: unknown) {
    statements.push(query);
    return original.call(this, query, context);
  };
  return {
    statements,
    clear: () => {
      statements.length = 0;
    },
    stop: () => {
      connection.logQuery = original;
    },
  };
}
