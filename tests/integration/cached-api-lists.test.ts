// A collective's event list in the JSON API is kept in the read cache (src/api/event-list-cache.ts, ADR
// 0022) and tokens looked up are kept a second (PrincipalCache): over real HTTP, real PostgreSQL, with the
// cache in memory and in Redis. A new, edited or deleted event is what the very next request gets and the
// old ETag then gets the new body (200), never a 304; an editor's drafts never reach a kept answer and a
// kept answer never replaces an editor's; cursor pages stay whole; a list that starts "now" drops an event
// that has just ended, or a series just over, without any write; a revoked token and a removed role hold for the next request.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor } from "../support/editor.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";

type Item = { id: string; name: Record<string, string>; published: boolean };
type ListBody = { items: Item[]; next: string | null };

for (const store of ["memory", "redis"] as const) {
  describe(`cached API lists (${store})`, () => {
    let relais: RelaisInstance;
    let editorToken: string;
    let readerToken: string;
    const slug = `gent${store}`;
    const list = `/api/v1/collectives/${slug}/events`;

    const call = (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(relais.url(path), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
        body: body ? JSON.stringify(body) : null,
      });
    const get = async (path: string, token: string, headers: Record<string, string> = {}) => {
      const res = await call("GET", path, token, undefined, headers);
      return { status: res.status, etag: res.headers.get("etag"), cacheControl: res.headers.get("cache-control"), text: await res.text() };
    };
    const names = (text: string) => (JSON.parse(text) as ListBody).items.map((e) => e.name.nl);

    /** A 200 with an ETag, then a 304 for that ETag: the mark of a kept answer. */
    const kept = async (path: string, token: string) => {
      const first = await get(path, token);
      expect(first.status, first.text).toBe(200);
      expect(first.etag).toMatch(/^"[\w-]+"$/);
      expect(first.cacheControl).toBe("private, no-cache");
      expect((await get(path, token, { "if-none-match": first.etag as string })).status).toBe(304);
      return first;
    };
    /** After a change, the old ETag gets the new body. */
    const changed = async (path: string, token: string, oldEtag: string) => {
      const res = await get(path, token, { "if-none-match": oldEtag });
      expect(res.status).toBe(200);
      expect(res.etag).not.toBe(oldEtag);
      return res;
    };
    const create = async (name: string, published = true, startsAt = "2031-05-01T10:00") => {
      const res = await call("POST", `/api/v1/collectives/${slug}/events`, editorToken, {
        name: { nl: name },
        startsAt,
        timezone: "Europe/Brussels",
        onlineUrl: "https://meet.example.org/gent",
        published,
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as Item).id;
    };

    beforeAll(async () => {
      relais = await startRelaisInstance({ redis: store === "redis" });
      await relais.runtime.collectives.create({ slug, name: { nl: "Collectief Gent" }, primaryLanguage: "nl" });
      editorToken = (await createEditor(relais.runtime, slug, `${store}-an@example.org`, "owner")).token;
      await relais.runtime.users.create(`${store}-reader@example.org`, "correct horse battery");
      readerToken = (await relais.runtime.users.createToken(`${store}-reader@example.org`)).token;
    }, 60_000);
    afterAll(async () => {
      await relais?.close();
    });

    it("a new, an edited and a deleted event are what the next request gets; the old ETag never gets a 304", async () => {
      const a = await create("Betoging A", true, "2031-05-01T10:00");
      const before = await kept(list, readerToken);
      expect(names(before.text)).toEqual(["Betoging A"]);

      const b = await create("Betoging B", true, "2031-05-02T10:00");
      const afterNew = await changed(list, readerToken, before.etag as string);
      expect(names(afterNew.text)).toEqual(["Betoging A", "Betoging B"]);

      expect((await call("PATCH", `/api/v1/events/${a}`, editorToken, { name: { nl: "Betoging A, verplaatst" } })).status).toBe(200);
      const afterEdit = await changed(list, readerToken, afterNew.etag as string);
      expect(names(afterEdit.text)).toEqual(["Betoging A, verplaatst", "Betoging B"]);

      expect((await call("DELETE", `/api/v1/events/${b}`, editorToken)).status).toBe(204);
      const afterDelete = await changed(list, readerToken, afterEdit.etag as string);
      expect(names(afterDelete.text)).toEqual(["Betoging A, verplaatst"]);

      // A write outside the services (SQL through the ORM) is seen by the next request too.
      await relais.runtime.orm.em.getConnection().execute("update event set name = '{\"nl\":\"Betoging A, hernoemd\"}' where id = ?", [a]);
      const afterSql = await changed(list, readerToken, afterDelete.etag as string);
      expect(names(afterSql.text)).toEqual(["Betoging A, hernoemd"]);
      // The same answer for every token: the editor's list without drafts is the reader's, ETag included.
      expect((await get(list, editorToken, { "if-none-match": afterSql.etag as string })).status).toBe(304);
    });

    it("an editor's drafts never reach the kept answer, and the kept answer never replaces the editor's", async () => {
      await create("Concept C", false, "2031-05-03T10:00");
      const drafts = `${list}?drafts=true`;
      const editorFirst = await get(drafts, editorToken);
      expect(editorFirst.status).toBe(200);
      expect(names(editorFirst.text)).toContain("Concept C");
      expect(editorFirst.etag).toBeNull();
      // After the editor asked, nobody else gets the draft: with or without drafts=true.
      for (const path of [list, drafts]) {
        const res = await get(path, readerToken);
        expect(res.status).toBe(200);
        expect(names(res.text), path).not.toContain("Concept C");
      }
      const publicAnswer = await kept(list, editorToken);
      expect(names(publicAnswer.text)).not.toContain("Concept C");
      // And after the public answer was kept (for the editor too), the editor's drafts are still theirs.
      const editorAgain = await get(drafts, editorToken);
      expect(names(editorAgain.text)).toContain("Concept C");
    });

    it("cursor pages from kept answers are whole, also when an event comes in between two pages", async () => {
      for (let i = 0; i < 5; i++) await create(`Reeks ${i}`, true, `2031-06-0${i + 1}T10:00`);
      const walk = async () => {
        const seen: string[] = [];
        let next: string | null = null;
        do {
          const res = await get(next === null ? `${list}?limit=2` : `${list}?limit=2&cursor=${encodeURIComponent(next)}`, readerToken);
          expect(res.status).toBe(200);
          const body = JSON.parse(res.text) as ListBody;
          seen.push(...body.items.map((e) => e.name.nl as string));
          next = body.next;
        } while (next !== null);
        return seen;
      };
      const first = await walk();
      expect(first.filter((n) => n.startsWith("Reeks"))).toEqual(["Reeks 0", "Reeks 1", "Reeks 2", "Reeks 3", "Reeks 4"]);
      expect(await walk()).toEqual(first);
      // One page kept, then an event comes in before what follows it: the next page has it.
      const page1 = JSON.parse((await kept(`${list}?limit=2`, readerToken)).text) as ListBody;
      await create("Reeks 9", true, "2031-06-09T10:00");
      const rest = await walk();
      expect(rest).toContain("Reeks 9");
      expect(new Set(rest).size).toBe(rest.length);
      expect(page1.next).not.toBeNull();
    });

    it("a list that starts now drops an event as soon as it has ended, without any write", async () => {
      const listNow = `${list}?status=scheduled`;
      const ends = Date.now() + 2500;
      const collectiveId = (await relais.runtime.collectives.findBySlug(slug))?.id;
      await relais.runtime.orm.em.getConnection().execute(
        `insert into event (id, collective_id, name, starts_at, ends_at, timezone, tags, status, links, visibility, published, created_at, updated_at)
         values (?, ?, '{"nl":"Bijna voorbij"}', now() - interval '1 hour', ?, 'Europe/Brussels', '[]', 'scheduled', '[]', 'public', true, now(), now())`,
        [randomUUID(), collectiveId, new Date(ends)],
      );
      const during = await kept(listNow, readerToken);
      expect(names(during.text)[0]).toBe("Bijna voorbij");
      await new Promise((r) => setTimeout(r, Math.max(0, ends - Date.now()) + 50));
      const after = await changed(listNow, readerToken, during.etag as string);
      expect(names(after.text)).not.toContain("Bijna voorbij");
    });

    it("a series under way leaves a list that starts now once it is over, without any write", async () => {
      const listNow = `${list}?status=postponed`;
      const over = Date.now() + 2500;
      const collectiveId = (await relais.runtime.collectives.findBySlug(slug))?.id;
      // Its first occurrence ended an hour ago; the series ends in 2.5 s.
      await relais.runtime.orm.em.getConnection().execute(
        `insert into event (id, collective_id, name, starts_at, ends_at, timezone, tags, status, links, visibility, published, created_at, updated_at, recurrence, series_ends_at)
         values (?, ?, '{"nl":"Wekelijkse wake"}', now() - interval '2 hours', now() - interval '1 hour', 'Europe/Brussels', '[]', 'postponed', '[]', 'public', true, now(), now(),
                 '{"frequency":"weekly","interval":1,"weekdays":["TH"]}', ?)`,
        [randomUUID(), collectiveId, new Date(over)],
      );
      const during = await get(listNow, readerToken);
      expect(names(during.text)).toEqual(["Wekelijkse wake"]);
      await new Promise((r) => setTimeout(r, Math.max(0, over - Date.now()) + 50));
      const after = await changed(listNow, readerToken, during.etag as string);
      expect(names(after.text)).toEqual([]);
    });

    it("a revoked token and a removed role hold for the very next request", async () => {
      const email = `${store}-piet@example.org`;
      const piet = await createEditor(relais.runtime, slug, email, "editor");
      const drafts = `${list}?drafts=true`;
      expect(names((await get(drafts, piet.token)).text)).toContain("Concept C");
      expect((await get(list, piet.token)).status).toBe(200);
      const owner = await relais.runtime.users.authenticate(editorToken);
      if (!owner) throw new Error("the owner's token does not authenticate");
      await relais.runtime.memberships.remove(owner, slug, piet.principal.userId);
      expect(names((await get(drafts, piet.token)).text)).not.toContain("Concept C");

      const [info] = await relais.runtime.users.listTokens({ email });
      expect((await get(list, piet.token)).status).toBe(200);
      await relais.runtime.users.revokeToken(info?.id as string);
      expect((await get(list, piet.token)).status).toBe(401);
    });
  });
}
