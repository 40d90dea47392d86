import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";
import { recordStatements } from "../support/sql-count.ts";

interface Fixture {
  id: string;
  collective: "lyon" | "gent";
  startsAt: number;
  endsAt: number | null;
  published: boolean;
  visibility: "public" | "unlisted";
  status: "scheduled" | "cancelled";
  deleted: boolean;
}

const at = (iso: string) => Date.parse(iso);

describe("API lists: cursor pages", () => {
  let relais: RelaisInstance;
  let token: string;
  let gentToken: string;
  const ids: Record<string, string> = {};
  const events: Fixture[] = [];

  const api = async (path: string, t: string = token) => {
    const res = await fetch(relais.url(path), { headers: { authorization: `Bearer ${t}` } });
    return { status: res.status, body: (await res.json()) as { items: { id: string; userId?: string; startsAt: string }[]; next: string | null; message?: string; error?: string } };
  };

  /** Follows `next` from the first page to the last; fails on a page that is not 200. */
  const allPages = async (path: string, t: string = token) => {
    const pages: string[][] = [];
    let next: string | null = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const res = await api(next === null ? path : `${path}${sep}cursor=${encodeURIComponent(next)}`, t);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      pages.push(res.body.items.map((e) => e.userId ?? e.id));
      next = res.body.next;
      expect(pages.length).toBeLessThan(200);
    } while (next !== null);
    return pages;
  };

  const insert = async (e: Omit<Fixture, "id">): Promise<Fixture> => {
    const row = { ...e, id: randomUUID() };
    await relais.runtime.orm.em.getConnection().execute(
      `insert into event (id, collective_id, name, starts_at, ends_at, timezone, tags, status, links, visibility, published, deleted_at, created_at, updated_at)
       values (?, ?, '{"fr":"Évènement"}', ?, ?, 'Europe/Paris', '[]', ?, '[]', ?, ?, ?, now(), now())`,
      [
        row.id,
        ids[row.collective],
        new Date(row.startsAt),
        row.endsAt === null ? null : new Date(row.endsAt),
        row.status,
        row.visibility,
        row.published,
        row.deleted ? new Date() : null,
      ],
    );
    events.push(row);
    return row;
  };

  /** What a list must show, computed from the fixtures alone: the window, the filters, (startsAt, id) order. */
  const expected = (opts: { collective: "lyon" | "gent"; from?: number; to?: number; drafts?: boolean; status?: string }) =>
    events
      .filter((e) => e.collective === opts.collective && !e.deleted)
      .filter((e) => opts.drafts || (e.published && e.visibility === "public"))
      .filter((e) => opts.from === undefined || (e.endsAt ?? e.startsAt) >= opts.from)
      .filter((e) => opts.to === undefined || e.startsAt < opts.to)
      .filter((e) => opts.status === undefined || e.status === opts.status)
      .sort((a, b) => a.startsAt - b.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((e) => e.id);

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    const { collectives } = relais.runtime;
    ids.lyon = (await collectives.create({ slug: "lyon", name: { fr: "Lyon" }, primaryLanguage: "fr" })).id;
    ids.gent = (await collectives.create({ slug: "gent", name: { nl: "Gent" }, primaryLanguage: "nl" })).id;
    token = (await createEditor(relais.runtime, "lyon", "ana@example.org")).token;
    gentToken = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).token;
    const base = { published: true, visibility: "public" as const, status: "scheduled" as const, deleted: false };
    for (const collective of ["lyon", "gent"] as const) {
      // Long past, with and without an end.
      for (let i = 0; i < 15; i++) await insert({ ...base, collective, startsAt: at("2020-01-01T10:00Z") + i * 86_400_000, endsAt: i % 2 ? null : at("2020-01-01T12:00Z") + i * 86_400_000 });
      // Started before 2030 and still running on 2030-01-01.
      for (let i = 0; i < 5; i++) await insert({ ...base, collective, startsAt: at("2029-12-01T10:00Z") + i * 3_600_000, endsAt: at("2030-02-01T00:00Z") });
      // Forty at the very same instant (ties broken by id), then spread out.
      for (let i = 0; i < 40; i++) await insert({ ...base, collective, startsAt: at("2030-03-01T10:00Z"), endsAt: i % 3 ? null : at("2030-03-01T12:00Z") });
      for (let i = 0; i < 30; i++) await insert({ ...base, collective, startsAt: at("2030-04-01T10:00Z") + (i % 10) * 86_400_000, endsAt: null, status: i % 4 ? "scheduled" : "cancelled" });
      // Drafts, unlisted and deleted events in the middle.
      for (let i = 0; i < 6; i++) await insert({ ...base, collective, startsAt: at("2030-03-01T10:00Z"), endsAt: null, published: i % 2 === 0, visibility: i % 2 ? "public" : "unlisted" });
      for (let i = 0; i < 4; i++) await insert({ ...base, collective, startsAt: at("2030-03-01T10:00Z"), endsAt: null, deleted: true });
    }
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("pages through every event of the window once, in (startsAt, id) order, whatever the page size", async () => {
    const from = at("2030-01-01T00:00Z");
    const want = expected({ collective: "lyon", from });
    expect(want.length).toBe(75);
    for (const limit of [1, 7, 20, 100]) {
      const pages = await allPages(`/api/v1/collectives/lyon/events?from=2030-01-01&limit=${limit}`);
      expect(pages.flat()).toEqual(want);
      expect(new Set(pages.flat()).size).toBe(want.length);
      for (const page of pages.slice(0, -1)) expect(page.length).toBe(limit);
      expect(pages.length).toBe(Math.ceil(want.length / limit));
    }
  });

  it("keeps the filters on every page: window, status, drafts for editors only", async () => {
    const cases: [string, Parameters<typeof expected>[0], string?][] = [
      ["from=2019-06-01&to=2030-03-02", { collective: "lyon", from: at("2019-06-01T00:00Z"), to: at("2030-03-02T00:00Z") }],
      ["from=2030-01-01&status=cancelled", { collective: "lyon", from: at("2030-01-01T00:00Z"), status: "cancelled" }],
      ["from=2030-01-01&drafts=true", { collective: "lyon", from: at("2030-01-01T00:00Z"), drafts: true }],
      ["to=2021-01-01", { collective: "lyon", to: at("2021-01-01T00:00Z") }],
      // Gent's owner asks for Lyon's drafts: only what is public.
      ["from=2030-01-01&drafts=true", { collective: "lyon", from: at("2030-01-01T00:00Z") }, gentToken],
    ];
    for (const [query, filters, t] of cases) {
      const pages = await allPages(`/api/v1/collectives/lyon/events?${query}&limit=9`, t);
      expect(pages.flat(), query).toEqual(expected(filters));
    }
  });

  it("neither repeats nor skips an item when events are added and removed between pages", async () => {
    const path = "/api/v1/collectives/lyon/events?from=2030-01-01&limit=10";
    const first = await api(path);
    const seen = first.body.items.map((e) => e.id);
    const cursor = first.body.next as string;
    // One before the position (on the page already read: not shown again), one after it (shown), and an
    // event of the next part removed.
    await insert({ collective: "lyon", startsAt: at("2030-01-02T00:00Z"), endsAt: null, published: true, visibility: "public", status: "scheduled", deleted: false });
    const later = await insert({ collective: "lyon", startsAt: at("2030-05-01T00:00Z"), endsAt: null, published: true, visibility: "public", status: "scheduled", deleted: false });
    const want = expected({ collective: "lyon", from: at("2030-01-01T00:00Z") });
    const removed = want[want.length - 3] as string;
    await relais.runtime.orm.em.getConnection().execute("update event set deleted_at = now() where id = ?", [removed]);
    (events.find((e) => e.id === removed) as Fixture).deleted = true;
    const rest: string[] = [];
    let next: string | null = cursor;
    while (next) {
      const res = await api(`${path}&cursor=${next}`);
      rest.push(...res.body.items.map((e) => e.id));
      next = res.body.next;
    }
    const now = expected({ collective: "lyon", from: at("2030-01-01T00:00Z") });
    const position = now.indexOf(seen.at(-1) as string);
    expect(rest).toEqual(now.slice(position + 1));
    expect(rest).toContain(later.id);
    expect(rest).not.toContain(removed);
    expect(new Set([...seen, ...rest]).size).toBe(seen.length + rest.length);
  });

  it("gives 20 by default and at most 100, and answers a bad limit or cursor with a 400 that says what to do", async () => {
    const byDefault = await api("/api/v1/collectives/lyon/events?from=2019-01-01");
    expect(byDefault.body.items.length).toBe(20);
    expect(byDefault.body.next).toEqual(expect.any(String));
    const all = expected({ collective: "lyon", from: at("2019-01-01T00:00Z") }).length;
    expect(all).toBeGreaterThan(90);
    const hundred = await api("/api/v1/collectives/lyon/events?from=2019-01-01&limit=100");
    expect([hundred.body.items.length, hundred.body.next]).toEqual([all, null]);
    const ninety = await api("/api/v1/collectives/lyon/events?from=2019-01-01&limit=90");
    expect(ninety.body.items.length).toBe(90);
    expect(ninety.body.next).toEqual(expect.any(String));
    for (const limit of ["0", "101", "ten", "2.5", "-1", ""]) {
      const res = await api(`/api/v1/collectives/lyon/events?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(res.body.message).toMatch(/limit: must be a whole number from 1 to 100/);
    }
    const tokens = await api("/api/v1/tokens?limit=1");
    const otherList = tokens.body.next;
    const badCursors = [
      "garbage!!",
      "bm90IGpzb24",
      Buffer.from(JSON.stringify(["events", "x", 1])).toString("base64url"),
      Buffer.from(JSON.stringify(["events", 1])).toString("base64url"),
    ];
    if (otherList) badCursors.push(otherList);
    for (const cursor of badCursors) {
      const res = await api(`/api/v1/collectives/lyon/events?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      expect(res.body.error).toBe("bad_query");
      expect(res.body.message).toMatch(/cursor: not a cursor of this list; pass the `next` value of the previous page unchanged/);
    }
    const both = await api("/api/v1/collectives/lyon/events?limit=500&from=soon");
    expect(both.status).toBe(400);
    expect(both.body.message).toMatch(/limit/);
    expect(both.body.message).toMatch(/from/);
    expect((await api("/api/v1/collectives/nowhere/events")).status).toBe(404);
  });

  it("reads a page with one statement after the token's, then none while both are kept, and writes the token's last use at most once a minute", async () => {
    const lastUsed = async () =>
      (await relais.runtime.orm.em.getConnection().execute<{ ms: string | null }[]>(
        "select (extract(epoch from t.last_used_at) * 1000)::bigint::text as ms from api_token t join app_user u on u.id = t.user_id where u.email = 'ana@example.org'",
      )).map((r) => (r.ms === null ? null : Number(r.ms)))[0];
    await api("/api/v1/collectives/lyon/events?limit=5");
    const first = await lastUsed();
    expect(first).toEqual(expect.any(Number));
    const recorder = recordStatements(relais.runtime.orm);
    try {
      for (const path of ["/api/v1/collectives/lyon/events?limit=5", "/api/v1/collectives/lyon/events?from=2030-01-01&limit=100", "/api/v1/tokens", "/api/v1/collectives/lyon/members"]) {
        // Nothing kept: neither the token looked up (PrincipalCache) nor the list (the read cache).
        relais.runtime.users.forgetPrincipals();
        await relais.runtime.readCache.invalidate();
        recorder.clear();
        const t0 = Date.now();
        expect((await api(path)).status).toBe(200);
        expect(recorder.statements.length, `${path}: ${recorder.statements.join("\n")}`).toBe(2);
        expect(recorder.statements.every((s) => /^\s*select/i.test(s)), recorder.statements.join("\n")).toBe(true);
        // Asked again at once: the token is kept a second, a public list until the next write.
        recorder.clear();
        expect((await api(path)).status).toBe(200);
        const expected = path.includes("/events") ? 0 : 1;
        if (Date.now() - t0 < 900) expect(recorder.statements.length, `${path} again: ${recorder.statements.join("\n")}`).toBe(expected);
      }
      expect(await lastUsed()).toBe(first);
      // A minute later the next request records the use again (one update).
      await relais.runtime.orm.em.getConnection().execute("update api_token set last_used_at = now() - interval '61 seconds' where last_used_at is not null");
      recorder.clear();
      await api("/api/v1/tokens");
      expect(recorder.statements.filter((s) => /^\s*update/i.test(s)).length).toBe(1);
    } finally {
      recorder.stop();
    }
    expect(await lastUsed()).toBeGreaterThan(Date.now() - 30_000);
  });

  it("pages tokens (newest first) and members (oldest first) the same way, ties included", async () => {
    for (let i = 0; i < 23; i++) await relais.runtime.users.createToken("ana@example.org", { name: `t${i}` });
    // Ten tokens made in the same millisecond.
    await relais.runtime.orm.em.getConnection().execute(
      "update api_token set created_at = '2030-01-01T00:00:00Z' where name in ('t3','t4','t5','t6','t7','t8','t9','t10','t11','t12')",
    );
    const want = (await relais.runtime.users.listTokens({ email: "ana@example.org" })).map((t) => t.id);
    expect(want.length).toBe(24);
    const pages = await allPages("/api/v1/tokens?limit=5");
    expect(pages.flat()).toEqual(want);

    for (let i = 0; i < 7; i++) {
      await relais.runtime.users.create(`m${i}@example.org`, "correct horse battery");
      await relais.runtime.users.addMember("lyon", `m${i}@example.org`, "editor");
    }
    await relais.runtime.orm.em.getConnection().execute("update membership set created_at = '2030-01-01T00:00:00Z' where collective_id = ?", [ids.lyon]);
    const members = (await relais.runtime.memberships.list("cli", "lyon")).members.map((m) => m.userId).sort();
    const memberPages = await allPages("/api/v1/collectives/lyon/members?limit=3");
    const listed = memberPages.flat().map((id) => id);
    expect(memberPages.length).toBe(3);
    expect([...listed].sort()).toEqual(members);
    expect(new Set(listed).size).toBe(8);
    const memberItems = (await api("/api/v1/collectives/lyon/members?limit=100")).body.items as unknown as { userId: string }[];
    expect(memberItems.map((m) => m.userId)).toEqual(listed);
    expect((await api("/api/v1/collectives/lyon/members", gentToken)).status).toBe(403);
    expect((await api("/api/v1/collectives/nowhere/members")).status).toBe(404);
  });

  it("describes limit, cursor and next in the OpenAPI document", async () => {
    const doc = await (await fetch(relais.url("/api/v1/openapi.json"))).json();
    for (const path of ["/api/v1/collectives/{slug}/events", "/api/v1/tokens", "/api/v1/collectives/{slug}/members"]) {
      const get = doc.paths[path].get;
      const names = get.parameters.map((p: { name: string }) => p.name);
      expect(names, path).toEqual(expect.arrayContaining(["limit", "cursor"]));
      const limit = get.parameters.find((p: { name: string }) => p.name === "limit");
      expect(limit.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 100, default: 20 });
      expect(get.responses["200"].content["application/json"].schema.properties.next).toBeDefined();
      expect(get.responses["400"]).toBeDefined();
    }
  });
});
