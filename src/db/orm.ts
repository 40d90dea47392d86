import { MikroORM, type Options } from "@mikro-orm/postgresql";
import { Migrator } from "@mikro-orm/migrations";
import { migrationsList } from "../../migrations/index.ts";
import { entities, unmappedTables } from "./entities.ts";

export type { EntityManager } from "@mikro-orm/postgresql";
export { MikroORM };

/** Where the ORM connects: a URL (real PostgreSQL) or explicit fields (the embedded one's socket). */
export type DatabaseTarget =
  | { url: string }
  | { host: string; port: number; database: string; user: string; password?: string | undefined };

export function ormOptions(target: DatabaseTarget, opts: { poolSize?: number; debug?: boolean } = {}): Options {
  const connection =
    "url" in target
      ? { clientUrl: target.url }
      : { host: target.host, port: target.port, dbName: target.database, user: target.user, password: target.password };
  return {
    ...connection,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: opts.poolSize ?? 10 },
    debug: opts.debug ?? false,
    // Entities are plain data; we never rely on lazy-loading proxies across requests.
    forceEntityConstructor: false,
    allowGlobalContext: false,
    migrations: {
      tableName: "relais_migrations",
      silent: true,
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      path: "migrations",
      emit: "ts",
    },
    schemaGenerator: { skipTables: unmappedTables },
  };
}

export async function openOrm(target: DatabaseTarget, opts: { poolSize?: number } = {}): Promise<MikroORM> {
  return MikroORM.init(ormOptions(target, opts));
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}
