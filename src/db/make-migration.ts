// Developer tool: `npm run migration:create -- <name>` diffs the entities against a fresh database with
// every committed migration applied, writes the new migration into migrations/ and lists it in
// migrations/index.ts. Needs a PostgreSQL server (RELAIS_DEV_POSTGRES_URL, default the local one).
import "../temporal.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openOrm } from "./orm.ts";

const name = process.argv[2];
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error("usage: npm run migration:create -- <name in kebab-case>");
  process.exit(2);
}
const adminUrl = process.env.RELAIS_DEV_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `relais_make_migration_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const migrationsDir = fileURLToPath(new URL("../../migrations/", import.meta.url));
try {
  const orm = await openOrm({ url: url.href });
  try {
    await orm.migrator.up();
    const result = await orm.migrator.create(migrationsDir, false, false, name);
    if (!result.fileName) {
      console.error("no changes: the entities match the migrations");
    } else {
      const className = result.fileName.replace(/\.ts$/, "");
      const indexPath = `${migrationsDir}index.ts`;
      const index = readFileSync(indexPath, "utf8")
        .replace(/^import .*\n/m, (m) => m)
        .replace(
          /export const migrationsList = \[([\s\S]*?)\];/,
          (_m, items: string) =>
            `export const migrationsList = [${items.trim() ? `${items.trimEnd()}\n` : "\n"}  { name: "${className}", class: ${className} },\n];`,
        );
      writeFileSync(indexPath, `import { ${className} } from "./${result.fileName}";\n${index}`);
      console.error(`wrote migrations/${result.fileName}`);
    }
  } finally {
    await orm.close();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
