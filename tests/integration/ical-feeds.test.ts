// The iCal feeds over real HTTP against a real instance (fresh PostgreSQL database). Every feed the
// tests fetch is parsed by two independent parsers, ical.js and python-icalendar, and the assertions
// are on what they read.
import { once } from "node:events";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFeedFilters } from "../../src/modules/feed/feed-filters.ts";
import { FeedService } from "../../src/modules/feed/feed.service.ts";
import { LocalEventSource } from "../../src/modules/feed/local-events.source.ts";
import { collectiveSubject, InMemoryEventSource, InMemoryFeedSubjects } from "../support/feed.ts";
import { feedRoutes } from "../../src/web/feed.routes.ts";
import type { Principal } from "../../src/modules/user/user.service.ts";
import { eventUid } from "../../src/modules/ical/event-uid.ts";
import {
  icalJsInstant,
  makeEvent,
  type PythonCalendar,
  type PythonEvent,
  parseWithIcalJs,
  parseWithPython,
  pythonUtc,
} from "../support/ical.ts";
import { type RelaisInstance, startRelaisInstance } from "../support/relais-instance.ts";
import { createEditor } from "../support/editor.ts";

interface Feed {
  res: Response;
  text: string;
  js: ReturnType<typeof parseWithIcalJs>;
  py: PythonCalendar;
  /** Event URLs (the pages) in feed order, as python-icalendar read them. */
  urls: string[];
}

describe("iCal feeds over HTTP", () => {
  let relais: RelaisInstance;
  let ana: Principal;
  let bram: Principal;
  const ids: Record<string, string> = {};

  const get = (path: string, headers: Record<string, string> = {}) => fetch(relais.url(path), { headers });

  /** GET a feed that must answer 200, and parse it with both parsers. */
  async function feed(path: string, headers: Record<string, string> = {}): Promise<Feed> {
    const res = await get(path, headers);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const js = parseWithIcalJs(text);
    const py = await parseWithPython(text);
    expect(py.events.map((e) => e.uid)).toEqual(js.events.map((e) => e.uid));
    return { res, text, js, py, urls: py.events.map((e) => e.url ?? "") };
  }

  const url = (key: string) => relais.url(`/events/${ids[key]}`).href;
  const byKey = (f: Feed, key: string): PythonEvent => {
    const found = f.py.events.find((e) => e.url === url(key));
    if (found === undefined) throw new Error(`${key} is not in the feed`);
    return found;
  };
  const keysOf = (f: Feed) => Object.keys(ids).filter((key) => f.urls.includes(url(key)));

  const base = {
    name: { fr: "Assemblée", de: "Versammlung" },
    startsAt: "2030-05-02T18:00",
    endsAt: "2030-05-02T20:00",
    location: { name: "Maison des associations", locality: "Lyon", country: "FR" },
    published: true,
  };

  async function create(key: string, who: Principal, slug: string, body: Record<string, unknown>): Promise<void> {
    const view = await relais.runtime.events.create(who, slug, { ...base, ...body });
    ids[key] = view.event.id;
  }

  const daysFromNow = (days: number) => Temporal.Now.instant().add({ hours: 24 * days }).round({ smallestUnit: "minute" }).toString();

  beforeAll(async () => {
    relais = await startRelaisInstance({ worker: false });
    const { collectives } = relais.runtime;
    await collectives.create({ slug: "lyon", name: { fr: "Droits sociaux Lyon", de: "Soziale Rechte Lyon" }, primaryLanguage: "fr" });
    await collectives.create({ slug: "gent", name: { nl: "Sociale rechten Gent" }, primaryLanguage: "nl" });
    ana = (await createEditor(relais.runtime, "lyon", "ana@example.org")).principal;
    bram = (await createEditor(relais.runtime, "gent", "bram@example.org", "owner")).principal;

    // Paris changes to summer time on 2030-03-31: 14:00 local is 13:00 UTC before, 12:00 UTC after.
    await create("beforeDst", ana, "lyon", { name: { fr: "Avant l'heure d'été" }, startsAt: "2030-03-30T14:00", endsAt: "2030-03-30T16:00", tags: ["velo"], category: "MOVEMENTS_POLITICS", location: { locality: "Lyon", country: "FR" } });
    await create("afterDst", ana, "lyon", { name: { fr: "Après l'heure d'été" }, startsAt: "2030-03-31T14:00", endsAt: "2030-03-31T16:00", tags: ["Vélo", "climat"], category: "COMMUNITY", location: { locality: "Genève", country: "CH" } });
    await create("text", ana, "lyon", {
      name: { fr: "Ordre du jour; budget, vote 🎉", de: "Tagesordnung; Budget, Abstimmung 🎉" },
      description: { fr: "Ordre du jour; budget, vote\nDeuxième ligne 🚲👩‍👩‍👧\n\nFin; vraiment, fin." },
      startsAt: "2030-04-10T19:00",
      endsAt: "2030-04-10T21:00",
    });
    await create("toCancel", ana, "lyon", { name: { fr: "Manifestation" }, startsAt: "2030-04-20T14:00", endsAt: "2030-04-20T17:00" });
    await create("unlisted", ana, "lyon", { name: { fr: "Réunion interne" }, visibility: "unlisted" });
    await create("draft", ana, "lyon", { name: { fr: "Brouillon" }, published: false });
    await create("deleted", ana, "lyon", { name: { fr: "Supprimé" } });
    await relais.runtime.events.delete(ana, ids["deleted"]!);
    await create("recent", ana, "lyon", { name: { fr: "Il y a dix jours" }, startsAt: daysFromNow(-10), endsAt: daysFromNow(-10 + 1 / 12), timezone: "Europe/Paris" });
    await create("old", ana, "lyon", { name: { fr: "Il y a quarante jours" }, startsAt: daysFromNow(-40), endsAt: daysFromNow(-40 + 1 / 12), timezone: "Europe/Paris" });
    await create("gent", bram, "gent", { name: { nl: "Buurtvergadering" }, startsAt: "2030-06-01T19:00", endsAt: "2030-06-01T21:00", tags: ["buurt"], location: { locality: "Gent", country: "BE" } });
  });
  afterAll(async () => {
    await relais?.close();
  });

  it("serves a collective's upcoming and recent public events with the headers calendar apps need", async () => {
    const f = await feed("/@lyon/events.ics");
    expect(keysOf(f).sort()).toEqual(["afterDst", "beforeDst", "recent", "text", "toCancel"]);
    expect(f.res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(f.res.headers.get("content-disposition")).toBe('inline; filename="lyon-events.ics"');
    expect(f.res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(f.res.headers.get("vary")).toBe("Accept-Encoding");
    expect(f.res.headers.get("etag")).toMatch(/^W\/".+"$/);
    expect(Date.parse(f.res.headers.get("last-modified")!)).toBeLessThanOrEqual(Date.now());
    expect(f.py).toMatchObject({ name: "Droits sociaux Lyon", name_language: "fr", x_wr_calname: "Droits sociaux Lyon", url: relais.url("/@lyon").href });
    expect(f.js.calendar.getFirstPropertyValue("name")).toBe("Droits sociaux Lyon");
  });

  it("writes times that both parsers read right across the daylight-saving change", async () => {
    const f = await feed("/@lyon/events.ics");
    expect(f.py.timezones).toContain("Europe/Paris");
    for (const [key, utc] of [
      ["beforeDst", "2030-03-30T13:00:00.000Z"],
      ["afterDst", "2030-03-31T12:00:00.000Z"],
    ] as const) {
      const py = byKey(f, key);
      expect(py.dtstart).toMatchObject({ kind: "date-time", local: `${utc.slice(0, 10)}T14:00:00`, tzid: "Europe/Paris" });
      expect(pythonUtc(py.dtstart!.utc)).toBe(utc);
      expect(pythonUtc(py.dtstart!.utc_from_vtimezone)).toBe(utc);
      const js = f.js.events.find((e) => e.uid === py.uid)!;
      expect(icalJsInstant(js.startDate)).toBe(utc);
      expect(js.endDate.toUnixTime() - js.startDate.toUnixTime()).toBe(7200);
    }
  });

  it("keeps ; , newlines and emoji of a description through the round trip, with stable UIDs", async () => {
    const f = await feed("/@lyon/events.ics");
    const py = byKey(f, "text");
    const expected = "Ordre du jour; budget, vote\nDeuxième ligne 🚲👩‍👩‍👧\n\nFin; vraiment, fin.";
    expect(py.summary).toBe("Ordre du jour; budget, vote 🎉");
    expect(py.description!.startsWith(expected)).toBe(true);
    const js = f.js.events.find((e) => e.uid === py.uid)!;
    expect(js.summary).toBe("Ordre du jour; budget, vote 🎉");
    expect(js.description.startsWith(expected)).toBe(true);

    expect(py.uid).toBe(eventUid(new URL(url("text"))));
    const again = await feed("/@lyon/events.ics?lang=de");
    const instance = await feed("/events.ics");
    const own = await feed(`/events/${ids["text"]}.ics`);
    for (const other of [again, instance, own]) expect(byKey(other, "text").uid).toBe(py.uid);
  });

  it("serves the whole instance's public events, with the instance's name", async () => {
    const f = await feed("/events.ics");
    expect(keysOf(f).sort()).toEqual(["afterDst", "beforeDst", "gent", "recent", "text", "toCancel"]);
    expect(f.py.name).toBe(`Relais — ${relais.origin.host}`);
    expect(byKey(f, "gent").summary).toBe("Buurtvergadering");
  });

  it("serves one event (unlisted too), 404 for drafts and unknown ids, 410 for deleted ones", async () => {
    const unlisted = await feed(`/events/${ids["unlisted"]}.ics`);
    expect(keysOf(unlisted)).toEqual(["unlisted"]);
    expect(unlisted.py.name).toBe("Réunion interne");
    expect(unlisted.res.headers.get("content-disposition")).toBe(`inline; filename="event-${ids["unlisted"]}.ics"`);
    for (const path of ["/@lyon/events.ics", "/events.ics"]) expect(keysOf(await feed(path))).not.toContain("unlisted");

    const draft = await get(`/events/${ids["draft"]}.ics`);
    expect(draft.status).toBe(404);
    expect((await get("/events/00000000-0000-4000-8000-000000000000.ics")).status).toBe(404);
    expect((await get("/events/not-an-id.ics")).status).toBe(404);
    expect((await get("/@nowhere/events.ics")).status).toBe(404);
    const deleted = await get(`/events/${ids["deleted"]}.ics`);
    expect(deleted.status).toBe(410);
    expect(await deleted.text()).toMatch(/deleted/);
  });

  it("filters by language, tag, category, country, status and time window", async () => {
    const de = await feed("/@lyon/events.ics?lang=de");
    expect(de.py).toMatchObject({ name: "Soziale Rechte Lyon", name_language: "de" });
    expect(byKey(de, "text")).toMatchObject({ summary: "Tagesordnung; Budget, Abstimmung 🎉", summary_language: "de" });
    // No German name: the collective's primary language.
    expect(byKey(de, "toCancel")).toMatchObject({ summary: "Manifestation", summary_language: "fr" });

    expect(keysOf(await feed("/@lyon/events.ics?tag=VÉLO")).sort()).toEqual(["afterDst"]);
    expect(keysOf(await feed("/events.ics?tag=velo,buurt")).sort()).toEqual(["beforeDst", "gent"]);
    expect(keysOf(await feed("/@lyon/events.ics?category=community"))).toEqual(["afterDst"]);
    expect(keysOf(await feed("/events.ics?country=BE&country=CH")).sort()).toEqual(["afterDst", "gent"]);
    expect(keysOf(await feed("/@lyon/events.ics?from=2030-03-31&to=2030-04-15")).sort()).toEqual(["afterDst", "text"]);
    const withOld = await feed(`/@lyon/events.ics?from=${daysFromNow(-60).slice(0, 10)}&to=2030-03-31`);
    expect(keysOf(withOld).sort()).toEqual(["beforeDst", "old", "recent"]);
    const categorized = await feed("/events.ics?category=MOVEMENTS_POLITICS,COMMUNITY&country=FR");
    expect(keysOf(categorized)).toEqual(["beforeDst"]);
  });

  it("pages through rows by start and id when tags are compared in JavaScript", async () => {
    const em = relais.runtime.em;
    const subject = { scope: { kind: "instance" }, id: undefined } as const;
    const query = (tag: string, limit = 100) => ({ filters: parseFeedFilters({ tag }), window: {}, limit });
    const names = async (source: LocalEventSource, tag: string, limit?: number) =>
      (await source.events({ ...subject, version: "", changedAt: 0, name: "", primaryLanguage: undefined, url: relais.origin, filename: "" }, query(tag, limit))).map((e) => e.id);
    const whole = new LocalEventSource(em, relais.runtime.urls);
    const paged = new LocalEventSource(em, relais.runtime.urls, { batchSize: 1 });
    expect(await names(whole, "velo,buurt,climat")).toEqual([ids["beforeDst"], ids["afterDst"], ids["gent"]]);
    expect(await names(paged, "velo,buurt,climat")).toEqual([ids["beforeDst"], ids["afterDst"], ids["gent"]]);
    expect(await names(paged, "velo,buurt,climat", 2)).toEqual([ids["beforeDst"], ids["afterDst"]]);
    expect(await names(paged, "nothing")).toEqual([]);
  });

  it("answers 400 with a message naming each bad filter", async () => {
    for (const [query, field] of [
      ["lang=fran%C3%A7ais", "lang"],
      ["tag=a%20b", "tag"],
      ["category=PICNIC", "category"],
      ["country=XX", "country"],
      ["status=maybe", "status"],
      ["from=yesterday", "from"],
      ["from=2030-01-02&to=2030-01-01", "to"],
      ["categroy=ARTS", "categroy"],
    ]) {
      for (const path of ["/events.ics", "/@lyon/events.ics", `/events/${ids["text"]}.ics`]) {
        const res = await get(`${path}?${query}`);
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(await res.text()).toContain(`${field}:`);
      }
    }
  });

  it("answers polls with 304 on If-None-Match and If-Modified-Since, and with the full feed otherwise", async () => {
    const first = await get("/@lyon/events.ics");
    await first.arrayBuffer();
    const etag = first.headers.get("etag")!;
    const lastModified = first.headers.get("last-modified")!;

    const byTag = await get("/@lyon/events.ics", { "if-none-match": etag });
    expect(byTag.status).toBe(304);
    expect(await byTag.text()).toBe("");
    expect(byTag.headers.get("etag")).toBe(etag);
    expect(byTag.headers.get("cache-control")).toBe("public, max-age=300");

    expect((await get("/@lyon/events.ics", { "if-modified-since": lastModified })).status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect((await feed("/@lyon/events.ics", { "if-modified-since": earlier })).res.status).toBe(200);
    expect((await feed("/@lyon/events.ics", { "if-none-match": 'W/"something else"', "if-modified-since": lastModified })).res.status).toBe(200);
    // Other filters are another feed, with another tag.
    expect((await feed("/@lyon/events.ics?lang=de", { "if-none-match": etag })).res.headers.get("etag")).not.toBe(etag);
    const own = await get(`/events/${ids["text"]}.ics`);
    await own.arrayBuffer();
    expect((await get(`/events/${ids["text"]}.ics`, { "if-none-match": own.headers.get("etag")! })).status).toBe(304);
  });

  it("sends gzip to clients that accept it, the same bytes inflated", async () => {
    const plain = await (await get("/@lyon/events.ics")).text();
    const zipped = await new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      request(relais.url("/@lyon/events.ics"), { headers: { "accept-encoding": "gzip, deflate" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      })
        .on("error", reject)
        .end();
    });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers["vary"]).toBe("Accept-Encoding");
    expect(Number(zipped.headers["content-length"])).toBe(zipped.body.length);
    expect(zipped.body.length).toBeLessThan(Buffer.byteLength(plain));
    expect(gunzipSync(zipped.body).toString("utf8")).toBe(plain);
  });

  it("changes the ETag and the content after an edit: SEQUENCE grows, a cancelled event stays as CANCELLED", async () => {
    const before = await feed("/@lyon/events.ics");
    const etag = before.res.headers.get("etag")!;
    const sequence = byKey(before, "toCancel").sequence!;
    const instanceEtag = (await feed("/events.ics")).res.headers.get("etag")!;
    const ownEtag = (await feed(`/events/${ids["toCancel"]}.ics`)).res.headers.get("etag")!;

    await relais.runtime.events.update(ana, ids["toCancel"]!, { startsAt: "2030-04-20T15:00", endsAt: "2030-04-20T18:00" });
    const moved = await feed("/@lyon/events.ics", { "if-none-match": etag });
    expect(moved.res.headers.get("etag")).not.toBe(etag);
    const py = byKey(moved, "toCancel");
    expect(py.sequence).toBe(sequence + 1);
    expect(pythonUtc(py.dtstart!.utc)).toBe("2030-04-20T13:00:00.000Z");
    const js = moved.js.events.find((e) => e.uid === py.uid)!;
    expect(js.sequence).toBe(sequence + 1);
    expect(icalJsInstant(js.startDate)).toBe("2030-04-20T13:00:00.000Z");

    await relais.runtime.events.cancel(ana, ids["toCancel"]!, { reason: { fr: "Interdiction préfectorale; recours, en cours" } });
    const cancelled = await feed("/@lyon/events.ics", { "if-none-match": moved.res.headers.get("etag")! });
    const c = byKey(cancelled, "toCancel");
    expect(c.status).toBe("CANCELLED");
    expect(c.sequence).toBe(sequence + 2);
    expect(c.description!.startsWith("Interdiction préfectorale; recours, en cours")).toBe(true);
    expect(cancelled.js.events.find((e) => e.uid === c.uid)!.component.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(keysOf(await feed("/@lyon/events.ics?status=scheduled,postponed"))).not.toContain("toCancel");
    expect(keysOf(await feed("/@lyon/events.ics?status=cancelled"))).toEqual(["toCancel"]);

    // The instance feed and the event's own file moved too; the other collective's feed did not.
    expect((await feed("/events.ics", { "if-none-match": instanceEtag })).res.headers.get("etag")).not.toBe(instanceEtag);
    expect((await feed(`/events/${ids["toCancel"]}.ics`, { "if-none-match": ownEtag })).res.headers.get("etag")).not.toBe(ownEtag);
    const gent = await get("/@gent/events.ics");
    await gent.arrayBuffer();
    expect((await get("/@gent/events.ics", { "if-none-match": gent.headers.get("etag")! })).status).toBe(304);
  });

  it("answers HEAD with the headers and no body", async () => {
    const res = await fetch(relais.url("/@lyon/events.ics"), { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toMatch(/^W\//);
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(1000);
    expect(await res.text()).toBe("");
  });
});

describe("feed routes over a counting source", () => {
  it("answer a poll with 304 without loading or rendering events, and render once for many clients", async () => {
    const subjects = new InMemoryFeedSubjects();
    subjects.set(collectiveSubject("lyon", "c:1"));
    const source = new InMemoryEventSource("local");
    source.add("lyon", [makeEvent({ startsAt: Temporal.Now.instant().add({ hours: 48 }), endsAt: undefined })]);
    const app = express().use(feedRoutes(new FeedService({ subjects, sources: () => [source] })));
    const server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    const at = `http://127.0.0.1:${(server.address() as AddressInfo).port}/@lyon/events.ics`;
    try {
      const first = await fetch(at);
      expect(first.status).toBe(200);
      const text = await first.text();
      expect((await parseWithPython(text)).events).toHaveLength(1);
      expect(source.queries).toHaveLength(1);
      const etag = first.headers.get("etag")!;
      const lastModified = first.headers.get("last-modified")!;

      source.queries.length = 0;
      const polls = await Promise.all([
        ...Array.from({ length: 5 }, () => fetch(at, { headers: { "if-none-match": etag } })),
        ...Array.from({ length: 5 }, () => fetch(at, { headers: { "if-modified-since": lastModified } })),
      ]);
      expect(polls.map((r) => r.status)).toEqual(Array(10).fill(304));
      expect(source.queries).toHaveLength(0);

      // A new version: concurrent clients share one render, and the old tag no longer matches.
      subjects.set(collectiveSubject("lyon", "c:2"));
      const after = await Promise.all(Array.from({ length: 5 }, () => fetch(at, { headers: { "if-none-match": etag } })));
      expect(after.map((r) => r.status)).toEqual(Array(5).fill(200));
      expect(new Set(await Promise.all(after.map((r) => r.text())))).toEqual(new Set([text]));
      expect(source.queries).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
