import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogs, type LogCapture } from "../../../tests/support/log-capture.ts";
import { createTestDatabase } from "../../../tests/support/services.ts";
import { AppError } from "../../shared/errors.ts";
import { permanentFailure, refusedOnceWhenPermanent } from "./listener-errors.ts";

describe("inbox listener failures", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: pg.Client;
  let logs: LogCapture;
  beforeAll(async () => {
    logs = await captureLogs();
    db = await createTestDatabase("listener_errors");
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
    await logs?.close();
  });

  /** The error PostgreSQL really gives for `sql`. */
  async function postgresError(sql: string, params: unknown[] = []): Promise<unknown> {
    return await client.query(sql, params).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it("treats what PostgreSQL refuses to store as permanent", async () => {
    expect(permanentFailure(await postgresError("select $1::text", ["a\u0000b"]))).toMatch(/SQLSTATE 22021/);
    expect(permanentFailure(await postgresError("select 'x'::int"))).toMatch(/SQLSTATE 22P02/);
    expect(permanentFailure(new AppError("invalid", 422, "bad"))).toBe("invalid: bad");
  });

  it("leaves what a retry may cure to Fedify's retries", async () => {
    const refused = await new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:1/x" }).connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(Error);
    expect(permanentFailure(refused)).toBeUndefined();
    expect(permanentFailure(new Error("boom"))).toBeUndefined();
    expect(permanentFailure(new AppError("unavailable", 503, "later"))).toBeUndefined();
  });

  it("refuses a permanent failure once, with one line and no retry; rethrows the others", async () => {
    const activity = { id: new URL("https://a.example/1"), actorId: new URL("https://a.example/u") };
    const storageError = await postgresError("select $1::text", ["a\u0000b"]);
    logs.clear();
    await expect(refusedOnceWhenPermanent("Follow", async () => Promise.reject(storageError))(undefined, activity)).resolves.toBeUndefined();
    const lines = logs.lines.filter((l) => l.level !== "debug");
    expect(lines.map((l) => `${l.level} ${l.text}`)).toEqual(["warning Follow refused for good, not retried: the database refused the data (SQLSTATE 22021)"]);
    const transient = new Error("connection reset");
    await expect(refusedOnceWhenPermanent("Follow", async () => Promise.reject(transient))(undefined, activity)).rejects.toBe(transient);
  });
});
