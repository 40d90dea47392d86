import type { EntitySchema } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * Rows of a raw query as plain objects of an entity's shape, without MikroORM's hydration (identity map,
 * property setters, change tracking): lists that read many rows to show them spent most of their time
 * there (bench/reads, the API list). Built from the entity's metadata, so new columns are mapped too:
 * scalars as the driver gives them, JSON parsed, timestamps as Dates, a many-to-one as `{ id }`. The
 * objects are read-only views: never flush them.
 */
const mappers = new Map<string, (row: Record<string, unknown>) => unknown>();

export function plainRowMapper<T>(em: EntityManager, entity: EntitySchema): (row: Record<string, unknown>) => T {
  const known = mappers.get(entity.meta.className);
  if (known) return known as (row: Record<string, unknown>) => T;
  const meta = em.getMetadata().get(entity);
  const fields = meta.props
    .filter((p) => (p.kind === "scalar" || p.kind === "m:1") && p.fieldNames?.length === 1)
    .map((p) => ({
      name: p.name,
      column: p.fieldNames[0] as string,
      convert:
        p.kind === "m:1"
          ? (v: unknown) => (v === null || v === undefined ? v : { id: v })
          : p.runtimeType === "Date"
            ? (v: unknown) => (v === null || v === undefined || v instanceof Date ? v : parseTimestamp(String(v)))
            : p.type === "JsonType" || p.customType?.constructor?.name === "JsonType"
              ? (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v)
              : (v: unknown) => v,
    }));
  const map = (row: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) if (f.column in row) out[f.name] = f.convert(row[f.column]);
    return out as T;
  };
  mappers.set(entity.meta.className, map);
  return map;
}

const timestamp = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?|Z)?( BC)?$/;

/** PostgreSQL's text form of a `timestamptz` ("2026-12-02 11:35:35.796123+00", "+05:30", " BC") as a Date. */
export function parseTimestamp(text: string): Date {
  const m = timestamp.exec(text);
  if (!m) throw new Error(`not a PostgreSQL timestamp: ${text}`);
  let year = Number(m[1]);
  if (m[12]) year = 1 - year;
  const ms = Number(((m[7] ?? "") + "000").slice(0, 3));
  const utc = new Date(0);
  utc.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  utc.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), ms);
  const offset = m[8] ? (m[8] === "-" ? -1 : 1) * ((Number(m[9]) * 60 + Number(m[10] ?? 0)) * 60 + Number(m[11] ?? 0)) * 1000 : 0;
  return new Date(utc.getTime() - offset);
}
