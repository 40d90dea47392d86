/**
 * Copies every row of one PostgreSQL database's tables into the same, empty tables of another (both
 * made by the same migrations): rows travel as JSON (`row_to_json` → `json_populate_recordset`), so
 * every type comes back as the source wrote it (jsonb, timestamps, arrays, bytea, numerics), tables
 * in foreign-key order, identity and serial sequences set to where the source left them.
 */
import type pg from "pg";

export interface TableCount {
  readonly table: string;
  readonly source: number;
  readonly target: number;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The tables of the current schema, parents before children (foreign keys). */
export async function tablesInCopyOrder(db: pg.ClientBase, skip: readonly string[]): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `select table_name as name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  const { rows: edges } = await db.query<{ child: string; parent: string }>(
    `select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
     from pg_constraint c join pg_namespace n on n.oid = c.connamespace
     where c.contype = 'f' and n.nspname = current_schema()`,
  );
  const unquote = (name: string) => name.replace(/^"(.*)"$/, "$1").replaceAll('""', '"');
  const names = tables.map((t) => t.name).filter((n) => !skip.includes(n));
  const parents = new Map(names.map((n) => [n, new Set<string>()]));
  for (const e of edges) {
    const child = unquote(e.child);
    const parent = unquote(e.parent);
    if (child !== parent && parents.has(child) && parents.has(parent)) parents.get(child)?.add(parent);
  }
  const ordered: string[] = [];
  while (parents.size > 0) {
    const ready = [...parents].filter(([, ps]) => [...ps].every((p) => !parents.has(p))).map(([n]) => n);
    if (ready.length === 0) throw new Error(`foreign keys form a cycle between ${[...parents.keys()].join(", ")}`);
    for (const n of ready) {
      ordered.push(n);
      parents.delete(n);
    }
  }
  return ordered;
}

/** Columns the copy writes: all but generated ones (the target computes those). */
export async function writableColumns(db: pg.ClientBase, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select column_name as name from information_schema.columns
     where table_schema = current_schema() and table_name = $1 and is_generated = 'NEVER' order by ordinal_position`,
    [table],
  );
  return rows.map((r) => r.name);
}

export async function countRows(db: pg.ClientBase, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${quote(table)}`);
  return rows[0]?.n ?? 0;
}

/**
 * Copies `tables` (in that order) from `source` to `target`, inside the caller's transactions on both
 * (the source's must see one snapshot: REPEATABLE READ). Returns the rows copied per table.
 */
export async function copyTables(
  source: pg.ClientBase,
  target: pg.ClientBase,
  tables: readonly string[],
  opts: { batchRows?: number; onTable?: (table: string, rows: number) => void } = {},
): Promise<Map<string, number>> {
  const batch = opts.batchRows ?? 500;
  const copied = new Map<string, number>();
  for (const table of tables) {
    const columns = await writableColumns(target, table);
    const list = columns.map(quote).join(", ");
    const cursor = `relais_copy_${copied.size}`;
    await source.query(`declare ${cursor} no scroll cursor for select row_to_json(t)::text as r from ${quote(table)} t`);
    let rows = 0;
    for (;;) {
      const { rows: got } = await source.query<{ r: string }>(`fetch ${batch} from ${cursor}`);
      if (got.length === 0) break;
      await target.query(
        `insert into ${quote(table)} (${list}) overriding system value
         select ${list} from json_populate_recordset(null::${quote(table)}, $1::json)`,
        [`[${got.map((g) => g.r).join(",")}]`],
      );
      rows += got.length;
    }
    await source.query(`close ${cursor}`);
    copied.set(table, rows);
    opts.onTable?.(table, rows);
  }
  return copied;
}

/** Sets every sequence of the target's schema to the source's value (serial and identity columns). */
export async function copySequences(source: pg.ClientBase, target: pg.ClientBase): Promise<number> {
  const { rows: sequences } = await source.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'S' and n.nspname = current_schema()`,
  );
  for (const { name } of sequences) {
    const { rows } = await source.query<{ last_value: string; is_called: boolean }>(`select last_value, is_called from ${quote(name)}`);
    const state = rows[0];
    if (state) await target.query("select setval($1::regclass, $2::bigint, $3)", [quote(name), state.last_value, state.is_called]);
  }
  return sequences.length;
}
